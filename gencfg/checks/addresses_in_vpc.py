"""Every address of a VPC is inside the VPC's CIDR.

ID: ``addresses-in-vpc``. Code GC303 (error).

Peers may only form a P2P network inside their VPC; an address outside the CIDR is
either a typo or a machine of another network that would get cross-VPC traffic.

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
        if ipaddress.IPv4Address(vpc.lb.internal_ip) not in vpc.cidr:
            yield ctx.problem(
                "GC303",
                (*vpc.lb.path, "internal_ip"),
                f"LB address {vpc.lb.internal_ip} is outside VPC {vpc.name!r} ({vpc.cidr})",
            )
    for host in ctx.hosts():
        if ipaddress.IPv4Address(host.ip) not in host.vpc.cidr:
            yield ctx.problem(
                "GC303",
                (*host.path, "ip"),
                f"address {host.ip} of {host.role} {host.name!r} is outside VPC "
                f"{host.vpc.name!r} ({host.vpc.cidr})",
            )
