"""Preheat jobs of the manager's job API: ``<vpc>/preheat/<NN>-<slug>.json``.

One file per preheat image of a VPC, the exact body ``gencfg preheat`` POSTs to the
VPC's manager (``/oapi/v1/jobs`` with a token, else ``/api/v1/jobs``, which only v2.1
leaves unauthenticated; the current line requires the token). ``NN`` is the
image's position in the inventory, so files sort in the order they are submitted and a
removed image does not rename the others' files. Images of a listed registry with
``preheat: false`` get no job: the inventory says the manager must not fetch from it.
"""

from __future__ import annotations

import re

from gencfg.dragonfly import images, ports
from gencfg.inventory.defaults import upstream_of
from gencfg.inventory.model import Deployment, PreheatImage, RegistryCredentials, Vpc
from gencfg.render.output import OutputFile
from gencfg.render.targets.base import PlanContext
from gencfg.units import parse_duration

KIND = "preheat-job"
MANAGER_REST_PORT = ports.default(ports.MANAGER, "rest")

# The dfdaemons' proxy.defaultFilter (templates/v2.1/_dfget.yaml.j2). The filter is part
# of the task id: a preheated blob is only served to pulls that compute the same id.
PROXY_DEFAULT_FILTER = "Expires&Signature&ns"

_SLUG_MAX = 63


def manager_url(vpc: Vpc) -> str:
    """The manager's REST API behind the VPC's LB (where jobs are submitted)."""
    return f"http://{vpc.lb.internal_ip}:{MANAGER_REST_PORT}"


def slug(image: str) -> str:
    """The file-name form of an image: ``ghcr.io/org/app:1.0`` -> ``ghcr-io-org-app-1-0``."""
    return re.sub(r"[^a-z0-9]+", "-", image.lower()).strip("-")[:_SLUG_MAX].rstrip("-")


def _upstream(vpc: Vpc, registry: str) -> str | None:
    """Where the manager fetches the manifest; None if the registry refuses preheats."""
    for listed in vpc.registries:
        if listed.host == registry:
            return listed.upstream if listed.preheat else None
    return upstream_of(registry)


def credentials(vpc: Vpc, registry: str) -> RegistryCredentials | None:
    """The login the manager uses for the registry's manifests (args.username/password)."""
    for listed in vpc.registries:
        if listed.host == registry:
            return listed.credentials
    return None


def _job(ctx: PlanContext, vpc: Vpc, index: int, img: PreheatImage) -> OutputFile | None:
    ref = images.parse(img.image)
    if ref is None:  # GC507 rejects the inventory first
        return None
    upstream = _upstream(vpc, ref.registry)
    if upstream is None:
        return None
    width = max(2, len(str(len(vpc.preheat.images))))
    return OutputFile(
        path=f"{vpc.name}/preheat/{index:0{width}d}-{slug(img.image)}.json",
        kind=KIND,
        template=ctx.template("preheat/job.json.j2"),
        context={
            "bio": _bio(ctx.model, vpc, img),
            "cluster_id": vpc.scheduler_cluster_id,
            "url": ref.manifest_url(upstream),
            "platform": img.platform,
            "filter": PROXY_DEFAULT_FILTER,
            "timeout_ns": int(parse_duration(vpc.preheat.timeout) * 1e9),
            # The password stays a placeholder; gencfg preheat fills it at submission.
            "credentials": credentials(vpc, ref.registry),
        },
        fmt="json",
        source=img.path,
        restart="preheat",
        schema=ctx.schema("preheat-job"),
    )


def _bio(model: Deployment, vpc: Vpc, img: PreheatImage) -> str:
    return f"gencfg: preheat {img.image} into {vpc.name} (deployment {model.name})"


def plan(ctx: PlanContext) -> list[OutputFile]:
    """The preheat jobs of every VPC."""
    return [
        job
        for vpc in ctx.model.vpcs
        for index, img in enumerate(vpc.preheat.images, 1)
        if (job := _job(ctx, vpc, index, img)) is not None
    ]
