"""Each VPC has a complete control plane, and VMs reach a manager that exists.

ID: ``control-plane-roles``. Code GC313 (error).

Peers need a manager (to find schedulers), a scheduler and a seed peer in their own
VPC. A VM with ``manager_address: self`` must run a manager itself.

Pass::

    control_plane: [{name: cp-a-1, ip: 10.10.1.11}]          # runs all three

Fail::

    control_plane: [{name: cp-a-1, ip: 10.10.1.11, components: [scheduler], manager_address: self}]
"""

from __future__ import annotations

from collections.abc import Iterator

from gencfg.checks.base import CheckContext
from gencfg.problem import Problem

ID = "control-plane-roles"
CODES = {
    "GC313": "a VPC lacks a manager, scheduler or seed peer, or a VM points at a missing manager"
}

_LABELS = {"manager": "manager", "scheduler": "scheduler", "seed_peer": "seed peer"}


def check(ctx: CheckContext) -> Iterator[Problem]:
    """Check the roles of each VPC's control plane."""
    for vpc in ctx.model.vpcs:
        for component, label in _LABELS.items():
            if not vpc.with_component(component):  # type: ignore[arg-type]
                yield ctx.problem(
                    "GC313",
                    (*vpc.path, "control_plane"),
                    f"VPC {vpc.name!r} has no control-plane VM running a {label}",
                )
        for vm in vpc.control_plane:
            if vm.manager_address == "self" and not vm.runs("manager"):
                yield ctx.problem(
                    "GC313",
                    (*vm.path, "manager_address"),
                    f"{vm.name} does not run a manager; use manager_address: lb",
                )
