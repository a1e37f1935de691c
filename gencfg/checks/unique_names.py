"""Names are unique where they become one file, one host or one object.

ID: ``unique-names``. Code GC301 (error).

VPC names and host names (control-plane VMs, peer VMs, listed nodes) are unique in the
deployment: they are directories of the rendered tree and Ansible host names. Node
group and registry names are unique in their VPC.

Pass::

    control_plane: [{name: cp-a-1, ip: 10.10.1.11}, {name: cp-a-2, ip: 10.10.1.12}]

Fail::

    control_plane: [{name: cp-a-1, ip: 10.10.1.11}, {name: cp-a-1, ip: 10.10.1.12}]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from gencfg.checks.base import CheckContext
from gencfg.inventory.source import JsonPath
from gencfg.problem import Problem

ID = "unique-names"
CODES = {"GC301": "a name is used twice where it must be unique"}


def _duplicates(items: Iterable[tuple[str, JsonPath]]) -> Iterator[tuple[str, JsonPath, JsonPath]]:
    seen: dict[str, JsonPath] = {}
    for name, path in items:
        if name in seen:
            yield name, path, seen[name]
        else:
            seen[name] = path


def check(ctx: CheckContext) -> Iterator[Problem]:
    """Report each repeated name at its second occurrence."""
    scopes: list[tuple[str, list[tuple[str, JsonPath]]]] = [
        ("VPC", [(v.name, (*v.path, "name")) for v in ctx.model.vpcs]),
        ("host", [(h.name, (*h.path, "name")) for h in ctx.hosts()]),
    ]
    for vpc in ctx.model.vpcs:
        scopes.append(("node group", [(g.name, (*g.path, "name")) for g in vpc.node_groups]))
        scopes.append(("registry", [(r.host, (*r.path, "host")) for r in vpc.registries]))
    for kind, items in scopes:
        for name, path, first in _duplicates(items):
            mark = ctx.smap.locate(first)
            yield ctx.problem(
                "GC301",
                path,
                f"{kind} name {name!r} is already used at line {mark.line} of {mark.file}",
            )
