"""Images of 20 GB and more get the large-image profile in every rendered config."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.support import inventories


def _render(tmp_path: Path, cli, size: str, **peer: object) -> Path:  # type: ignore[no-untyped-def]
    data = inventories.inventory(
        deployment={"peer": peer} if peer else {},
        vpc={
            "node_groups": [{"name": "gpu"}],
            "peer_vms": [{"name": "vm-1", "ip": "127.0.0.4"}],
            "preheat": {"images": [{"image": "docker.io/org/llm:1.0", "size": size}]},
        },
    )
    inv = inventories.write(tmp_path / "inv", data)
    out = tmp_path / "out"
    assert cli("render", str(inv), "--output", str(out)).rc == 0
    return out / "vpc-a"


def _load(path: Path) -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(path.read_text())


@pytest.mark.parametrize(("size", "timeout"), [("20Gi", "600s"), ("24Gi", "600s"), ("19Gi", "30s")])
def test_piece_timeout_follows_the_largest_image(
    tmp_path: Path, cli, size: str, timeout: str
) -> None:
    vpc = _render(tmp_path, cli, size)
    seed = _load(vpc / "control-plane/cp-1/seed-peer/dfget.yaml")
    peer = _load(vpc / "peers/vm-1/dfget.yaml")
    group = yaml.safe_load(_load(vpc / "kubernetes/gpu/configmap.yaml")["data"]["dfget.yaml"])
    assert {d["download"]["pieceDownloadTimeout"] for d in (seed, peer, group)} == {timeout}


def test_resources_are_raised_for_large_images(tmp_path: Path, cli) -> None:
    vpc = _render(tmp_path, cli, "40Gi")
    compose = _load(vpc / "control-plane/cp-1/docker-compose.yaml")
    assert compose["services"]["seed-peer"]["deploy"]["resources"] == {
        "limits": {"cpus": "16", "memory": "32Gi"},
        "reservations": {"cpus": "4", "memory": "8Gi"},
    }
    daemonset = _load(vpc / "kubernetes/gpu/daemonset.yaml")
    assert daemonset["spec"]["template"]["spec"]["containers"][0]["resources"] == {
        "requests": {"cpu": "2", "memory": "4Gi"},
        "limits": {"cpu": "8", "memory": "16Gi"},
    }


def test_an_explicit_setting_is_kept_and_warned_about(tmp_path: Path, cli) -> None:
    vpc = _render(tmp_path, cli, "40Gi", piece_download_timeout="120s")
    assert _load(vpc / "peers/vm-1/dfget.yaml")["download"]["pieceDownloadTimeout"] == "120s"
    result = cli("validate", str(tmp_path / "inv"))
    assert "GC504" in result.err and "120s" in result.err
