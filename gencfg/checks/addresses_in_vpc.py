"""Every address of a VPC is inside the VPC's CIDR.

ID: ``addresses-in-vpc``. Code GC303 (error).

Peers may only form a P2P network inside their VPC; an address outside the CIDR is
either a typo or a machine of another network that would get cross-VPC traffic. The
CIDR's network and broadcast addresses (10.10.0.0 and 10.10.255.255 of 10.10.0.0/16)
are no machine's address either.

Pass::

    cidr: 10.10.0.0/16
    control_plane: [{name: cp-a-1, ip: 10.10.1.11}]

Fail::

    cidr: 10.10.0.0/16
    control_plane: [{name: cp-a-1, ip: 10.20.1.11}]
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator

from gencfg.checks.base import CheckContext
from gencfg.problem import Problem

ID = "addresses-in-vpc"
CODES = {"GC303": "an address lies outside its VPC's CIDR"}


def check(ctx: CheckContext) -> Iterator[Problem]:
    """Check the LB's internal address and every host address."""
    for vpc in ctx.model.vpcs:
        wrong = _wrong(vpc.lb.internal_ip, vpc.cidr)
        if wrong:
            yield ctx.problem(
                "GC303",
                (*vpc.lb.path, "internal_ip"),
                f"LB address {vpc.lb.internal_ip} is {wrong} VPC {vpc.name!r} ({vpc.cidr})",
            )
    bounds = {id(vpc): _bounds(vpc.cidr) for vpc in ctx.model.vpcs}
    for host in ctx.hosts():
        wrong = _wrong_in(host.ip, *bounds[id(host.vpc)])
        if wrong:
            yield ctx.problem(
                "GC303",
                (*host.path, "ip"),
                f"address {host.ip} of {host.role} {host.name!r} is {wrong} VPC "
                f"{host.vpc.name!r} ({host.vpc.cidr})",
            )


def _bounds(cidr: ipaddress.IPv4Network) -> tuple[int, int, int, bool]:
    """Network, netmask and broadcast as integers; whether those two are reserved."""
    network, mask = int(cidr.network_address), int(cidr.netmask)
    return network, mask, int(cidr.broadcast_address), cidr.prefixlen < 31


def _wrong(ip: str, cidr: ipaddress.IPv4Network) -> str:
    """Why ``ip`` is not a machine's address in ``cidr`` (``""`` when it is one)."""
    return _wrong_in(ip, *_bounds(cidr))


def _wrong_in(ip: str, network: int, mask: int, broadcast: int, reserved: bool) -> str:
    # The schema let only dotted quads through (format ipv4): inet_aton reads them as
    # ipaddress does, at a fraction of its cost (an inventory has 100,000s of hosts).
    address = int.from_bytes(socket.inet_aton(ip), "big")
    if address & mask != network:
        return "outside"
    if reserved and address == network:
        return "the network address of"
    if reserved and address == broadcast:
        return "the broadcast address of"
    return ""
