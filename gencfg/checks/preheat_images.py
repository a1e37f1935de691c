"""Preheat images are exact references to registries the VPC's peers pull through.

ID: ``preheat-images``. Codes GC507 (error), GC508 (warning), GC509 (warning), GC513
(error).

A preheat job names a manifest URL the manager fetches (GC507: not an image
reference). A ``latest`` or untagged image is whatever the registry holds when the
job runs, which is rarely what the nodes will pull (GC508). Preheating an image of a
registry the VPC does not list warms the seed peers with blobs no runtime of the VPC
will ask for through Dragonfly (GC509). The current line's manager takes jobs only
with a personal access token (``POST /oapi/v1/jobs``; v2.1's unauthenticated job API is
gone), so preheat images there need ``preheat.token`` (GC513).

Pass::

    preheat: {images: [{image: ghcr.io/org/trainer:2024.06}]}
    registries: [{host: ghcr.io}]

Fail::

    preheat: {images: [{image: quay.io/org/trainer}]}
"""

from __future__ import annotations

from collections.abc import Iterator

from gencfg.checks.base import CheckContext
from gencfg.dragonfly.images import parse
from gencfg.problem import Level, Problem

ID = "preheat-images"
CODES = {
    "GC507": "a preheat image is not a valid image reference",
    "GC508": "a preheat image is not pinned (latest or no tag)",
    "GC509": "a preheat image comes from a registry the VPC does not pull through Dragonfly",
    "GC513": "preheat images on the current line without the manager's access token",
}


def check(ctx: CheckContext) -> Iterator[Problem]:
    """Check each preheat image of each VPC."""
    for vpc in ctx.model.vpcs:
        if vpc.preheat.images and vpc.preheat.token is None and ctx.model.line.rust_client:
            yield ctx.problem(
                "GC513",
                (*vpc.preheat.path, "images"),
                f"VPC {vpc.name!r} preheats images, but the {ctx.model.line.name} manager "
                f"accepts jobs only with a personal access token of scope job: set "
                f"preheat.token: {{secret: NAME}} (create the token in the console or with "
                f"POST /api/v1/personal-access-tokens)",
                key=True,
            )
        hosts = {r.host for r in vpc.registries}
        for img in vpc.preheat.images:
            path = (*img.path, "image")
            ref = parse(img.image)
            if ref is None:
                yield ctx.problem(
                    "GC507",
                    path,
                    f"{img.image!r} is not an image reference (registry/repository:tag)",
                )
                continue
            if ref.digest is None and ref.tag in (None, "latest"):
                yield ctx.problem(
                    "GC508",
                    path,
                    f"{img.image} is not pinned: preheat a tag or digest the nodes will pull",
                    level=Level.WARNING,
                )
            if ref.registry not in hosts:
                yield ctx.problem(
                    "GC509",
                    path,
                    f"{ref.registry} is not among the registries of VPC {vpc.name!r}, so its "
                    f"runtimes do not pull it through Dragonfly and the preheat is wasted",
                    level=Level.WARNING,
                )
