"""No two listeners on one host share a port.

ID: ``port-conflicts``. Code GC307 (error).

A control-plane VM runs the manager (8080, 65003), the scheduler (8002) and the seed
(v2.1 seed peer: 65006-65008, 40902; current line seed client: 4000-4005), plus metrics
ports; a peer listens on 65000-65002 and 40901 (v2.1) or 4000-4005 (Rust client).
Overrides can move any of them. Two listeners on one port means one of them fails to
start, or (with Dragonfly's port ranges) silently moves and announces a wrong port.

Pass::

    overrides: {scheduler: {server: {port: 8002}}}

Fail::

    overrides: {scheduler: {server: {port: 65003}}}   # the manager's gRPC port
"""

from __future__ import annotations

from collections.abc import Iterator

from gencfg.checks.base import CheckContext
from gencfg.dragonfly import ports
from gencfg.inventory.model import Layer
from gencfg.inventory.source import JsonPath
from gencfg.problem import Problem

ID = "port-conflicts"
CODES = {"GC307": "two listeners on one host use the same port"}

Listener = tuple[str, int, JsonPath]


def _listeners(
    line: str, component: str, layers: tuple[Layer, ...], path: JsonPath, metrics: bool
) -> list[Listener]:
    table = ports.BY_LINE[line][component]
    where = layers[-1].path if layers else path
    found = ports.effective(table, layers, metrics=metrics)
    return [(f"{component} {name}", port, where) for name, port in found.items()]


def _hosts(ctx: CheckContext) -> Iterator[tuple[str, list[Listener]]]:
    metrics = ctx.model.metrics
    line = ctx.model.line.name
    for vpc in ctx.model.vpcs:
        for vm in vpc.control_plane:
            listeners: list[Listener] = []
            for component in sorted(vm.components):
                listeners += _listeners(
                    line, component, vm.overrides.get(component, ()), vm.path, metrics
                )
            yield vm.name, listeners
        for pvm in vpc.peer_vms:
            yield (
                pvm.name,
                _listeners(line, "peer", pvm.overrides.get("peer", ()), pvm.path, metrics),
            )
        for group in vpc.node_groups:
            # One DaemonSet pod per node: checking the group once covers every node.
            yield (
                f"nodes of group {group.name}",
                _listeners(line, "peer", group.overrides.get("peer", ()), group.path, metrics),
            )


def check(ctx: CheckContext) -> Iterator[Problem]:
    """Report each port claimed twice on a host."""
    for host, listeners in _hosts(ctx):
        taken: dict[int, str] = {}
        for owner, port, path in listeners:
            if port in taken:
                yield ctx.problem(
                    "GC307",
                    path,
                    f"on {host}, {owner} and {taken[port]} both listen on port {port}",
                )
            else:
                taken[port] = owner
