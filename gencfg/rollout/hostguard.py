"""Take hosts removed from the inventory out of the fleet, only when named.

A host removed from the inventory leaves the rendered tree's Ansible inventory, so no
layer reaches it again: its compose project keeps running and its runtimes keep
pointing at its peer. Nothing in the tree says it ever existed. So each successful
rollout records, beside the VPC record (gencfg/rollout/vpcguard.py), the hosts the
playbooks push to: each one's connection variables (``ansible_host``...), groups and
what the decommission step needs (compose directory and engine, runtime files). The
next rollout compares: a recorded host the tree no longer names is taken out of the
fleet (playbooks/decommission.yml) when ``--allow-host-removal HOST``, or
``--allow-vpc-removal`` of its VPC, confirms it; without either the rollout is refused
(exit 2). A host stays in the record until the decommission step reached it, so a
partial rollout (another layer, ``--limit``) or a failed one never forgets it.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from gencfg.errors import ExternalError, UserError
from gencfg.rollout import records, vpcguard

GROUP = "gencfg_decommission"  # declared empty in the rendered inventory (targets/ansible.py)
"""The playbooks' group of hosts to take out of the fleet."""
RUNNING_LAYERS = frozenset({"rollout", "decommission"})
"""Layers (``gencfg rollout --layer``) that run the decommission step."""
RUNTIME_GROUPS = {
    "gencfg_containerd": "containerd",
    "gencfg_docker": "docker",
    "gencfg_nydus": "nydus",
}
PUSH_GROUPS = ("gencfg_control_plane", "gencfg_peer_vms", *RUNTIME_GROUPS)
"""Groups of the hosts the playbooks put files on (a node without runtimes gets none)."""
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_KEPT = ("gencfg_vpc", "gencfg_compose_dir", "gencfg_engine")
"""Host variables the decommission step reads, besides the connection ones."""


@dataclasses.dataclass(frozen=True, slots=True)
class Host:
    """A host of a rollout: its groups and the variables the decommission step needs."""

    name: str
    groups: tuple[str, ...]
    variables: Mapping[str, Any]

    @property
    def vpc(self) -> str:
        """The VPC the host was in."""
        return str(self.variables.get("gencfg_vpc", ""))


@dataclasses.dataclass(frozen=True, slots=True)
class Plan:
    """The hosts of the tree now, those of the last rollout, and what this run removes."""

    now: Mapping[str, Host] | None
    """None when the tree has no Ansible inventory (the runner reports that)."""
    removed: Mapping[str, Host]
    """Recorded hosts the tree no longer names."""
    decommission: Mapping[str, Host]
    """The removed hosts this run takes out of the fleet (confirmed, step runs)."""


def record_file(tree: Path) -> Path:
    """The record of the hosts of ``tree``'s last successful rollout."""
    return vpcguard.state_file(tree).with_suffix(".hosts.json")


def _hosts(group: Any) -> Mapping[str, Any]:
    hosts = group.get("hosts") if isinstance(group, Mapping) else None
    return hosts if isinstance(hosts, Mapping) else {}


def hosts_of(inventory: Mapping[str, Any]) -> dict[str, Host]:
    """The hosts a rendered Ansible inventory (``ansible/hosts.yaml``) pushes files to."""
    root = inventory.get("all") if isinstance(inventory, Mapping) else None
    children: Mapping[str, Any] = (root or {}).get("children") or {}
    groups: dict[str, list[str]] = {}
    variables: dict[str, dict[str, Any]] = {}
    vpc_vars: dict[str, Mapping[str, Any]] = {}
    for group_name, group in children.items():
        for name, host_vars in _hosts(group).items():
            groups.setdefault(name, []).append(group_name)
            if isinstance(host_vars, Mapping):
                variables.setdefault(name, {}).update(host_vars)
            if str(group_name).startswith("vpc_"):
                vpc_vars[name] = (group or {}).get("vars") or {}
    out: dict[str, Host] = {}
    for name, member_of in groups.items():
        if not set(member_of) & set(PUSH_GROUPS):
            continue
        own = variables.get(name, {})
        vpc = vpc_vars.get(name, {})
        kept = {k: v for k, v in own.items() if k.startswith("ansible_") or k in _KEPT}
        kept.setdefault("gencfg_vpc", vpc.get("gencfg_vpc", ""))
        runtimes = {RUNTIME_GROUPS[g] for g in member_of if g in RUNTIME_GROUPS}
        # What the host's runtimes read: the decommission step removes these first
        runtime_files = [
            {"dest": f["dest"], "restart": f["restart"], "runtime": f["runtime"]}
            for f in vpc.get("gencfg_runtime_files") or []
            if f.get("runtime") in runtimes
        ]
        out[str(name)] = Host(
            str(name),
            tuple(sorted(g for g in member_of if g.startswith("gencfg_"))),
            {**kept, "gencfg_runtime_files": runtime_files},
        )
    return out


def current(tree: Path) -> dict[str, Host] | None:
    """The hosts of the tree's Ansible inventory, or None when it has none."""
    path = tree / "ansible" / "hosts.yaml"
    try:
        # libyaml's loader when built: a 10,000-node inventory, read on every rollout
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise UserError(f"{path}: cannot read the rendered Ansible inventory ({exc})") from exc
    return hosts_of(data if isinstance(data, Mapping) else {})


def last(tree: Path) -> dict[str, Host] | None:
    """The hosts of the last successful rollout of ``tree``, if it was recorded."""
    path = record_file(tree)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {
            str(name): Host(str(name), tuple(h["groups"]), dict(h["variables"]))
            for name, h in data["hosts"].items()
        }
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ExternalError(
            f"{path}: unreadable record of the hosts of the last rollout of {tree} ({exc}); "
            f"remove it to roll out without the host-removal check"
        ) from exc


def check(
    tree: Path, layer: str, allowed_hosts: Sequence[str], allowed_vpcs: Sequence[str]
) -> Plan:
    """Compare the tree's hosts with the last rollout's; refuse an unconfirmed removal.

    Only a run of the decommission step (the whole rollout, or ``--layer
    decommission``) is refused: another layer leaves removed hosts alone, and the
    record keeps them for the next full rollout.

    Raises:
        UserError: a host of the last rollout is missing and not confirmed.
    """
    now = current(tree)
    before = last(tree)
    if now is None or before is None:
        return Plan(now, {}, {})
    removed = {name: host for name, host in before.items() if name not in now}
    if layer not in RUNNING_LAYERS:
        return Plan(now, removed, {})
    unconfirmed = [
        h for h in removed.values() if h.name not in allowed_hosts and h.vpc not in allowed_vpcs
    ]
    if unconfirmed:
        names = ", ".join(f"{h.name} ({h.vpc})" if h.vpc else h.name for h in unconfirmed)
        flags = " ".join(f"--allow-host-removal {h.name}" for h in unconfirmed)
        raise UserError(
            f"{tree}: host(s) {names} were in the last rollout of this tree and are not in "
            f"it now: they would keep running their compose project and files untouched. "
            f"To take them out of the fleet (compose down, the files gencfg put there "
            f"removed), run again with {flags}"
        )
    return Plan(now, removed, removed)


def inventory(hosts: Mapping[str, Host]) -> dict[str, Any]:
    """An Ansible inventory naming ``hosts`` in the decommission group (and only there)."""
    members = {name: dict(host.variables) for name, host in sorted(hosts.items())}
    return {"all": {"children": {GROUP: {"hosts": members}}}}


def record(tree: Path, plan: Plan, reached: Iterable[str]) -> None:
    """Remember the tree's hosts, and the removed ones the decommission step missed.

    ``reached``: the hosts Ansible reported without failure in this run.
    """
    if plan.now is None:
        return
    done = set(reached) & set(plan.decommission)
    pending = {name: host for name, host in plan.removed.items() if name not in done}
    hosts = {**pending, **plan.now}
    data = {
        "tree": str(tree.resolve()),
        "hosts": {
            name: {"groups": list(h.groups), "variables": dict(h.variables)}
            for name, h in sorted(hosts.items())
        },
    }
    path = record_file(tree)
    records.write(path, data, "record of hosts")
