"""Every address belongs to one machine.

ID: ``unique-addresses``. Code GC302 (error).

The VPCs are routed to each other, so an address used twice, even in two VPCs, means
two machines answer for one peer or one LB.

Pass::

    lb: {internal_ip: 10.10.0.10}
    control_plane: [{name: cp-a-1, ip: 10.10.1.11}]

Fail::

    lb: {internal_ip: 10.10.1.11}
    control_plane: [{name: cp-a-1, ip: 10.10.1.11}]
"""

from __future__ import annotations

from collections.abc import Iterator

from gencfg.checks.base import CheckContext
from gencfg.inventory.source import JsonPath
from gencfg.problem import Problem

ID = "unique-addresses"
CODES = {"GC302": "an IP address is assigned twice"}


def check(ctx: CheckContext) -> Iterator[Problem]:
    """Report each address at its second use."""
    seen: dict[str, tuple[str, JsonPath]] = {}
    items = [
        (f"the LB of VPC {v.name!r}", v.lb.internal_ip, (*v.lb.path, "internal_ip"))
        for v in ctx.model.vpcs
    ]
    items += [(f"{h.role} {h.name!r}", h.ip, (*h.path, "ip")) for h in ctx.hosts()]
    for owner, ip, path in items:
        if ip in seen:
            first_owner, first_path = seen[ip]
            mark = ctx.smap.locate(first_path)
            yield ctx.problem(
                "GC302",
                path,
                f"address {ip} of {owner} is already used by {first_owner} "
                f"({mark.file}:{mark.line})",
            )
        else:
            seen[ip] = (owner, path)
