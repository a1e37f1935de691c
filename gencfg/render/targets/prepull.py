"""Pre-pull of preheat images on node groups: ``<vpc>/kubernetes/<group>/imagelistpulljob.yaml``.

An OpenKruise ImageListPullJob per node group with ``prepull``, when its VPC has
preheat images. Kruise runs a job once: a finished job with a new spec does not pull
again. So the name carries a digest of the image list, and a new list is a new job
(the old one is left to ``ttl_seconds_after_finished``). The nodes are those of the
group's DaemonSet (its node selector, control-plane nodes excluded), so the pulls go
through the group's dfdaemons.
"""

from __future__ import annotations

import hashlib

from gencfg.inventory.model import NodeGroup, Vpc
from gencfg.render.output import OutputFile
from gencfg.render.targets.base import PlanContext

KIND = "k8s-imagelistpulljob"

# Object names are often copied into label values (at most 63 characters).
_NAME_MAX = 63
_DIGEST_CHARS = 8


def images(vpc: Vpc) -> list[str]:
    """The VPC's preheat images, in inventory order, each once (Kruise refuses duplicates)."""
    return list(dict.fromkeys(img.image for img in vpc.preheat.images))


def job_name(group: NodeGroup, refs: list[str]) -> str:
    """``prepull-<group>-<8 hex of sha256 of the image list>``, within 63 characters."""
    digest = hashlib.sha256("\n".join(refs).encode()).hexdigest()[:_DIGEST_CHARS]
    room = _NAME_MAX - len("prepull--") - _DIGEST_CHARS
    return f"prepull-{group.name[:room].rstrip('-')}-{digest}"


def _job(ctx: PlanContext, vpc: Vpc, group: NodeGroup, refs: list[str]) -> OutputFile:
    assert group.prepull is not None
    labels = {
        "app.kubernetes.io/name": "prepull",
        "app.kubernetes.io/instance": group.name,
        "app.kubernetes.io/component": "prepull",
        "app.kubernetes.io/part-of": "dragonfly",
        "app.kubernetes.io/managed-by": "gencfg",
        "gencfg.io/deployment": ctx.model.name,
    }
    return OutputFile(
        path=f"{vpc.name}/kubernetes/{group.name}/imagelistpulljob.yaml",
        kind=KIND,
        template=ctx.template("kubernetes/imagelistpulljob.yaml.j2"),
        context={
            "name": job_name(group, refs),
            "group": group,
            "labels": labels,
            "images": refs,
            "p": group.prepull,
        },
        fmt="yaml",
        source=group.prepull.path,
        restart="kubectl-apply",
        schema="kruise/imagelistpulljob",
    )


def plan(ctx: PlanContext) -> list[OutputFile]:
    """An ImageListPullJob per node group with ``prepull`` in a VPC with preheat images."""
    return [
        _job(ctx, vpc, group, refs)
        for vpc in ctx.model.vpcs
        if (refs := images(vpc))
        for group in vpc.node_groups
        if group.prepull is not None
    ]
