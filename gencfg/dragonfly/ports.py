"""Listening ports of each line's components: defaults and the config keys that set them.

The templates write these defaults and the port-conflict check reads the same table,
so a port can never be rendered one way and checked another. Every port is a single
port, never a range: Dragonfly's default ranges (65000-65535) let a daemon silently
take the next free port, which then breaks the proxy or the announced address.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import Any

from gencfg.inventory.model import Layer
from gencfg.merge import deep_merge


@dataclasses.dataclass(frozen=True, slots=True)
class Port:
    """One listening port: what it is for, its default, and where the config sets it."""

    name: str
    default: int
    key: tuple[str, ...]
    metrics: bool = False


MANAGER = (
    Port("rest", 8080, ("server", "rest", "addr")),
    Port("grpc", 65003, ("server", "grpc", "port")),
    Port("metrics", 8000, ("metrics", "addr"), metrics=True),
)
SCHEDULER = (
    Port("grpc", 8002, ("server", "port")),
    Port("metrics", 8001, ("metrics", "addr"), metrics=True),
)
PEER = (
    Port("peer-grpc", 65000, ("download", "peerGRPC", "tcpListen", "port")),
    Port("proxy", 65001, ("proxy", "tcpListen", "port")),
    Port("upload", 65002, ("upload", "tcpListen", "port")),
    Port("health", 40901, ("health", "tcpListen", "port")),
    Port("metrics", 8000, ("metrics",), metrics=True),
)
# Seed peers share their VM with the manager and scheduler: ports the docker-compose
# deployment of v2.1 uses, metrics on a port of its own.
SEED_PEER = (
    Port("peer-grpc", 65006, PEER[0].key),
    Port("proxy", 65007, PEER[1].key),
    Port("upload", 65008, PEER[2].key),
    Port("health", 40902, PEER[3].key),
    Port("metrics", 8003, PEER[4].key, metrics=True),
)
BY_TARGET = {"manager": MANAGER, "scheduler": SCHEDULER, "peer": PEER, "seed_peer": SEED_PEER}

# The Rust client (current line): the ports of its dfdaemon.yaml, each always listening
# (its metrics server cannot be turned off). The names the playbooks and the runtime
# files use (proxy, health) are the same as on v2.1; the peer-to-peer port is "upload".
CLIENT = (
    Port("upload", 4000, ("upload", "server", "port")),
    Port("proxy", 4001, ("proxy", "server", "port")),
    Port("metrics", 4002, ("metrics", "server", "port")),
    Port("health", 4003, ("health", "server", "port")),
    Port("stats", 4004, ("stats", "server", "port")),
    Port("storage", 4005, ("storage", "server", "tcpPort")),
)
# A seed client is alone on its VM with the manager (8080, 65003, 8000) and the
# scheduler (8002, 8001): the client's own defaults do not collide with them.
SEED_CLIENT = CLIENT
BY_LINE = {
    "v2.1": BY_TARGET,
    "v2.5": {"manager": MANAGER, "scheduler": SCHEDULER, "peer": CLIENT, "seed_peer": SEED_CLIENT},
}
"""Port tables of each template line, by override target."""


def default(ports: Iterable[Port], name: str) -> int:
    """The default of the port called ``name``."""
    return next(p.default for p in ports if p.name == name)


def _port_of(value: Any) -> int | None:
    """The port in any of the forms v2.1 accepts: 65000, {start: 65000}, ":8080", "0.0.0.0:8080"."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, dict):
        return _port_of(value.get("start"))
    if isinstance(value, str):
        match = re.search(r":([0-9]+)$", value)
        return int(match.group(1)) if match else None
    return None


def effective(ports: Iterable[Port], layers: Iterable[Layer], *, metrics: bool) -> dict[str, int]:
    """Ports a component will listen on, once the inventory's overrides are applied."""
    merged: dict[str, Any] = {}
    for layer in layers:
        merged = deep_merge(merged, layer.data)
    out = {}
    for port in ports:
        value: Any = merged
        for part in port.key:
            value = value.get(part) if isinstance(value, dict) else None
        found = _port_of(value)
        if port.metrics and not metrics and value is None:
            continue
        out[port.name] = found if found is not None else port.default
    return out
