"""VPC networks are written exactly and do not overlap.

ID: ``vpc-cidrs``. Code GC311 (error).

A CIDR with host bits set (10.10.1.0/16) is usually a typo for another network; two
overlapping VPCs make "which VPC is this peer in" ambiguous, and with it the rule that
peers only talk inside their VPC.

Pass::

    vpcs: [{name: a, cidr: 10.10.0.0/16}, {name: b, cidr: 10.20.0.0/16}]

Fail::

    vpcs: [{name: a, cidr: 10.10.0.0/16}, {name: b, cidr: 10.10.128.0/17}]
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from gencfg.checks.base import CheckContext
from gencfg.problem import Problem

ID = "vpc-cidrs"
CODES = {"GC311": "a VPC CIDR has host bits set or overlaps another VPC"}


def check(ctx: CheckContext) -> Iterator[Problem]:
    """Check each CIDR, then each pair of VPCs."""
    vpcs = ctx.model.vpcs
    for vpc in vpcs:
        written = ipaddress.IPv4Interface(vpc.cidr_text)
        if written.ip != vpc.cidr.network_address:
            yield ctx.problem(
                "GC311",
                (*vpc.path, "cidr"),
                f"CIDR {vpc.cidr_text} has host bits set; did you mean {vpc.cidr}?",
            )
    for i, a in enumerate(vpcs):
        for b in vpcs[i + 1 :]:
            if a.cidr.overlaps(b.cidr):
                yield ctx.problem(
                    "GC311",
                    (*b.path, "cidr"),
                    f"VPC {b.name!r} ({b.cidr}) overlaps VPC {a.name!r} ({a.cidr})",
                )
