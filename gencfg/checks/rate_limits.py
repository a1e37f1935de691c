"""Rate limits are ones dfdaemon accepts and that make sense together.

ID: ``rate-limits``. Code GC309 (error).

dfdaemon v2.1 refuses to start when ``download.totalRateLimit`` or ``upload.rateLimit``
is below 20Mi (``DefaultMinRate``); a per-peer limit above the total can never be
reached and usually means the two were swapped. The Rust client of the current line
has neither the minimum nor a per-peer limit (``line-keys`` reports the latter).
The same limits given as raw ``overrides`` (``download.totalRateLimit``,
``download.perPeerRateLimit``, ``upload.rateLimit``) are checked the same way, at the
override's line: the value the config gets is checked, whichever way it was written.

Pass::

    peer: {total_rate_limit: 2Gi, per_peer_rate_limit: 512Mi}

Fail::

    peer: {total_rate_limit: 512Mi, per_peer_rate_limit: 2Gi}
    overrides: {peer: {upload: {rateLimit: 10Mi}}}
"""

from __future__ import annotations

from collections.abc import Iterator

from gencfg.checks import effective
from gencfg.checks.base import CheckContext
from gencfg.inventory.source import JsonPath
from gencfg.problem import Problem
from gencfg.units import MiB, format_size, parse_size

ID = "rate-limits"
CODES = {"GC309": "a rate limit is below dfdaemon's minimum or above the total limit"}

MIN_RATE = 20 * MiB


def check(ctx: CheckContext) -> Iterator[Problem]:
    """Check each dfdaemon's limits; report a layer's mistake once, where it is written."""
    reported: set[JsonPath] = set()
    if ctx.model.line.rust_client:
        return
    for d in effective.dfdaemons(ctx):
        s, owner = d.settings, d.owner
        for key in ("total_rate_limit", "upload_rate_limit"):
            if key in d.unreadable:
                continue
            value = parse_size(getattr(s, key))
            path = s.origins.get(key, owner)
            if value < MIN_RATE and path not in reported:
                reported.add(path)
                yield ctx.problem(
                    "GC309",
                    path,
                    f"{d.name(key)} of {d.who} is {format_size(value)}; "
                    f"dfdaemon requires at least 20Mi",
                )
        if d.unreadable & {"total_rate_limit", "per_peer_rate_limit"}:
            continue
        total, per_peer = parse_size(s.total_rate_limit), parse_size(s.per_peer_rate_limit)
        path = s.origins.get("per_peer_rate_limit", s.origins.get("total_rate_limit", owner))
        if per_peer > total and path not in reported:
            reported.add(path)
            yield ctx.problem(
                "GC309",
                path,
                f"{d.name('per_peer_rate_limit')} of {d.who} ({format_size(per_peer)}) exceeds "
                f"its {d.name('total_rate_limit')} ({format_size(total)})",
            )
