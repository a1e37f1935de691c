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
carries a digest of the image (and of its pull Secret's name, so a job that failed for
want of a login runs again once it has one), and a new image is a new job (a finished
one goes after ``ttl_seconds_after_finished``, default a day, or when the tree no longer
names it).

Images of a registry with ``credentials`` are pulled with the group's pull Secret
(``<vpc>/kubernetes/<group>/pullsecret.yaml``, ``kubernetes.io/dockerconfigjson``, named
in the job's ``pullSecrets``; Kruise reads it through Kubernetes' credential provider,
which takes ``username``/``password`` as they are, so no ``auth`` field is needed). The
passwords stay placeholders: the preheat layer fills them in memory and pipes the
Secret to ``kubectl apply -f -`` before the jobs (tasks/prepull.yml).
The nodes are those of the group's DaemonSet (its node selector, control-plane nodes
excluded), so the pulls go through the group's dfdaemons.
"""

from __future__ import annotations

import hashlib
import json

from gencfg.dragonfly import images as refs
from gencfg.inventory.model import NodeGroup, RegistryCredentials, Vpc
from gencfg.render.output import OutputFile
from gencfg.render.targets.base import PlanContext

KIND = "k8s-imagelistpulljob"
SECRET_KIND = "k8s-pullsecret"

# Object names are often copied into label values (at most 63 characters).
_NAME_MAX = 63
_DIGEST_CHARS = 8


def images(vpc: Vpc) -> list[str]:
    """The VPC's preheat images, in inventory order, each once (Kruise refuses duplicates)."""
    return list(dict.fromkeys(img.image for img in vpc.preheat.images))


def image_digest(ref: str, pull_secret: str | None = None) -> str:
    """8 hex of the sha256 of the image reference and its pull Secret's name, if any.

    Names the image's job and its file.
    """
    key = ref if pull_secret is None else f"{ref} {pull_secret}"
    return hashlib.sha256(key.encode()).hexdigest()[:_DIGEST_CHARS]


def job_name(group: NodeGroup, ref: str, pull_secret: str | None = None) -> str:
    """``prepull-<group>-<8 hex>`` (see ``image_digest``), within 63 characters."""
    room = _NAME_MAX - len("prepull--") - _DIGEST_CHARS
    return f"prepull-{group.name[:room].rstrip('-')}-{image_digest(ref, pull_secret)}"


def pull_secret_name(group: NodeGroup) -> str:
    """The group's registry pull Secret (a Secret name is a DNS subdomain: 253 characters)."""
    return f"prepull-{group.name}-registries"


# Kubernetes' credential provider looks Docker Hub images up under this key, other
# registries under their host (with the port), as images name them.
DOCKER_HUB_KEY = "https://index.docker.io/v1/"


def logins(vpc: Vpc) -> dict[str, RegistryCredentials]:
    """Registry (as images name it) -> login, for the pre-pulled images that need one."""
    listed = {r.host: r.credentials for r in vpc.registries if r.credentials is not None}
    out: dict[str, RegistryCredentials] = {}
    for ref in images(vpc):
        parsed = refs.parse(ref)
        if parsed is not None and parsed.registry in listed:
            out[parsed.registry] = listed[parsed.registry]
    return dict(sorted(out.items()))


def dockerconfigjson(found: dict[str, RegistryCredentials]) -> str:
    """The ``.dockerconfigjson`` of ``found``, passwords as placeholders inside JSON strings.

    Multi-line, so the rendered Secret shows it as a literal block; the placeholders are
    filled with JSON escaping, exactly once, when the Secret is applied.
    """
    auths = {
        (DOCKER_HUB_KEY if host == refs.DOCKER_HUB else host): {
            "username": login.username,
            "password": login.password.placeholder,
        }
        for host, login in found.items()
    }
    return json.dumps({"auths": auths}, indent=2, ensure_ascii=False) + "\n"


def _labels(ctx: PlanContext, group: NodeGroup) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": "prepull",
        "app.kubernetes.io/instance": group.name,
        "app.kubernetes.io/component": "prepull",
        "app.kubernetes.io/part-of": "dragonfly",
        "app.kubernetes.io/managed-by": "gencfg",
        "gencfg.io/deployment": ctx.model.name,
    }


def _secret(ctx: PlanContext, vpc: Vpc, group: NodeGroup) -> OutputFile:
    assert group.prepull is not None
    return OutputFile(
        path=f"{vpc.name}/kubernetes/{group.name}/pullsecret.yaml",
        kind=SECRET_KIND,
        template=ctx.template("kubernetes/pullsecret.yaml.j2"),
        context={
            "name": pull_secret_name(group),
            "group": group,
            "labels": _labels(ctx, group),
            "dockerconfigjson": dockerconfigjson(logins(vpc)),
        },
        fmt="yaml",
        source=group.prepull.path,
        restart="kubectl-apply",
    )


def _job(ctx: PlanContext, vpc: Vpc, group: NodeGroup, ref: str) -> OutputFile:
    assert group.prepull is not None
    parsed = refs.parse(ref)
    secret = (
        pull_secret_name(group) if parsed is not None and parsed.registry in logins(vpc) else None
    )
    digest = image_digest(ref, secret)
    return OutputFile(
        path=f"{vpc.name}/kubernetes/{group.name}/imagelistpulljob-{digest}.yaml",
        kind=KIND,
        template=ctx.template("kubernetes/imagelistpulljob.yaml.j2"),
        context={
            "name": job_name(group, ref, secret),
            "group": group,
            "labels": _labels(ctx, group),
            "images": [ref],
            "pull_secrets": [secret] if secret else [],
            "p": group.prepull,
        },
        fmt="yaml",
        source=group.prepull.path,
        restart="kubectl-apply",
        schema="kruise/imagelistpulljob",
    )


def plan(ctx: PlanContext) -> list[OutputFile]:
    """Per node group with ``prepull``: its pull Secret, then a job per image.

    The Secret only if an image needs a login; the jobs in inventory order.
    """
    files = []
    for vpc in ctx.model.vpcs:
        for group in vpc.node_groups:
            if group.prepull is None or not images(vpc):
                continue
            if logins(vpc):
                files.append(_secret(ctx, vpc, group))
            files.extend(_job(ctx, vpc, group, ref) for ref in images(vpc))
    return files
