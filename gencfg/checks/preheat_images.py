"""Preheat images are exact references to registries the VPC's peers pull through.

ID: ``preheat-images``. Codes GC507 (error), GC508 (warning), GC509 (warning).

A preheat job names a manifest URL the manager fetches (GC507: not an image
reference). A ``latest`` or untagged image is whatever the registry holds when the
job runs, which is rarely what the nodes will pull (GC508). Preheating an image of a
registry the VPC does not list warms the seed peers with blobs no runtime of the VPC
will ask for through Dragonfly (GC509).

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
}


def check(ctx: CheckContext) -> Iterator[Problem]:
    """Check each preheat image of each VPC."""
    for vpc in ctx.model.vpcs:
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
