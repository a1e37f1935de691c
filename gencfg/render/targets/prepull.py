"""Pre-pull of preheat images: ``<vpc>/kubernetes/<group>/imagelistpulljob-<hex>.yaml``.

OpenKruise ImageListPullJobs per node group with ``prepull``, when its VPC has preheat
images: **one job per image**, applied by the preheat layer after preheat succeeded,
one at a time, each once Kruise has started the one before (tasks/prepull.yml). Kruise's
ImagePullJob controller waits out a 5-minute expectation timeout when a second job
writes a node's NodeImage before the first job's write was observed
(openkruise/kruise#1528): one list of several images, or several jobs applied at once,
start the second image 5 minutes late. One image per job, applied in turn, starts each
image at once; a new image is a new job while the others keep their finished jobs.

Kruise runs a job once: a finished job with a new spec does not pull again. So the name
carries a digest of the image, and a new image is a new job (a finished one goes after
``ttl_seconds_after_finished``, default a day, or when the tree no longer names it).
The nodes are those of the group's DaemonSet (its node selector, control-plane nodes
excluded), so the pulls go through the group's dfdaemons.
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


def image_digest(ref: str) -> str:
    """8 hex of the image reference's sha256: names its job and its file."""
    return hashlib.sha256(ref.encode()).hexdigest()[:_DIGEST_CHARS]


def job_name(group: NodeGroup, ref: str) -> str:
    """``prepull-<group>-<8 hex of sha256 of the image>``, within 63 characters."""
    room = _NAME_MAX - len("prepull--") - _DIGEST_CHARS
    return f"prepull-{group.name[:room].rstrip('-')}-{image_digest(ref)}"


def _job(ctx: PlanContext, vpc: Vpc, group: NodeGroup, ref: str) -> OutputFile:
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
        path=f"{vpc.name}/kubernetes/{group.name}/imagelistpulljob-{image_digest(ref)}.yaml",
        kind=KIND,
        template=ctx.template("kubernetes/imagelistpulljob.yaml.j2"),
        context={
            "name": job_name(group, ref),
            "group": group,
            "labels": labels,
            "images": [ref],
            "p": group.prepull,
        },
        fmt="yaml",
        source=group.prepull.path,
        restart="kubectl-apply",
        schema="kruise/imagelistpulljob",
    )


def plan(ctx: PlanContext) -> list[OutputFile]:
    """An ImageListPullJob per image and node group with ``prepull``, in inventory order."""
    return [
        _job(ctx, vpc, group, ref)
        for vpc in ctx.model.vpcs
        for group in vpc.node_groups
        if group.prepull is not None
        for ref in images(vpc)
    ]
