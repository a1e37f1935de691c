"""Runtimes that hosts ask for are configured in their VPC.

ID: ``runtime-settings``. Codes GC318 (error), GC320 (warning).

A group or VM with ``runtimes: [nydus]`` needs ``runtimes.nydus.version`` in its VPC,
because the nydusd config format depends on it (v2.3.5+ ignores ``mirrors``) (GC318).
A VPC whose hosts integrate containerd, docker or nydus but that lists no registries
renders no mirror configuration at all (GC320, a warning).

Pass::

    runtimes: {nydus: {version: v2.2.5}}
    node_groups: [{name: gpu-a, runtimes: [containerd, nydus]}]

Fail::

    node_groups: [{name: gpu-a, runtimes: [containerd, nydus]}]   # no runtimes.nydus
"""

from __future__ import annotations

from collections.abc import Iterator

from gencfg.checks.base import CheckContext
from gencfg.problem import Level, Problem

ID = "runtime-settings"
CODES = {
    "GC318": "a runtime is used but not configured in the VPC",
    "GC320": "runtimes are integrated but the VPC lists no registries",
}


def check(ctx: CheckContext) -> Iterator[Problem]:
    """Check each VPC's runtime users against its runtime settings."""
    for vpc in ctx.model.vpcs:
        users = [o for o in vpc.peers() if o.runtimes]
        for owner in users:
            if "nydus" in owner.runtimes and vpc.runtimes.nydus_version is None:
                yield ctx.problem(
                    "GC318",
                    (*owner.path, "runtimes"),
                    f"{owner.name} uses nydus, but VPC {vpc.name!r} has no runtimes.nydus.version "
                    f"(the nydusd config format depends on it)",
                )
        if users and not vpc.registries:
            yield ctx.problem(
                "GC320",
                (*vpc.path, "name"),
                f"VPC {vpc.name!r} has peers but no registries: no runtime will pull "
                f"through Dragonfly",
                level=Level.WARNING,
            )
