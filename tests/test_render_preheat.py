"""Rendered preheat jobs, Kruise ImageListPullJobs and the gencfg_preheat variable."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from gencfg.render.build import validate_and_render
from gencfg.render.targets.preheat import PROXY_DEFAULT_FILTER, slug
from tests.conftest import REPO
from tests.support import inventories

DIGEST = "sha256:" + "a" * 64


def render(tmp_path: Path, **changes: Any) -> dict[str, bytes]:
    root = inventories.write(tmp_path / "inv", inventories.inventory(**changes))
    _, result, problems = validate_and_render(root)
    assert result is not None, problems
    return result.files


def jobs(files: dict[str, bytes]) -> dict[str, Any]:
    return {p: json.loads(b) for p, b in files.items() if "/preheat/" in p}


def test_one_job_per_image_with_the_registry_upstream(tmp_path: Path) -> None:
    files = render(
        tmp_path,
        vpc={
            "scheduler_cluster_id": 7,
            "registries": [
                {"host": "docker.io"},
                {"host": "harbor.example.com:8443", "upstream": "https://10.0.0.5:8443"},
                {"host": "quay.io", "preheat": False},
            ],
            "preheat": {
                "images": [
                    {"image": "nginx:1.25"},
                    {"image": "harbor.example.com:8443/ai/llm:2", "platform": "linux/arm64"},
                    {"image": f"ghcr.io/org/app@{DIGEST}"},
                    {"image": "quay.io/org/skipped:1"},
                ]
            },
        },
    )
    found = jobs(files)
    assert sorted(found) == [
        "vpc-a/preheat/01-nginx-1-25.json",
        "vpc-a/preheat/02-harbor-example-com-8443-ai-llm-2.json",
        f"vpc-a/preheat/03-ghcr-io-org-app-sha256-{'a' * 40}.json",  # slugs stop at 63
    ]
    urls = [found[p]["args"]["url"] for p in sorted(found)]
    assert urls == [
        "https://index.docker.io/v2/library/nginx/manifests/1.25",
        "https://10.0.0.5:8443/v2/ai/llm/manifests/2",
        f"https://ghcr.io/v2/org/app/manifests/{DIGEST}",
    ]
    first = found["vpc-a/preheat/01-nginx-1-25.json"]
    assert first["scheduler_cluster_ids"] == [7]
    assert first["type"] == "preheat" and first["args"]["type"] == "image"
    assert "platform" not in first["args"]
    assert found["vpc-a/preheat/02-harbor-example-com-8443-ai-llm-2.json"]["args"]["platform"] == (
        "linux/arm64"
    )
    manifest = json.loads(files["MANIFEST.json"])["files"]
    entry = manifest["vpc-a/preheat/01-nginx-1-25.json"]
    assert (entry["kind"], entry["restart"], entry["dest"], entry["owners"]) == (
        "preheat-job",
        "preheat",
        None,
        [],
    )


def test_gencfg_preheat_tells_the_preheat_step_where_to_go(tmp_path: Path) -> None:
    files = render(
        tmp_path,
        secrets={"pat": {}},
        vpc={
            "preheat": {
                "token": {"secret": "pat"},
                "timeout": "30m",
                "interval": "15s",
                "images": [{"image": "docker.io/library/alpine:3.19"}],
            }
        },
    )
    variables = yaml.safe_load(files["ansible/group_vars/all.yaml"])
    assert variables["gencfg_preheat"] == {
        "vpc-a": {
            "manager": "http://127.0.0.10:8080",
            "token_secret": "pat",
            "timeout": 1800,
            "interval": 15,
            "jobs": ["vpc-a/preheat/01-docker-io-library-alpine-3-19.json"],
            "secrets": [],
        }
    }


def test_no_images_no_jobs_and_no_preheat_entry(tmp_path: Path) -> None:
    files = render(tmp_path, vpc={"node_groups": [{"name": "gpu", "prepull": {}}]})
    assert jobs(files) == {}
    assert not any("imagelistpulljob" in p for p in files)
    assert yaml.safe_load(files["ansible/group_vars/all.yaml"])["gencfg_preheat"] == {}


def test_filter_is_the_dfdaemons_default_filter() -> None:
    """The filter is part of the task id: a preheat is only reused under the same one."""
    golden = REPO / "rendered" / "example"
    filters = {
        yaml.safe_load(p.read_text())["proxy"]["defaultFilter"] for p in golden.rglob("dfget.yaml")
    }
    assert filters == {PROXY_DEFAULT_FILTER}
    for path in golden.glob("*/preheat/*.json"):
        assert json.loads(path.read_text())["args"]["filter"] == PROXY_DEFAULT_FILTER


def test_slug() -> None:
    assert slug("ghcr.io/Org/App:1.0") == "ghcr-io-org-app-1-0"
    assert len(slug(f"registry.example.com/a/very/long/path/name@{DIGEST}")) <= 63
    assert not slug(f"r.io/{'x' * 70}").endswith("-")


def _imagelistpulljobs(files: dict[str, bytes], group: str = "gpu") -> list[Any]:
    prefix = f"vpc-a/kubernetes/{group}/imagelistpulljob-"
    return [yaml.safe_load(files[p]) for p in sorted(files) if p.startswith(prefix)]


def _imagelistpulljob(files: dict[str, bytes], group: str = "gpu") -> Any:
    (doc,) = _imagelistpulljobs(files, group)
    return doc


def test_imagelistpulljob_of_a_node_group(tmp_path: Path) -> None:
    vpc = {
        "node_groups": [
            {
                "name": "gpu",
                "node_selector": {"pool": "gpu"},
                "prepull": {
                    "parallelism": 4,
                    "timeout_seconds": 900,
                    "backoff_limit": 1,
                    "active_deadline_seconds": 3600,
                    "ttl_seconds_after_finished": 86400,
                },
            },
            {"name": "cpu"},
        ],
        "preheat": {"images": [{"image": "nginx:1.25"}, {"image": "nginx:1.25"}]},
    }
    files = render(tmp_path, vpc=vpc)
    assert _imagelistpulljobs(files, "cpu") == []
    doc = _imagelistpulljob(files)
    assert doc["apiVersion"] == "apps.kruise.io/v1alpha1"
    assert doc["metadata"]["namespace"] == "dragonfly-system"
    assert doc["metadata"]["name"].startswith("prepull-gpu-")
    spec = doc["spec"]
    assert spec["images"] == ["nginx:1.25"]
    assert spec["selector"]["matchLabels"] == {"pool": "gpu"}
    assert spec["parallelism"] == 4
    assert spec["pullPolicy"] == {"timeoutSeconds": 900, "backoffLimit": 1}
    assert spec["completionPolicy"] == {
        "type": "Always",
        "activeDeadlineSeconds": 3600,
        "ttlSecondsAfterFinished": 86400,
    }
    assert "imagePullPolicy" not in spec
    (path,) = [p for p in files if "/imagelistpulljob-" in p]
    manifest = json.loads(files["MANIFEST.json"])["files"]
    assert manifest[path]["kind"] == "k8s-imagelistpulljob"
    kube = yaml.safe_load(files["ansible/group_vars/all.yaml"])["gencfg_kubernetes"]["vpc-a"]
    # Not applied by the Kubernetes layer: by the preheat layer, after preheat succeeded.
    assert path not in kube["manifests"]
    assert kube["prepull"] == [
        {"file": path, "name": doc["metadata"]["name"], "namespace": "dragonfly-system"}
    ]


def test_one_prepull_job_per_image_with_a_ttl_by_default(tmp_path: Path) -> None:
    """Item 5: a list of images in one job starts the second 5 minutes late (kruise#1528)."""
    vpc = {
        "node_groups": [{"name": "gpu", "prepull": {}}],
        "preheat": {"images": [{"image": "nginx:1.25"}, {"image": "redis:7.2"}]},
    }
    files = render(tmp_path, vpc=vpc)
    docs = _imagelistpulljobs(files)
    assert sorted(d["spec"]["images"][0] for d in docs) == ["nginx:1.25", "redis:7.2"]
    assert all(len(d["spec"]["images"]) == 1 for d in docs)
    assert all(d["spec"]["completionPolicy"]["ttlSecondsAfterFinished"] == 86400 for d in docs)
    kube = yaml.safe_load(files["ansible/group_vars/all.yaml"])["gencfg_kubernetes"]["vpc-a"]
    order = {d["metadata"]["name"]: d["spec"]["images"][0] for d in docs}
    assert [order[j["name"]] for j in kube["prepull"]] == ["nginx:1.25", "redis:7.2"]


def test_a_new_image_is_a_new_job_and_no_selector_means_no_match_labels(
    tmp_path: Path,
) -> None:
    def names_and_spec(images: list[str], where: str) -> tuple[list[str], Any]:
        vpc = {
            "node_groups": [{"name": "gpu", "prepull": {}}],
            "preheat": {"images": [{"image": i} for i in images]},
        }
        docs = _imagelistpulljobs(render(tmp_path / where, vpc=vpc))
        return sorted(d["metadata"]["name"] for d in docs), docs[0]["spec"]

    first, spec = names_and_spec(["nginx:1.25"], "a")
    again, _ = names_and_spec(["nginx:1.25"], "b")
    second, _ = names_and_spec(["nginx:1.25", "redis:7.2"], "c")
    assert first == again
    assert set(first) < set(second)  # the existing image keeps its (finished) job
    assert "matchLabels" not in spec["selector"]
    assert [e["key"] for e in spec["selector"]["matchExpressions"]] == [
        "node-role.kubernetes.io/control-plane",
        "node-role.kubernetes.io/master",
    ]
    assert spec["completionPolicy"] == {"type": "Always", "ttlSecondsAfterFinished": 86400}
    assert spec["pullPolicy"] == {"timeoutSeconds": 600, "backoffLimit": 3}
