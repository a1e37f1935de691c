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

_ADDRESS_KEYS: dict[str, tuple[tuple[str, ...], ...]] = {
    "peer": (("scheduler", "manager", "netAddrs"), ("scheduler", "netAddrs")),
    "seed_peer": (("scheduler", "manager", "netAddrs"), ("scheduler", "netAddrs")),
    "scheduler": (("manager", "addr"),),
}


def _get(data: Any, keys: tuple[str, ...]) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _addresses(layer: Layer, target: str) -> Iterator[tuple[str, JsonPath]]:
    for keys in _ADDRESS_KEYS.get(target, ()):
        value = _get(layer.data, keys)
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            sub: JsonPath = (
                (*layer.path, *keys, i) if isinstance(value, list) else (*layer.path, *keys)
            )
            addr = item.get("addr") if isinstance(item, dict) else item
            if isinstance(addr, str):
                yield addr, (*sub, "addr") if isinstance(item, dict) else sub


def _layers(vpc: Vpc) -> Iterator[tuple[str, Layer]]:
    for vm in vpc.control_plane:
        for target, layers in vm.overrides.items():
            yield from ((target, layer) for layer in layers)
    for owner in vpc.peers():
        yield from (("peer", layer) for layer in owner.overrides.get("peer", ()))


def check(ctx: CheckContext) -> Iterator[Problem]:
    """Check every manager/scheduler address found in the overrides that apply to a VPC."""
    reported: set[JsonPath] = set()
    for vpc in ctx.model.vpcs:
        for target, layer in _layers(vpc):
            for addr, path in _addresses(layer, target):
                host = addr.rsplit(":", 1)[0]
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
