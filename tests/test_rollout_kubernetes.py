"""The Kubernetes layer against a kubectl stand-in that fails like a real cluster.

playbooks/kubernetes.yml runs with the real ansible-playbook on the controller;
tests/support/standin.py plays kubectl and refuses what an API server refuses: an object
whose namespace does not exist yet, an ImageListPullJob without Kruise's CRD.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gencfg.cli import main
from tests.conftest import REPO
from tests.support import inventories
from tests.support.ansible import PlaybookResult, run_playbook_cli

pytestmark = pytest.mark.slow

STANDIN = REPO / "tests" / "support" / "standin.py"
CRD = "imagelistpulljobs.apps.kruise.io"


class Cluster:
    def __init__(self, work: Path) -> None:
        self.work = work
        self.log = work / "kubectl.log"

    @property
    def state(self) -> dict[str, Any]:
        path = self.log.with_suffix(".cluster.json")
        return json.loads(path.read_text()) if path.exists() else {"objects": {}, "crds": []}

    def install_crd(self) -> None:
        self.log.with_suffix(".cluster.json").write_text(json.dumps({**self.state, "crds": [CRD]}))

    def calls(self) -> list[list[str]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def render(self, groups: list[str]) -> Path:
        data = inventories.inventory(
            vpc={
                "node_groups": [{"name": g, "prepull": {}} for g in groups],
                "preheat": {"images": [{"image": "ghcr.io/example/app:1"}]},
            }
        )
        inv = inventories.write(self.work / "inventory", json.loads(json.dumps(data)))
        tree = self.work / "rendered"
        assert main(["render", str(inv), "--output", str(tree)]) == 0
        return tree

    def run(self, tree: Path) -> PlaybookResult:
        return run_playbook_cli(
            REPO / "playbooks" / "kubernetes.yml",
            tree / "ansible",
            {"gencfg_kubectl": f"{STANDIN} {self.log} kubectl", "gencfg_health_timeout": 5},
        )


def test_a_fresh_cluster_gets_its_namespace_first(tmp_path: Path) -> None:
    cluster = Cluster(tmp_path)
    cluster.install_crd()
    result = cluster.run(cluster.render(["gpu"]))
    assert result.rc == 0, result.stdout
    assert set(cluster.state["objects"]) == {
        "Namespace//dragonfly-system",
        "ConfigMap/dragonfly-system/dfdaemon-gpu",
        "DaemonSet/dragonfly-system/dfdaemon-gpu",
        *(k for k in cluster.state["objects"] if k.startswith("ImageListPullJob/")),
    }
    assert any(k.startswith("ImageListPullJob/") for k in cluster.state["objects"])


def test_a_missing_kruise_crd_stops_before_anything_is_applied(tmp_path: Path) -> None:
    cluster = Cluster(tmp_path)
    result = cluster.run(cluster.render(["gpu"]))
    assert result.rc != 0
    assert f"the cluster has no CRD {CRD}" in result.stdout
    assert not [c for c in cluster.calls() if "apply" in c]
    assert cluster.state["objects"] == {}


def test_objects_the_tree_no_longer_names_are_deleted(tmp_path: Path) -> None:
    cluster = Cluster(tmp_path)
    cluster.install_crd()
    assert cluster.run(cluster.render(["gpu", "cpu"])).rc == 0
    assert "DaemonSet/dragonfly-system/dfdaemon-cpu" in cluster.state["objects"]
    result = cluster.run(cluster.render(["gpu"]))
    assert result.rc == 0, result.stdout
    left = set(cluster.state["objects"])
    assert "DaemonSet/dragonfly-system/dfdaemon-cpu" not in left
    assert "ConfigMap/dragonfly-system/dfdaemon-cpu" not in left
    assert "DaemonSet/dragonfly-system/dfdaemon-gpu" in left
    assert "Namespace//dragonfly-system" in left
    assert not [k for k in left if "prepull-cpu" in k]
