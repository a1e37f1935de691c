"""Names that become paths, host names and Kubernetes names are safe for all three.

ID: ``safe-names``. Code GC305 (error).

The deployment, VPC, VM, node, node group and namespace names are lower-case letters,
digits and '-', start and end with a letter or digit, and have at most 63 characters
(a DNS label). Registry hosts are host names with an optional port (they name
``certs.d/<host>``), or ``_default``.

Pass::

    name: gpu-a100

Fail::

    name: GPU_A100/../x
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from gencfg.checks.base import CheckContext
from gencfg.inventory.source import JsonPath
from gencfg.problem import Problem

ID = "safe-names"
CODES = {"GC305": "a name is not safe as a path component, host name or Kubernetes name"}

LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
REGISTRY = re.compile(
    r"^([a-z0-9]([a-z0-9-]*[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$"
)


def _names(ctx: CheckContext) -> Iterator[tuple[str, str, JsonPath]]:
    model = ctx.model
    yield "deployment", model.name, ("deployment", "name")
    for vpc in model.vpcs:
        yield "VPC", vpc.name, (*vpc.path, "name")
        yield "namespace", vpc.kubernetes.namespace, (*vpc.path, "kubernetes", "namespace")
        for group in vpc.node_groups:
            yield "node group", group.name, (*group.path, "name")
            yield "namespace", group.namespace, (*group.path, "namespace")
    for host in ctx.hosts():
        yield host.role, host.name, (*host.path, "name")


def check(ctx: CheckContext) -> Iterator[Problem]:
    """Check every name, then every registry host."""
    seen: set[JsonPath] = set()
    for kind, name, path in _names(ctx):
        if LABEL.match(name) or path in seen:
            continue
        seen.add(path)
        yield ctx.problem(
            "GC305",
            path,
            f"{kind} name {name!r} must be lower-case letters, digits and '-', start and end "
            f"with a letter or digit, and have at most 63 characters",
        )
    for vpc in ctx.model.vpcs:
        for registry in vpc.registries:
            if registry.host != "_default" and not REGISTRY.match(registry.host):
                yield ctx.problem(
                    "GC305",
                    (*registry.path, "host"),
                    f"registry host {registry.host!r} must be a lower-case host name with an "
                    f"optional :port, as in image references (no scheme, no path)",
                )
