"""``gencfg diff`` says first that a VPC, node group, control-plane or peer VM goes away."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gencfg.review import removals
from gencfg.tree.manifest import MANIFEST
from tests.conftest import Result
from tests.support import inventories


def _tree(paths: dict[str, list[str]]) -> dict[str, bytes]:
    manifest = {"files": {path: {"owners": owners} for path, owners in paths.items()}}
    files = {path: b"x" for path in paths}
    files[MANIFEST] = json.dumps(manifest).encode()
    return files


def test_detect_names_each_removed_part_once() -> None:
    old = _tree(
        {
            "ansible/hosts.yaml": [],
            "vpc-a/control-plane/cp-1/manager.yaml": ["cp-1"],
            "vpc-a/control-plane/cp-2/manager.yaml": ["cp-2"],
            "vpc-a/control-plane/cp-2/scheduler.yaml": ["cp-2"],
            "vpc-a/kubernetes/gpu/daemonset.yaml": [],
            "vpc-a/peers/vm-1/dfget.yaml": ["vm-1"],
            "vpc-a/peers/vm-2/dfget.yaml": ["vm-2"],
            "vpc-a/peers/vm-2/docker-compose.yaml": ["vm-2"],
            "vpc-b/control-plane/cp-b/manager.yaml": ["cp-b"],
            "vpc-b/kubernetes/infer/daemonset.yaml": [],
            "vpc-b/runtime/containerd/certs.d/docker.io/hosts.toml": ["node-b"],
        }
    )
    new = _tree(
        {
            "ansible/hosts.yaml": [],
            "vpc-a/control-plane/cp-1/manager.yaml": ["cp-1"],
            "vpc-a/peers/vm-1/dfget.yaml": ["vm-1"],
        }
    )
    found = removals.detect(old, new)
    assert found == [
        removals.Removal("VPC", "vpc-b", "vpc-b", 3, ("cp-b", "node-b")),
        removals.Removal("control-plane VM", "cp-2", "vpc-a", 2, ("cp-2",)),
        removals.Removal("peer VM", "vm-2", "vpc-a", 2, ("vm-2",)),
        removals.Removal("node group", "gpu", "vpc-a", 1, ()),
    ]
    assert removals.detect(new, old) == []
    assert removals.lines([]) == [] and removals.markdown([]) == ""
    text = removals.lines(found)
    assert text[0] == "REMOVED: 4 part(s) of the deployment:"
    assert text[1] == (
        "- VPC vpc-b: 3 file(s) removed from cp-b, node-b; its hosts leave the Ansible "
        "inventory, and gencfg rollout refuses this without --allow-vpc-removal vpc-b, with "
        "which it takes them out of the fleet (compose down, the files gencfg put there removed)"
    )
    assert text[2] == (
        "- control-plane VM cp-2 of VPC vpc-a: 2 file(s) removed from cp-2; the next gencfg "
        "rollout takes it out of the fleet (compose down, the files gencfg put there removed), "
        "and refuses to without --allow-host-removal cp-2"
    )
    assert text[3].startswith("- peer VM vm-2 of VPC vpc-a: 2 file(s) removed from vm-2; ")
    assert text[3].endswith("and refuses to without --allow-host-removal vm-2")
    assert text[4] == "- node group gpu of VPC vpc-a: 1 file(s) removed"


def _two_vpcs() -> dict[str, Any]:
    data = inventories.inventory(
        vpc={
            "control_plane": [
                {"name": "cp-1", "ip": "127.0.0.2"},
                {"name": "cp-2", "ip": "127.0.0.3"},
            ],
            "node_groups": [{"name": "gpu"}],
            "peer_vms": [{"name": "vm-1", "ip": "127.0.0.4"}, {"name": "vm-2", "ip": "127.0.0.5"}],
        }
    )
    vpc_b = copy.deepcopy(data["vpcs"][0])
    vpc_b.update(
        name="vpc-b",
        cidr="10.9.0.0/16",
        lb={"internal_ip": "10.9.0.10"},
        control_plane=[{"name": "cp-b", "ip": "10.9.1.1"}],
        node_groups=[],
        peer_vms=[],
    )
    vpc_b["database"] = {
        "mysql": {
            "host": "10.9.0.21",
            "user": "dragonfly",
            "password": {"secret": "mysql_password"},
        },
        "redis": {"addrs": ["10.9.0.22:6379"]},
    }
    data["vpcs"].append(vpc_b)
    return data


def test_diff_puts_removed_parts_first(tmp_path: Path, cli: Callable[..., Result]) -> None:
    data = _two_vpcs()
    inv = inventories.write(tmp_path / "inv", data)
    out = tmp_path / "out"
    assert cli("render", str(inv), "--output", str(out)).rc == 0
    data["vpcs"].pop()
    data["vpcs"][0]["control_plane"].pop()
    data["vpcs"][0]["peer_vms"].pop()
    data["vpcs"][0]["node_groups"] = []
    inventories.write(tmp_path / "inv", data)

    text = cli("diff", str(inv), "--rendered", str(out))
    assert text.rc == 1, text.err
    err = text.err.splitlines()
    assert err[0] == "REMOVED: 4 part(s) of the deployment:"
    assert err[1].startswith("- VPC vpc-b: ")
    assert "--allow-vpc-removal vpc-b, with which it takes them out of the fleet" in err[1]
    assert err[2].startswith("- control-plane VM cp-2 of VPC vpc-a: ")
    assert err[2].endswith("and refuses to without --allow-host-removal cp-2")
    assert err[3].startswith("- peer VM vm-2 of VPC vpc-a: 2 file(s) removed from vm-2; ")
    assert "the next gencfg rollout takes it out of the fleet (compose down, " in err[3]
    assert err[3].endswith("and refuses to without --allow-host-removal vm-2")
    assert err[4].startswith("- node group gpu of VPC vpc-a: ")

    md = cli("diff", str(inv), "--rendered", str(out), "--format", "markdown")
    assert md.rc == 1, md.err
    title, section = md.out.split("\n\n")[:2]
    assert title.startswith("### gencfg diff: ")
    assert section == "#### Removed"
    assert md.out.index("- **removed** VPC `vpc-b`: ") < md.out.index("| VPC |")
    assert "- **removed** control-plane VM `cp-2` of VPC vpc-a: " in md.out
    assert "- **removed** peer VM `vm-2` of VPC vpc-a: " in md.out
    assert "without `--allow-host-removal vm-2`" in md.out
    assert "- **removed** node group `gpu` of VPC vpc-a: " in md.out
    assert "`--allow-vpc-removal vpc-b`" in md.out


def test_diff_without_removals_says_nothing_more(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    data = _two_vpcs()
    inv = inventories.write(tmp_path / "inv", data)
    out = tmp_path / "out"
    assert cli("render", str(inv), "--output", str(out)).rc == 0
    data["vpcs"][0]["location"] = "moved"
    inventories.write(tmp_path / "inv", data)
    text = cli("diff", str(inv), "--rendered", str(out))
    assert text.rc == 1
    assert "REMOVED" not in text.err
    md = cli("diff", str(inv), "--rendered", str(out), "--format", "markdown")
    assert "#### Removed" not in md.out
