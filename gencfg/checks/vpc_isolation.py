"""Peers, seed peers and schedulers only talk to their own VPC's control plane.

ID: ``vpc-isolation``. Code GC304 (error).

gencfg points every component at its VPC's manager (the LB or the VM itself). An
override that sets a manager or scheduler address (``scheduler.manager.netAddrs``,
``scheduler.netAddrs`` in dfget.yaml, ``manager.addr`` in scheduler.yaml) to an address
of another VPC, or outside the VPC, makes peers join another cluster: they dial the
first reachable scheduler the manager returns (dragonfly#2993, #3020) and traffic
crosses VPCs.

Pass::

    overrides: {peer: {scheduler: {manager: {netAddrs: [{type: tcp, addr: "10.10.0.10:65003"}]}}}}

Fail (in VPC 10.10.0.0/16, 10.20.0.10 being VPC b's LB)::

    overrides: {peer: {scheduler: {manager: {netAddrs: ["10.20.0.10:65003"]}}}}
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from gencfg.checks.base import CheckContext
from gencfg.inventory.model import Layer, Vpc
from gencfg.inventory.source import JsonPath
from gencfg.problem import Problem

ID = "vpc-isolation"
CODES = {"GC304": "a component is pointed at another VPC's (or an outside) manager or scheduler"}

# Override keys holding control-plane addresses: (file kind, key path, what it names).
_ADDRESS_KEYS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("peer", ("scheduler", "manager", "netAddrs"), "manager"),
    ("peer", ("scheduler", "netAddrs"), "scheduler"),
    ("seed_peer", ("scheduler", "manager", "netAddrs"), "manager"),
    ("seed_peer", ("scheduler", "netAddrs"), "scheduler"),
    ("scheduler", ("manager", "addr"), "manager"),
)


def _get(data: Any, keys: tuple[str, ...]) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _addresses(layer: Layer, target: str) -> Iterator[tuple[str, JsonPath, str]]:
    for kind, keys, names in _ADDRESS_KEYS:
        if kind != target:
            continue
        value = _get(layer.data, keys)
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            sub: JsonPath = (
                (*layer.path, *keys, i) if isinstance(value, list) else (*layer.path, *keys)
            )
            addr = item.get("addr") if isinstance(item, dict) else item
            if isinstance(addr, str):
                yield addr, (*sub, "addr") if isinstance(item, dict) else sub, names


def _layers(vpc: Vpc) -> Iterator[tuple[str, Layer]]:
    for vm in vpc.control_plane:
        for target, layers in vm.overrides.items():
            yield from ((target, layer) for layer in layers)
    for owner in vpc.peers():
        yield from (("peer", layer) for layer in owner.overrides.get("peer", ()))


def addresses(ctx: CheckContext) -> Iterator[tuple[Vpc, str, JsonPath, str]]:
    """(VPC, address, inventory path, "manager"/"scheduler") of every address an override sets.

    An override of a shared layer (deployment, VPC) applies to many hosts; each address
    is yielded once per VPC it applies to.
    """
    for vpc in ctx.model.vpcs:
        seen: set[JsonPath] = set()
        for target, layer in _layers(vpc):
            for addr, path, names in _addresses(layer, target):
                if path not in seen:
                    seen.add(path)
                    yield vpc, addr, path, names


def manager_addresses(ctx: CheckContext) -> Iterator[tuple[str, JsonPath]]:
    """(address, inventory path) of every manager address an override sets, once each."""
    seen: set[JsonPath] = set()
    for _, addr, path, names in addresses(ctx):
        if names == "manager" and path not in seen:
            seen.add(path)
            yield addr, path


def check(ctx: CheckContext) -> Iterator[Problem]:
    """Check every manager/scheduler address found in the overrides that apply to a VPC."""
    reported: set[JsonPath] = set()
    for vpc, addr, path, _ in addresses(ctx):
        host = addr.split("://", 1)[-1].rsplit(":", 1)[0]
        try:
            ip = ipaddress.IPv4Address(host)
        except ValueError:
            continue  # a DNS name: nothing to compare with the inventory
        if ip in vpc.cidr or path in reported:
            continue
        reported.add(path)
        other = next((v.name for v in ctx.model.vpcs if ip in v.cidr), None)
        where = f"VPC {other!r}" if other else "no VPC of the inventory"
        yield ctx.problem(
            "GC304",
            path,
            f"{addr} belongs to {where}, but this setting applies to VPC {vpc.name!r} "
            f"({vpc.cidr}); peers may only talk inside their VPC",
        )
