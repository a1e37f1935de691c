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
    for host in ctx.hosts():
        wrong = _wrong(host.ip, host.vpc.cidr)
        if wrong:
            yield ctx.problem(
                "GC303",
                (*host.path, "ip"),
                f"address {host.ip} of {host.role} {host.name!r} is {wrong} VPC "
                f"{host.vpc.name!r} ({host.vpc.cidr})",
            )


def _wrong(ip: str, cidr: ipaddress.IPv4Network) -> str:
    """Why ``ip`` is not a machine's address in ``cidr`` (``""`` when it is one)."""
    address = ipaddress.IPv4Address(ip)
    if address not in cidr:
        return "outside"
    if cidr.prefixlen < 31 and address == cidr.network_address:
        return "the network address of"
    if cidr.prefixlen < 31 and address == cidr.broadcast_address:
        return "the broadcast address of"
    return ""
