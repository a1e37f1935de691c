"""Each VPC has cluster IDs of its own.

ID: ``cluster-ids``. Code GC312 (error).

One VPC is one scheduler cluster (and one seed peer cluster) in the manager. Two VPCs
sharing an ID would share schedulers and seed peers, which is exactly the cross-VPC
traffic the layout forbids (dragonfly#2993, #4499).

Pass::

    vpcs: [{name: a, scheduler_cluster_id: 1}, {name: b, scheduler_cluster_id: 2}]

Fail::

    vpcs: [{name: a, scheduler_cluster_id: 1}, {name: b, scheduler_cluster_id: 1}]
"""

from __future__ import annotations

from collections.abc import Iterator

from gencfg.checks.base import CheckContext
from gencfg.problem import Problem

ID = "cluster-ids"
CODES = {"GC312": "two VPCs share a scheduler or seed peer cluster ID"}


def check(ctx: CheckContext) -> Iterator[Problem]:
    """Report the second VPC using an ID."""
    for key in ("scheduler_cluster_id", "seed_peer_cluster_id"):
        seen: dict[int, tuple[str, bool]] = {}
        for vpc in ctx.model.vpcs:
            value = getattr(vpc, key)
            explicit = (*vpc.path, key) in ctx.smap.values
            if value not in seen:
                seen[value] = (vpc.name, explicit)
                continue
            first, first_explicit = seen[value]
            if key == "seed_peer_cluster_id" and not (explicit or first_explicit):
                continue  # both default to their scheduler cluster id: reported above
            yield ctx.problem(
                "GC312",
                (*vpc.path, key if explicit else "scheduler_cluster_id"),
                f"{key} {value} of VPC {vpc.name!r} is already used by VPC {first!r}; "
                f"one VPC is one cluster",
            )
