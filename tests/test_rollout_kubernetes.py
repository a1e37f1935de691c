"""The Kubernetes layer against a kubectl stand-in that fails like a real cluster.

playbooks/kubernetes.yml runs with the real ansible-playbook on the controller;
tests/support/standin.py plays kubectl and refuses what an API server refuses: an object
whose namespace does not exist yet, an ImageListPullJob without Kruise's CRD; and it
records the images Kruise would start 5 minutes late (openkruise/kruise#1528). The
pre-pull jobs go in with the preheat layer (playbooks/preheat.yml), against the
manager stand-in.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from gencfg.cli import main
from tests.conftest import REPO
from tests.support import inventories
from tests.support.ansible import PlaybookResult, run_playbook_cli
from tests.support.manager import ManagerStandIn

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

    def render(
        self, groups: list[str], images: tuple[str, ...] = ("ghcr.io/example/app:1",)
    ) -> Path:
        data = inventories.inventory(
            vpc={
                "node_groups": [{"name": g, "prepull": {}} for g in groups],
                "preheat": {"images": [{"image": i} for i in images], "interval": "1s"},
                "registries": [{"host": "docker.io"}, {"host": "ghcr.io"}],
            }
        )
        inv = inventories.write(self.work / "inventory", json.loads(json.dumps(data)))
        tree = self.work / "rendered"
        assert main(["render", str(inv), "--output", str(tree)]) == 0
        return tree

    def run(self, tree: Path, playbook: str = "kubernetes.yml", **extra: Any) -> PlaybookResult:
        return run_playbook_cli(
            REPO / "playbooks" / playbook,
            tree / "ansible",
            {
                "gencfg_kubectl": f"{STANDIN} {self.log} kubectl",
                "gencfg_health_timeout": 5,
                "gencfg_health_interval": 1,
                **extra,
            },
        )

    def preheat(self, tree: Path, manager: ManagerStandIn, **extra: Any) -> PlaybookResult:
        return self.run(
            tree,
            "preheat.yml",
            gencfg_preheat_command=f"{sys.executable} -m gencfg",
            gencfg_preheat_args=["--manager", f"vpc-a={manager.url}"],
            **extra,
        )

    def jobs(self) -> list[str]:
        return sorted(k for k in self.state["objects"] if k.startswith("ImageListPullJob/"))


def test_a_fresh_cluster_gets_its_namespace_first(tmp_path: Path) -> None:
    cluster = Cluster(tmp_path)
    cluster.install_crd()
    result = cluster.run(cluster.render(["gpu"]))
    assert result.rc == 0, result.stdout
    assert set(cluster.state["objects"]) == {
        "Namespace//dragonfly-system",
        "ConfigMap/dragonfly-system/dfdaemon-gpu",
        "DaemonSet/dragonfly-system/dfdaemon-gpu",
    }


TWO_IMAGES = ("ghcr.io/example/app:1", "ghcr.io/example/tool:2")


def test_prepull_waits_for_a_successful_preheat(tmp_path: Path) -> None:
    """Item 5: no pre-pull job before preheat; none at all when preheat failed."""
    cluster = Cluster(tmp_path)
    cluster.install_crd()
    tree = cluster.render(["gpu"], TWO_IMAGES)
    assert cluster.run(tree).rc == 0
    assert cluster.jobs() == []  # the Kubernetes layer no longer pre-pulls
    with ManagerStandIn(states=["FAILURE"]) as manager:
        failed = cluster.preheat(tree, manager)
    assert failed.rc != 0
    assert "Pre-pull skipped: preheat did not succeed" in failed.stdout
    assert cluster.jobs() == []


def test_prepull_starts_each_image_at_once_after_preheat(tmp_path: Path) -> None:
    """Item 5: one job per image, applied in turn, none delayed by Kruise (#1528)."""
    cluster = Cluster(tmp_path)
    cluster.install_crd()
    tree = cluster.render(["gpu"], TWO_IMAGES)
    assert cluster.run(tree).rc == 0
    with ManagerStandIn(states=["SUCCESS"]) as manager:
        result = cluster.preheat(tree, manager)
    assert result.rc == 0, result.stdout
    assert len(manager.posts()) == 2
    assert len(cluster.jobs()) == 2
    assert cluster.state["delayed"] == []
    applies = [c for c in cluster.calls() if "apply" in c and "imagelistpulljob" in " ".join(c)]
    assert len(applies) == 2  # one call each, the second after the first started
    gets = [i for i, c in enumerate(cluster.calls()) if "jsonpath={.status.startTime}" in c]
    assert gets and cluster.calls().index(applies[1]) > gets[0]
    for path in sorted(tree.glob("vpc-a/kubernetes/gpu/imagelistpulljob-*.yaml")):
        assert path.read_text().count("    - ghcr.io/example/") == 1
        assert "ttlSecondsAfterFinished: 86400" in path.read_text()
    before = len([c for c in cluster.calls() if "apply" in c])
    with ManagerStandIn(states=["SUCCESS"]) as manager:
        assert cluster.preheat(tree, manager).rc == 0
    assert len([c for c in cluster.calls() if "apply" in c]) == before  # nothing differs


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
