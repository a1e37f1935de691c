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
from gencfg.inventory.model import Vpc
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
    yield from _overlaps(ctx)


def _overlaps(ctx: CheckContext) -> Iterator[Problem]:
    """Each overlapping pair (a listed before b), found by a sweep over start addresses.

    Comparing every pair took a second at 500 VPCs; sorted by first address, a network
    can only overlap the ones before it whose last address it has not passed.
    """
    spans = sorted(
        (int(v.cidr.network_address), int(v.cidr.broadcast_address), i, v)
        for i, v in enumerate(ctx.model.vpcs)
    )
    open_spans: list[tuple[int, int, Vpc]] = []  # (last address, index, VPC)
    for first, last, i, vpc in spans:
        open_spans = [s for s in open_spans if s[0] >= first]
        for _, j, other in open_spans:
            a, b = (other, vpc) if j < i else (vpc, other)
            yield ctx.problem(
                "GC311",
                (*b.path, "cidr"),
                f"VPC {b.name!r} ({b.cidr}) overlaps VPC {a.name!r} ({a.cidr})",
            )
        open_spans.append((last, i, vpc))
