"""One inventory key per concept, translated to each line's config keys here and only here.

A peer or seed setting (``peer:`` / ``seed_peer:`` in the inventory) names a concept,
not a key of one file format. This table says where each concept lands in the v2.1
``dfget.yaml`` (Go dfdaemon, viper) and in the current line's ``dfdaemon.yaml`` (Rust
client, serde), or why a line has no counterpart. The ``line-keys`` check reports a
concept set for a line that lacks it; the v2.5 templates take their values from
:func:`client_values`; ``gencfg migrate`` moves overrides along the same table.

Value formats differ too: Go reads ``1024Mi`` (binary) and ``1h30m``; the Rust client
reads sizes with bytesize (``GB`` decimal, ``GiB`` binary) and durations with humantime
(a bare integer is an error, ``1.5h`` too). Values are converted to the one spelling both
sides agree on: bytes with an explicit binary unit, durations in whole seconds.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Literal

from gencfg.inventory.model import Dfdaemon
from gencfg.units import GO_MAX_DURATION_NS, parse_duration, parse_size

Kind = Literal["path", "size", "duration", "bool", "percent", "rules", "resources"]
Key = tuple[str, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Concept:
    """An inventory setting of a dfdaemon and its key in each line (None: no counterpart)."""

    name: str
    kind: Kind
    v21: Key | None
    v25: Key | None
    missing: str = ""
    """Why the line without a key has none, and what to use instead."""
    outside: str = ""
    """For a concept that is no key of the file (empty key): where it goes instead."""

    def key(self, line: str) -> Key | None:
        """The config key of this concept in ``line``."""
        return self.v21 if line == "v2.1" else self.v25


CONCEPTS: tuple[Concept, ...] = (
    # Host directories: mounted into the container at each line's own path.
    Concept("cache_dir", "path", ("cacheDir",), ("server", "cacheDir")),
    Concept("data_dir", "path", ("dataDir",), ("storage", "dir")),
    Concept("log_dir", "path", (), (), outside="host directory mounted as the log directory"),
    Concept(
        "total_rate_limit",
        "size",
        ("download", "totalRateLimit"),
        ("download", "bandwidthLimit"),
    ),
    Concept(
        "per_peer_rate_limit",
        "size",
        ("download", "perPeerRateLimit"),
        None,
        "the Rust client has no per-task limit; download.bandwidthLimit (total_rate_limit) "
        "bounds the host",
    ),
    Concept("upload_rate_limit", "size", ("upload", "rateLimit"), ("upload", "bandwidthLimit")),
    Concept(
        "piece_download_timeout",
        "duration",
        ("download", "pieceDownloadTimeout"),
        ("download", "pieceTimeout"),
    ),
    Concept(
        "calculate_digest",
        "bool",
        ("download", "calculateDigest"),
        None,
        "the Rust client has no calculateDigest setting",
    ),
    Concept("proxy_rules", "rules", ("proxy", "proxies"), ("proxy", "rules")),
    Concept(
        "task_expire_time", "duration", ("storage", "taskExpireTime"), ("gc", "policy", "taskTTL")
    ),
    Concept(
        "disk_gc_threshold",
        "size",
        ("storage", "diskGCThreshold"),
        ("gc", "policy", "diskThreshold"),
    ),
    Concept(
        "disk_gc_threshold_percent",
        "percent",
        ("storage", "diskGCThresholdPercent"),
        ("gc", "policy", "diskHighThresholdPercent"),
    ),
    Concept("resources", "resources", (), (), outside="container or pod resources"),
)
BY_NAME = {c.name: c for c in CONCEPTS}

RULE_FIELDS_V21 = {
    "regx": "regx",
    "use_https": "useHTTPS",
    "direct": "direct",
    "redirect": "redirect",
}
RULE_FIELDS_V25 = {"regx": "regex", "use_https": "useTLS", "redirect": "redirect"}
RULE_MISSING_V25 = {
    "direct": "the Rust client has no direct rules: a URL that matches no rule already goes "
    "to the origin without P2P, so drop the rule",
}

_BINARY_UNITS = (("TiB", 1024**4), ("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024))


def rust_size(value: int | str) -> int | str:
    """An inventory size (1024-based) as the Rust client's bytesize reads it: ``2GiB``.

    A bare ``G`` would be read as decimal by the Rust client, so the unit is spelt out.
    """
    size = parse_size(value)
    for unit, factor in _BINARY_UNITS:
        if size >= factor and size % factor == 0:
            return f"{size // factor}{unit}"
    return size


def format_seconds(seconds: float) -> str:
    """A duration as humantime reads it, one unit: whole seconds, else milliseconds."""
    if float(seconds).is_integer():
        return f"{int(seconds)}s"
    return f"{round(seconds * 1000)}ms"


def rust_duration(value: str) -> str:
    """An inventory (Go) duration as humantime reads it."""
    return format_seconds(parse_duration(value))


def client_rules(rules: Any) -> list[dict[str, Any]]:
    """Inventory proxy rules as the Rust client's ``proxy.rules``."""
    out = []
    for rule in rules:
        item: dict[str, Any] = {"regex": rule.regx}
        if rule.use_https:
            item["useTLS"] = True
        if rule.redirect:
            item["redirect"] = rule.redirect
        out.append(item)
    return out


def client_values(s: Dfdaemon, rules: Any = None) -> dict[str, Any]:
    """The settings of a peer or seed, in the Rust client's value formats.

    ``rules`` replaces the settings' proxy rules (a peer whose nydusd reaches it in
    proxy mode gets adapted ones, see render/targets/peers.py).
    """
    return {
        "total_rate_limit": rust_size(s.total_rate_limit),
        "upload_rate_limit": rust_size(s.upload_rate_limit),
        "piece_download_timeout": rust_duration(s.piece_download_timeout),
        "task_expire_time": rust_duration(s.task_expire_time),
        "disk_gc_threshold": None
        if s.disk_gc_threshold is None
        else rust_size(s.disk_gc_threshold),
        "disk_gc_threshold_percent": None
        if s.disk_gc_threshold_percent is None
        else int(s.disk_gc_threshold_percent),
        "proxy_rules": client_rules(s.proxy_rules if rules is None else rules),
    }


_RUST_SIZE = re.compile(r"^([0-9]+(?:\.[0-9]+)?) *(?:([kKmMgGtTpP])([iI])?[bB]?|[bB])?$")
_RUST_POWERS = {"k": 1, "m": 2, "g": 3, "t": 4, "p": 5}
_HUMANTIME_PART = re.compile(r" *([0-9]+) *([a-zA-Z]+)")
_HUMANTIME_UNITS = {
    **dict.fromkeys(("nsec", "ns"), 1e-9),
    **dict.fromkeys(("usec", "us"), 1e-6),
    **dict.fromkeys(("msec", "ms"), 1e-3),
    **dict.fromkeys(("seconds", "second", "sec", "s"), 1.0),
    **dict.fromkeys(("minutes", "minute", "min", "m"), 60.0),
    **dict.fromkeys(("hours", "hour", "hr", "h"), 3600.0),
    **dict.fromkeys(("days", "day", "d"), 86400.0),
    **dict.fromkeys(("weeks", "week", "w"), 604800.0),
    **dict.fromkeys(("months", "month", "M"), 2630016.0),
    **dict.fromkeys(("years", "year", "y"), 31557600.0),
}


def read_size(value: Any, line: str) -> int | None:
    """Bytes of a size as ``line``'s peer config reads it (None: not a size it reads).

    v2.1 (Go, go-units RAMInBytes): a number, or ``1024Mi``/``2G`` with 1024-based
    units. The Rust client (bytesize): an integer, or ``2GiB`` (binary) / ``2GB`` (decimal).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    if not isinstance(value, str):
        return None
    if line == "v2.1":
        try:
            return parse_size(value)
        except ValueError:
            return None
    match = _RUST_SIZE.match(value.strip())
    if not match:
        return None
    number, unit, binary = match.groups()
    base = 1024 if binary else 1000
    return int(float(number) * base ** _RUST_POWERS.get((unit or "").lower(), 0))


def read_duration(value: Any, line: str) -> float | None:
    """Seconds of a duration as ``line``'s peer config reads it (None: not one it reads).

    v2.1 (Go): a Go duration string or an integer of nanoseconds. The Rust client
    (humantime): a string of integer parts with units (``360s``, ``1h 30m``, ``2min``).
    """
    if isinstance(value, bool):
        return None
    if line == "v2.1":
        if isinstance(value, int):
            return value / 1e9 if abs(value) <= GO_MAX_DURATION_NS else None
        try:
            return parse_duration(value) if isinstance(value, str) else None
        except ValueError:
            return None
    if not isinstance(value, str) or not value.strip():
        return None
    pos, total = 0, 0.0
    for match in _HUMANTIME_PART.finditer(value):
        unit = _HUMANTIME_UNITS.get(match.group(2))
        if match.start() != pos or unit is None:
            return None
        total += int(match.group(1)) * unit
        pos = match.end()
    return total if value[pos:].strip() == "" else None
