"""Whole parts of the deployment a change removes, said before anything else.

``gencfg diff`` prints these first (text: on stderr before the diff; Markdown: right
under the title) because a removed VPC, node group or control-plane VM is easy to
miss among dozens of removed files, and is the part of a change that loses the most.
They are read from the two trees' MANIFESTs (the paths of the files they list, with
their owners): ``<vpc>/``, ``<vpc>/kubernetes/<group>/``, ``<vpc>/control-plane/<vm>/``,
``<vpc>/peers/<vm>/``. A removed VM (or a removed VPC's hosts) is taken out of the
fleet by the next ``gencfg rollout``, which asks for a flag naming it
(gencfg/rollout/hostguard.py): the sentence says which.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, Literal

from gencfg.tree.manifest import MANIFEST, loads

Kind = Literal["VPC", "node group", "control-plane VM", "peer VM"]

_TOP_LEVEL = ("ansible",)
"""First path parts of the tree that are no VPC."""
_PARTS: dict[str, Kind] = {
    "kubernetes": "node group",
    "control-plane": "control-plane VM",
    "peers": "peer VM",
}
_FLEET_OUT = "takes {} out of the fleet (compose down, the files gencfg put there removed)"
"""What the decommission step does to a removed VM (playbooks/decommission.yml)."""


@dataclasses.dataclass(frozen=True, slots=True)
class Removal:
    """A VPC, node group, control-plane or peer VM the old tree has and the new one lacks."""

    kind: Kind
    name: str
    vpc: str
    files: int
    hosts: tuple[str, ...]
    """Hosts that received the removed files (none for a node group's manifests)."""


def _entries(files: Mapping[str, bytes]) -> dict[str, Any]:
    data = files.get(MANIFEST)
    if data is not None:
        entries: dict[str, Any] = loads(data).get("files", {})
        return entries
    return {path: {} for path in files}


def _units(path: str) -> list[tuple[Kind, str, str]]:
    """(kind, name, vpc) of each removable unit a file belongs to, VPC first."""
    parts = path.split("/")
    if len(parts) < 2 or parts[0] in _TOP_LEVEL:
        return []
    vpc = parts[0]
    units: list[tuple[Kind, str, str]] = [("VPC", vpc, vpc)]
    if len(parts) >= 4 and parts[1] in _PARTS:
        units.append((_PARTS[parts[1]], parts[2], vpc))
    return units


def detect(old: Mapping[str, bytes], new: Mapping[str, bytes]) -> list[Removal]:
    """What ``old`` has and ``new`` lacks: VPCs, then VMs, then node groups.

    A node group or VM of a removed VPC is not listed again: the VPC says it.
    """
    present = {unit for path in _entries(new) for unit in _units(path)}
    files: dict[tuple[Kind, str, str], int] = {}
    hosts: dict[tuple[Kind, str, str], set[str]] = {}
    for path, entry in _entries(old).items():
        for unit in _units(path):
            if unit in present:
                continue
            files[unit] = files.get(unit, 0) + 1
            hosts.setdefault(unit, set()).update(entry.get("owners") or [])
    gone_vpcs = {name for kind, name, _ in files if kind == "VPC"}
    order = {"VPC": 0, "control-plane VM": 1, "peer VM": 2, "node group": 3}
    return [
        Removal(kind, name, vpc, files[(kind, name, vpc)], tuple(sorted(hosts[(kind, name, vpc)])))
        for kind, name, vpc in sorted(files, key=lambda u: (order[u[0]], u[2], u[1]))
        if kind == "VPC" or vpc not in gone_vpcs
    ]


def _sentence(r: Removal, code: str = "") -> str:
    what = f"{r.kind} {code}{r.name}{code}" + ("" if r.kind == "VPC" else f" of VPC {r.vpc}")
    where = f" from {', '.join(r.hosts)}" if r.hosts else ""
    out = f"{what}: {r.files} file(s) removed{where}"
    if r.kind == "VPC":
        flag = f"--allow-vpc-removal {r.name}"
        out += (
            f"; its hosts leave the Ansible inventory, and gencfg rollout refuses this "
            f"without {code}{flag}{code}, with which it {_FLEET_OUT.format('them')}"
        )
    elif r.kind != "node group":
        flag = f"--allow-host-removal {r.name}"
        out += (
            f"; the next gencfg rollout {_FLEET_OUT.format('it')}, "
            f"and refuses to without {code}{flag}{code}"
        )
    return out


def lines(removals: list[Removal]) -> list[str]:
    """The removals as text, one line each (nothing when there are none)."""
    if not removals:
        return []
    return [
        f"REMOVED: {len(removals)} part(s) of the deployment:",
        *(f"- {_sentence(r)}" for r in removals),
    ]


def markdown(removals: list[Removal]) -> str:
    """The removals as a Markdown section (empty when there are none)."""
    if not removals:
        return ""
    items = "".join(f"- **removed** {_sentence(r, '`')}\n" for r in removals)
    return f"#### Removed\n\n{items}\n"
