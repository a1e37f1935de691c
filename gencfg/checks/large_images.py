"""Large images get timeouts and resources that let them through.

ID: ``large-images``. Code GC504 (warning).

When a VPC distributes images of 20 GB or more (a preheat image's ``size`` or
``deployment.max_image_size``), gencfg raises the defaults: piece download timeout
600s, seed peers 4 CPU / 8Gi requested and 16 / 32Gi limit, peers 2 / 4Gi and 8 / 16Gi.
A value the inventory sets explicitly below those is kept, but warned about at its
line: preheats of such images fail with "error decoding response body" and time
outs (dragonfly#3890, #3675). A piece timeout given as a raw override
(``download.pieceDownloadTimeout`` on v2.1, ``download.pieceTimeout`` on the current
line) is checked the same way, at the override's line.

Pass::

    preheat: {images: [{image: ghcr.io/org/llm:1, size: 40Gi}]}
    peer: {piece_download_timeout: 900s}

Fail::

    preheat: {images: [{image: ghcr.io/org/llm:1, size: 40Gi}]}
    peer: {piece_download_timeout: 60s}
"""

from __future__ import annotations

from collections.abc import Iterator

from gencfg.checks import effective
from gencfg.checks.base import CheckContext
from gencfg.inventory import defaults
from gencfg.inventory.source import JsonPath
from gencfg.problem import Level, Problem
from gencfg.units import format_size, parse_duration, parse_size

ID = "large-images"
CODES = {"GC504": "a setting is too low for the large images the VPC distributes"}

_MEMORY_KEYS = (("requests", "memory"), ("limits", "memory"))


def _memory(value: str) -> int:
    return parse_size(value.removesuffix("i"))


def check(ctx: CheckContext) -> Iterator[Problem]:
    """Compare explicit settings of large-image VPCs with the large profile."""
    reported: set[JsonPath] = set()
    minimum = parse_duration(defaults.LARGE_PIECE_TIMEOUT)
    for d in effective.dfdaemons(ctx):
        vpc, s, who = d.vpc, d.settings, d.who
        if not vpc.large_images or vpc.largest_image is None:
            continue
        size = format_size(vpc.largest_image)
        profile = defaults.SEED_PEER_LARGE if d.target == "seed_peer" else defaults.PEER_LARGE
        origin = s.origins.get("piece_download_timeout")
        if (
            origin
            and "piece_download_timeout" not in d.unreadable
            and parse_duration(s.piece_download_timeout) < minimum
            and origin not in reported
        ):
            reported.add(origin)
            yield ctx.problem(
                "GC504",
                origin,
                f"{d.name('piece_download_timeout')} {s.piece_download_timeout} ({who}) is "
                f"short for images of {size} in VPC {vpc.name!r}; use at least "
                f"{defaults.LARGE_PIECE_TIMEOUT}",
                level=Level.WARNING,
            )
        origin = s.origins.get("resources")
        recommended: dict[str, dict[str, str]] = profile["resources"]
        for section, key in _MEMORY_KEYS:
            have = getattr(s.resources, section).get(key)
            want = recommended[section][key]
            if origin and have and _memory(have) < _memory(want) and origin not in reported:
                reported.add(origin)
                yield ctx.problem(
                    "GC504",
                    origin,
                    f"{section}.{key} {have} ({who}) is below the {want} recommended for "
                    f"images of {size}",
                    level=Level.WARNING,
                )
