"""Pre-pull jobs can finish, have something to pull, and give large images time.

ID: ``prepull``. Codes GC510 (error), GC511 (warning), GC512 (warning).

Kruise's webhook refuses an ImagePullJob whose ``activeDeadlineSeconds`` is below its
``pullPolicy.timeoutSeconds`` (GC510): the job would be killed before one pull may
end. ``prepull`` pulls the VPC's preheat images; without any, no job is rendered and
the setting does nothing (GC511).

``timeout_seconds`` bounds one pull of one image on one node: the download through
the node's dfdaemon (the first nodes share the seed peers with ``parallelism`` others)
plus containerd's unpacking, which for gzip layers is single-threaded and takes about
as long again. gencfg budgets 90 s per GiB, about 11 MiB/s end to end, for the
largest image of VPCs with the large-image profile (20 GiB and more): at least 1800 s
at 20 GiB, 3600 s at 40 GiB (GC512). Kruise's default of 600 s stops a 20 GiB pull a
third of the way, and each of the ``backoff_limit`` retries spends the same time again.

Pass::

    preheat: {images: [{image: ghcr.io/org/llm:1, size: 24Gi}]}
    node_groups: [{name: gpu, prepull: {timeout_seconds: 3600, active_deadline_seconds: 14400}}]

Fail::

    preheat: {images: [{image: ghcr.io/org/llm:1, size: 24Gi}]}
    node_groups: [{name: gpu, prepull: {timeout_seconds: 3600, active_deadline_seconds: 1800}}]
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from gencfg.checks.base import CheckContext
from gencfg.inventory.model import NodeGroup, Prepull, Vpc
from gencfg.problem import Level, Problem
from gencfg.units import GiB, format_size

ID = "prepull"
CODES = {
    "GC510": "a pre-pull job's active deadline is shorter than the timeout of one pull",
    "GC511": "a node group pre-pulls but its VPC has no preheat images",
    "GC512": "a pre-pull timeout is too short for the VPC's largest image",
}

SECONDS_PER_GIB = 90
"""Budget of one pull on one node (download and unpack), see the module docstring."""
LARGE_MINIMUM = 1800
"""The budget at the 20 GiB where the large-image profile starts."""


def minimum_timeout(size: int) -> int:
    """Seconds one pull of an image of ``size`` bytes may need on one node."""
    return max(LARGE_MINIMUM, math.ceil(size / GiB * SECONDS_PER_GIB))


def _check_group(ctx: CheckContext, vpc: Vpc, group: NodeGroup, p: Prepull) -> Iterator[Problem]:
    deadline = p.active_deadline_seconds
    if deadline is not None and deadline < p.timeout_seconds:
        yield ctx.problem(
            "GC510",
            (*p.path, "active_deadline_seconds"),
            f"active_deadline_seconds {deadline} of node group {group.name!r} is below "
            f"timeout_seconds {p.timeout_seconds}: Kruise refuses the job (a pull must be "
            f"able to finish before the deadline)",
        )
    if not vpc.preheat.images:
        yield ctx.problem(
            "GC511",
            p.path,
            f"node group {group.name!r} has prepull but VPC {vpc.name!r} has no preheat "
            f"images: nothing is pre-pulled (list them under preheat.images)",
            level=Level.WARNING,
            key=True,
        )
    elif vpc.large_images and vpc.largest_image is not None:
        need = minimum_timeout(vpc.largest_image)
        if p.timeout_seconds < need:
            yield ctx.problem(
                "GC512",
                (*p.path, "timeout_seconds"),
                f"timeout_seconds {p.timeout_seconds} of node group {group.name!r} is short "
                f"for images of {format_size(vpc.largest_image)} in VPC {vpc.name!r}; use at "
                f"least {need} ({SECONDS_PER_GIB}s per GiB)",
                level=Level.WARNING,
            )


def check(ctx: CheckContext) -> Iterator[Problem]:
    """Check the ``prepull`` of every node group."""
    for vpc in ctx.model.vpcs:
        for group in vpc.node_groups:
            if group.prepull is not None:
                yield from _check_group(ctx, vpc, group, group.prepull)
