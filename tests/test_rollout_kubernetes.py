"""The Kubernetes layer against a kubectl stand-in that fails like a real cluster.

playbooks/kubernetes.yml runs with the real ansible-playbook on the controller;
tests/support/standin.py plays kubectl and refuses what an API server refuses: an object
whose namespace does not exist yet, an ImageListPullJob without Kruise's CRD; and it
records the images Kruise would start 5 minutes late (openkruise/kruise#1528) and the
login Kruise would pull each image with (from the pull Secrets the job names, as they
are when the job is applied); it refuses a dockerconfigjson Secret the API server
refuses. The pre-pull jobs and their pull Secrets go in with the preheat layer
(playbooks/preheat.yml), against the manager stand-in.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gencfg.cli import main
from tests.conftest import REPO
from tests.support import inventories
from tests.support.ansible import STANDIN, PlaybookResult, run_playbook_cli
from tests.support.manager import ManagerStandIn

pytestmark = pytest.mark.slow

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


# --- private registries: pre-pull with a pull Secret (issue 14, item 7) -----------------

HARBOR_IMAGE = "harbor.example:8443/team/model:2"
# JSON- and YAML-awkward, so that escaping twice (or not at all) shows.
HARBOR_PASSWORD = 'p@ss"w\\ord-ü-planted-by-tests'


def _render_private(cluster: Cluster, **harbor: Any) -> Path:
    data = inventories.inventory(
        secrets={"harbor_password": {}},
        vpc={
            "node_groups": [{"name": "gpu", "prepull": {}}],
            "preheat": {
                "images": [{"image": "ghcr.io/example/app:1"}, {"image": HARBOR_IMAGE}],
                "interval": "1s",
            },
            "registries": [
                {"host": "docker.io"},
                {"host": "ghcr.io"},
                {"host": "harbor.example:8443", **harbor},
            ],
        },
    )
    inv = inventories.write(cluster.work / "inventory", json.loads(json.dumps(data)))
    tree = cluster.work / "rendered"
    assert main(["render", str(inv), "--output", str(tree)]) == 0
    return tree


LOGIN = {"credentials": {"username": "robot$ci", "password": {"secret": "harbor_password"}}}
SECRET = "Secret/dragonfly-system/prepull-gpu-registries"


def test_private_images_are_pulled_with_the_secret_applied_first(tmp_path: Path) -> None:
    """The Secret is filled in memory and piped to kubectl before the job that names it
    (the stand-in resolves a job's login when it is applied, as Kruise starts it then)."""
    cluster = Cluster(tmp_path)
    cluster.install_crd()
    tree = _render_private(cluster, **LOGIN)
    assert cluster.run(tree).rc == 0
    assert SECRET not in cluster.state["objects"]  # the Kubernetes layer never applies it
    vault = {"gencfg_secrets": {"harbor_password": HARBOR_PASSWORD}}
    with ManagerStandIn(states=["SUCCESS"]) as manager:
        result = cluster.preheat(tree, manager, **vault)
    assert result.rc == 0, result.stdout
    assert cluster.state["pulled_with"] == {
        "ghcr.io/example/app:1": None,
        HARBOR_IMAGE: ["robot$ci", HARBOR_PASSWORD],
    }
    assert not [c for c in cluster.calls() if any("pullsecret" in a for a in c)]
    for text in (result.stdout, json.dumps(result.stdout)):
        assert HARBOR_PASSWORD not in text and json.dumps(HARBOR_PASSWORD)[1:-1] not in text
    leaked = [
        p
        for p in tmp_path.rglob("*")
        if p.is_file()
        and p.name != "kubectl.cluster.json"  # the cluster itself
        and HARBOR_PASSWORD.encode() in p.read_bytes()
    ]
    assert leaked == []
    applies = len([c for c in cluster.calls() if "apply" in c])
    with ManagerStandIn(states=["SUCCESS"]) as manager:
        assert cluster.preheat(tree, manager, **vault).rc == 0
    assert len([c for c in cluster.calls() if "apply" in c]) == applies  # nothing differs

    # Without the login the tree names no Secret: the Kubernetes layer deletes it.
    assert cluster.run(_render_private(cluster)).rc == 0
    assert SECRET not in cluster.state["objects"]


def test_a_pull_secret_refused_by_the_cluster_stops_before_any_job(tmp_path: Path) -> None:
    """Its namespace does not exist (the Kubernetes layer has not run): kubectl's reason."""
    cluster = Cluster(tmp_path)
    cluster.install_crd()
    tree = _render_private(cluster, **LOGIN)
    with ManagerStandIn(states=["SUCCESS"]) as manager:
        result = cluster.preheat(tree, manager, gencfg_secrets={"harbor_password": HARBOR_PASSWORD})
    assert result.rc != 0
    flat = " ".join(result.stdout.split())
    assert (
        "vpc-a: pull Secret dragonfly-system/prepull-gpu-registries: Error from server "
        '(NotFound): namespaces "dragonfly-system" not found'
    ) in flat
    assert cluster.jobs() == []
    assert HARBOR_PASSWORD not in result.stdout


def test_a_pull_secret_without_a_value_names_the_secret(tmp_path: Path) -> None:
    """The registry takes no preheat (so preheat needs no password), pre-pull does."""
    cluster = Cluster(tmp_path)
    cluster.install_crd()
    tree = _render_private(cluster, preheat=False, **LOGIN)
    assert cluster.run(tree).rc == 0
    with ManagerStandIn(states=["SUCCESS"]) as manager:
        result = cluster.preheat(tree, manager)
    assert result.rc != 0
    flat = " ".join(result.stdout.split())
    assert "vpc-a: pull Secret dragonfly-system/prepull-gpu-registries:" in flat
    assert "secret 'harbor_password' has no value" in flat
    assert cluster.jobs() == []


@pytest.mark.parametrize(
    ("config", "reason"),
    [
        ("not json", 'data[.dockerconfigjson]: Invalid value: "<secret contents redacted>"'),
        ('["auths"]', "cannot unmarshal"),
        (None, "data[.dockerconfigjson]: Required value"),
    ],
)
def test_the_stand_in_refuses_a_dockerconfigjson_the_api_server_refuses(
    tmp_path: Path, config: str | None, reason: str
) -> None:
    cluster = Cluster(tmp_path)
    namespace = tmp_path / "ns.yaml"
    namespace.write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n")
    run = [sys.executable, str(STANDIN), str(cluster.log), "kubectl"]
    assert subprocess.run([*run, "apply", f"--filename={namespace}"], check=False).returncode == 0
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s", "namespace": "ns"},
        "type": "kubernetes.io/dockerconfigjson",
        "data": {} if config is None else {".dockerconfigjson": _b64(config)},
    }
    for verb, rc in (("diff", 2), ("apply", 1)):
        done = subprocess.run(
            [*run, verb, "--server-side", "--filename=-"],
            input=json.dumps(secret),
            capture_output=True,
            text=True,
            check=False,
        )
        assert (done.returncode, reason in done.stderr) == (rc, True), done.stderr
    assert "Secret/ns/s" not in cluster.state["objects"]


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()
