"""What each v2.1 key of a raw override becomes on the current line.

The peer and seed entries are derived from the concept table
(``gencfg/dragonfly/concepts.py``): a concept's v2.1 key becomes its current-line key,
its value converted the same way the templates convert it. The rest are keys only
overrides reach (listeners, back-to-source, logging). A v2.1 key that is in no table
is kept when the current line's file has it (most manager and scheduler keys did not
change), dropped when it is listed as harmless here (it has no effect any more, or the
value it has is the old default), and otherwise stops the migration with the reason.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from gencfg.dragonfly import concepts

Key = tuple[str, ...]
Convert = Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


@dataclasses.dataclass(frozen=True, slots=True)
class Move:
    """A v2.1 key's new place (and value) in the current line's file."""

    to: Key
    convert: Convert = _same


def _rules(value: Any) -> Any:
    """v2.1 ``proxy.proxies`` as the Rust client's ``proxy.rules`` (direct rules: see plan)."""
    out = []
    for rule in value if isinstance(value, list) else []:
        item: dict[str, Any] = {"regex": rule.get("regx", "")}
        if rule.get("useHTTPS"):
            item["useTLS"] = True
        if rule.get("redirect"):
            item["redirect"] = rule["redirect"]
        out.append(item)
    return out


_CONVERT: dict[str, Convert] = {
    "size": concepts.rust_size,
    "duration": lambda v: concepts.rust_duration(str(v)),
    "percent": int,
    "rules": _rules,
    "bool": _same,
    "path": _same,
}


def _from_concepts() -> dict[Key, Move]:
    moves = {}
    for c in concepts.CONCEPTS:
        if c.v21 and c.v25 and c.kind in _CONVERT:
            moves[c.v21] = Move(c.v25, _CONVERT[c.kind])
    # cacheDir/dataDir are paths inside the container in dfget.yaml: not the same thing
    # as the client's, which gencfg mounts itself.
    moves.pop(("cacheDir",), None)
    moves.pop(("dataDir",), None)
    return moves


PEER: dict[Key, Move] = {
    **_from_concepts(),
    ("download", "peerGRPC", "tcpListen", "port"): Move(("upload", "server", "port")),
    ("proxy", "tcpListen", "port"): Move(("proxy", "server", "port")),
    ("health", "tcpListen", "port"): Move(("health", "server", "port")),
    ("download", "prefetch"): Move(("proxy", "prefetch")),
    ("scheduler", "scheduleTimeout"): Move(("scheduler", "scheduleTimeout"), _CONVERT["duration"]),
    ("scheduler", "disableAutoBackSource"): Move(("proxy", "disableBackToSource")),
    ("proxy", "registryMirror", "url"): Move(("proxy", "registryMirror", "addr")),
    ("gcInterval",): Move(("gc", "interval"), _CONVERT["duration"]),
    ("keepStorage",): Move(("storage", "keep")),
    ("host", "idc"): Move(("host", "idc")),
    ("host", "location"): Move(("host", "location")),
    ("network", "enableIPv6"): Move(("network", "enableIPv6")),
}
"""dfget.yaml key -> dfdaemon.yaml key, for the ``peer`` and ``seed_peer`` overrides."""

CONTROL: dict[Key, Move] = {
    ("pprof-port",): Move(("pprofPort",)),
    ("database", "mysql", "tls", "ca"): Move(("database", "mysql", "tls", "caCert")),
}
"""manager.yaml and scheduler.yaml keys renamed since v2.1.28."""

_ANY = object()
HARMLESS: dict[Key, Any] = {
    # Gone, and without effect at these values (the v2.1 defaults).
    ("verbose",): False,
    ("pprof-port",): -1,
    ("jaeger",): "",
    ("console",): False,
    ("aliveTime",): _ANY,
    ("download", "calculateDigest"): _ANY,
    ("storage", "strategy"): _ANY,
    ("storage", "multiplex"): _ANY,
    ("security", "autoIssueCert"): False,
    ("security", "tlsVerify"): False,
    ("security", "tlsPolicy"): _ANY,
    ("server", "workHome"): _ANY,
    ("server", "cacheDir"): _ANY,
    ("server", "dataDir"): _ANY,
    ("seedPeer", "enable"): True,
    ("job", "preheat", "registryTimeout"): _ANY,
    ("objectStorage", "enable"): False,
    ("trainer", "enable"): False,
    ("database", "redis", "networkTopologyDB"): _ANY,
}
"""Keys dropped silently (any value, or only the one given): they do nothing any more."""

HARMLESS_PREFIXES: tuple[Key, ...] = (
    ("networkTopology",),
    ("storage", "maxSize"),
    ("storage", "maxBackups"),
    ("storage", "bufferSize"),
    ("download", "downloadGRPC", "security"),
    ("download", "peerGRPC", "security"),
    ("upload", "security"),
    ("proxy", "security"),
    ("health", "security"),
    ("health", "path"),
    ("proxy", "defaultFilter"),
)
"""Whole v2.1 sections that no longer exist and only tuned what is gone with them."""

DEBUG: Key = ("verbose",)
"""v2.1's verbose: true becomes server.logLevel: debug on the manager and scheduler."""


def harmless(key: Key, value: Any) -> bool:
    """Whether dropping ``key: value`` changes nothing on the current line."""
    if any(key[: len(p)] == p for p in HARMLESS_PREFIXES):
        return True
    if key not in HARMLESS:
        return False
    expected = HARMLESS[key]
    return expected is _ANY or value == expected
