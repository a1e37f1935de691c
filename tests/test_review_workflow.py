"""The pull-request workflow: deterministic, atomic, pruned, checkable, diffable, secret-free."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from gencfg.tree.writer import existing_files
from tests.conftest import REPO
from tests.support import inventories

EXAMPLE = REPO / "inventories" / "example"


def _gencfg(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gencfg", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {}), "PYTHONPATH": str(REPO)},
        check=False,
    )


def _tree(path: Path) -> dict[str, bytes]:
    return {rel: p.read_bytes() for rel, p in existing_files(path).items()}


def _big_inventory(nodes: int) -> dict[str, Any]:
    groups = [
        {
            "name": f"group-{g}",
            "nodes": [{"name": f"node-{g}-{i}", "ip": f"127.1.{g}.{i + 1}"} for i in range(nodes)],
        }
        for g in range(4)
    ]
    peers = [{"name": f"vm-{i}", "ip": f"127.2.{i // 250}.{i % 250 + 1}"} for i in range(400)]
    return inventories.inventory(vpc={"node_groups": groups, "peer_vms": peers})


def test_render_is_byte_identical_across_processes_and_hash_seeds(tmp_path: Path) -> None:
    outs = []
    for seed in ("1", "4242"):
        out = tmp_path / f"seed-{seed}"
        result = _gencfg("render", str(EXAMPLE), "--output", str(out), env={"PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr
        outs.append(_tree(out))
    assert outs[0] == outs[1]


def test_killed_render_leaves_the_previous_tree_intact(tmp_path: Path) -> None:
    inv = inventories.write(tmp_path / "inv", _big_inventory(10))
    out = tmp_path / "rendered" / "e2e"
    assert _gencfg("render", str(inv), "--output", str(out)).returncode == 0
    before = _tree(out)
    data = _big_inventory(10)
    data["vpcs"][0]["location"] = "moved"  # every peer file changes
    inventories.write(tmp_path / "inv", data)
    proc = subprocess.Popen(
        [sys.executable, "-m", "gencfg", "render", str(inv), "--output", str(out)],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while (
        not list(out.parent.glob(".e2e.tmp-*"))
        and proc.poll() is None
        and time.monotonic() < deadline
    ):
        time.sleep(0.001)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert _tree(out) == before, "a killed render changed the tree"
    result = _gencfg("render", str(inv), "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert not list(out.parent.glob(".e2e.tmp-*")), "the next render did not clean up"
    assert b"moved" in (out / "vpc-a" / "peers" / "vm-0" / "dfget.yaml").read_bytes()


@pytest.mark.parametrize(
    ("removal", "gone"),
    [
        ("vpc", "vpc-b/"),
        ("control-plane VM", "vpc-a/control-plane/cp-2/"),
        ("node group", "vpc-a/kubernetes/gpu/"),
        ("peer VM", "vpc-a/peers/vm-1/"),
        ("registry", "vpc-a/runtime/containerd/certs.d/ghcr.io/"),
    ],
)
def test_files_of_removed_objects_are_pruned(tmp_path: Path, removal: str, gone: str) -> None:
    data = inventories.inventory(
        vpc={
            "control_plane": [
                {"name": "cp-1", "ip": "127.0.0.2"},
                {"name": "cp-2", "ip": "127.0.0.3"},
            ],
            "node_groups": [{"name": "gpu"}],
            "peer_vms": [{"name": "vm-1", "ip": "127.0.0.4"}],
            "registries": [{"host": "docker.io"}, {"host": "ghcr.io"}],
        }
    )
    data["vpcs"].append(
        {
            **inventories.BASE["vpcs"][0],
            "name": "vpc-b",
            "cidr": "10.9.0.0/16",
            "lb": {"internal_ip": "10.9.0.10"},
            "database": {
                "mysql": {
                    "host": "10.9.0.21",
                    "user": "dragonfly",
                    "password": {"secret": "mysql_password"},
                },
                "redis": {"addrs": ["10.9.0.22:6379"]},
            },
            "control_plane": [{"name": "cp-b", "ip": "10.9.1.1"}],
        }
    )
    inv = inventories.write(tmp_path / "inv", data)
    out = tmp_path / "out"
    assert _gencfg("render", str(inv), "--output", str(out)).returncode == 0
    assert any(rel.startswith(gone) for rel in _tree(out))
    vpc = data["vpcs"][0]
    if removal == "vpc":
        data["vpcs"].pop()
    elif removal == "control-plane VM":
        vpc["control_plane"].pop()
    elif removal == "node group":
        vpc["node_groups"] = []
    elif removal == "peer VM":
        vpc["peer_vms"] = []
    else:
        vpc["registries"].pop()
    inventories.write(tmp_path / "inv", data)
    result = _gencfg("render", str(inv), "--output", str(out))
    assert result.returncode == 0, result.stderr
    files = _tree(out)
    assert not [rel for rel in files if rel.startswith(gone)]
    manifest = json.loads(files["MANIFEST.json"])["files"]
    assert not [rel for rel in manifest if rel.startswith(gone)]
    assert f"- {gone}" in result.stdout


def test_render_check_exit_codes(tmp_path: Path) -> None:
    inv = inventories.write(tmp_path / "inv", inventories.inventory())
    out = tmp_path / "out"
    assert _gencfg("render", "--check", str(inv), "--output", str(out)).returncode == 1
    assert _gencfg("render", str(inv), "--output", str(out)).returncode == 0
    result = _gencfg("render", "--check", str(inv), "--output", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    (out / "vpc-a" / "control-plane" / "cp-1" / "manager.yaml").write_text("edited by hand\n")
    result = _gencfg("render", "--check", str(inv), "--output", str(out))
    assert result.returncode == 1
    assert "~ vpc-a/control-plane/cp-1/manager.yaml" in result.stdout
    bad = inventories.write(
        tmp_path / "bad", inventories.inventory(deployment={"dragonfly": {"version": "latest"}})
    )
    result = _gencfg("render", "--check", str(bad), "--output", str(out))
    assert result.returncode == 2
    assert "GC306" in result.stderr


def test_invalid_inventory_leaves_the_tree_untouched(tmp_path: Path) -> None:
    inv = inventories.write(tmp_path / "inv", inventories.inventory())
    out = tmp_path / "out"
    assert _gencfg("render", str(inv), "--output", str(out)).returncode == 0
    before = {rel: (p.read_bytes(), p.stat().st_mtime_ns) for rel, p in existing_files(out).items()}
    (inv / "inventory.yaml").write_text((inv / "inventory.yaml").read_text() + "  extra: [\n")
    result = _gencfg("render", str(inv), "--output", str(out))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "inventory.yaml:" in result.stderr
    assert {
        rel: (p.read_bytes(), p.stat().st_mtime_ns) for rel, p in existing_files(out).items()
    } == before


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository holding an inventory and its committed rendered tree."""
    root = tmp_path / "repo"
    inventories.write(root / "inventories" / "prod", inventories.inventory())
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q", "-b", "main", str(root)], check=True)
    assert _gencfg("render", "inventories/prod", cwd=root).returncode == 0
    subprocess.run([*git, "-C", str(root), "add", "-A"], check=True)
    subprocess.run([*git, "-C", str(root), "commit", "-q", "-m", "base"], check=True)
    return root


def test_diff_against_a_git_base(repo: Path) -> None:
    assert _gencfg("diff", "--base", "main", "inventories/prod", cwd=repo).returncode == 0
    data = inventories.inventory(
        vpc={
            "registries": [{"host": "docker.io"}, {"host": "ghcr.io"}],
            "peer_vms": [{"name": "vm-1", "ip": "127.0.0.4"}],
        }
    )
    inventories.write(repo / "inventories" / "prod", data)
    result = _gencfg("diff", "--base", "main", "inventories/prod", cwd=repo)
    assert result.returncode == 1, result.stderr
    assert "+++ b/vpc-a/runtime/containerd/certs.d/ghcr.io/hosts.toml" in result.stdout
    assert "--- /dev/null" in result.stdout
    markdown = _gencfg(
        "diff", "--base", "main", "--format", "markdown", "inventories/prod", cwd=repo
    )
    assert markdown.returncode == 1
    assert "| vpc-a |" in markdown.stdout
    assert "`+` `vpc-a/peers/vm-1/dfget.yaml`: vm-1; restarts the peer" in markdown.stdout
    assert "```diff" in markdown.stdout
    # Against the committed tree (no --base): the same change, and exit 1.
    assert _gencfg("diff", "inventories/prod", cwd=repo).returncode == 1


def test_diff_of_a_change_to_the_current_line(repo: Path) -> None:
    """Moving the inventory to v2.5.1: the client's files appear, v2.1's go away."""
    data = inventories.inventory(
        deployment={"dragonfly": {"version": "v2.5.1"}},
        vpc={"peer_vms": [{"name": "vm-1", "ip": "127.0.0.4"}]},
    )
    inventories.write(repo / "inventories" / "prod", data)
    markdown = _gencfg(
        "diff", "--base", "main", "--format", "markdown", "inventories/prod", cwd=repo
    )
    assert markdown.returncode == 1, markdown.stderr
    out = markdown.stdout
    assert "`+` `vpc-a/peers/vm-1/dfdaemon.yaml`: vm-1; restarts the peer" in out
    assert "`+` `vpc-a/control-plane/cp-1/seed-client/dfdaemon.yaml`" in out
    assert "restarts the seed client" in out
    assert "`-` `vpc-a/control-plane/cp-1/seed-peer/dfget.yaml`" in out
    # Said as a change of line, first, with its order and what goes.
    assert out.index("#### Line change") < out.index("| VPC |")
    assert "Dragonfly v2.1.28 (v2.1) -> v2.5.1 (v2.5): a change of line" in out
    assert "1. control plane, one VM at a time (cp-1): manager first" in out
    assert "2. peers, canary first, then in batches (vm-1)" in out
    assert "- `cp-1` loses `/opt/dragonfly/config/seed-peer/dfget.yaml`" in out
    text = _gencfg("diff", "--base", "main", "inventories/prod", cwd=repo)
    assert "a change of line, rolled out in this order" in text.stderr


def test_diff_errors_are_not_changes(repo: Path) -> None:
    result = _gencfg("diff", "--base", "no-such-ref", "inventories/prod", cwd=repo)
    assert result.returncode == 2
    assert "git" in result.stderr and "Traceback" not in result.stderr
    (repo / "inventories" / "prod" / "inventory.yaml").write_text("deployment: [\n")
    result = _gencfg("diff", "--base", "main", "inventories/prod", cwd=repo)
    assert result.returncode == 2


SECRET_VALUES = {
    "GENCFG_SECRET_JWT_KEY": "PLANTED-jwt-7f3a",
    "GENCFG_SECRET_MYSQL_PASSWORD": "PLANTED-mysql-9c1e",
}


def test_secret_values_never_reach_files_diffs_logs_or_errors(repo: Path) -> None:
    outputs: list[str] = []
    for args in (
        ("validate", "inventories/prod"),
        ("render", "inventories/prod"),
        ("diff", "--base", "main", "inventories/prod"),
        ("diff", "--base", "main", "--format", "markdown", "inventories/prod"),
        ("graph", "inventories/prod"),
        ("render", "--check", "inventories/prod"),
    ):
        result = _gencfg(*args, cwd=repo, env=SECRET_VALUES)
        outputs += [result.stdout, result.stderr]
    (repo / "inventories" / "prod" / "inventory.yaml").write_text("deployment: {name: [\n")
    broken = _gencfg("render", "inventories/prod", cwd=repo, env=SECRET_VALUES)
    outputs += [broken.stdout, broken.stderr]
    texts = outputs + [
        p.read_text(errors="replace") for p in (repo / "rendered").rglob("*") if p.is_file()
    ]
    for value in SECRET_VALUES.values():
        assert not [t for t in texts if value in t]
    manager = (
        repo / "rendered" / "prod" / "vpc-a" / "control-plane" / "cp-1" / "manager.yaml"
    ).read_text()
    assert 'password: "@@GENCFG_SECRET:mysql_password@@"' in manager


def test_graph_draws_every_vpc_and_host() -> None:
    result = _gencfg("graph", "--fenced", str(EXAMPLE))
    assert result.returncode == 0
    assert result.stdout.startswith("```mermaid\nflowchart LR\n")
    for name in ("vpc-a", "vpc-b", "cp-a-1", "cp-b-2", "gpu-a", "build-a-1", "docker.io"):
        assert name in result.stdout
    assert "seed peer" in result.stdout


def test_graph_names_the_current_lines_seed_clients() -> None:
    result = _gencfg("graph", str(REPO / "inventories" / "example-current"))
    assert result.returncode == 0
    assert "manager · scheduler · seed client" in result.stdout
    assert "seed peer" not in result.stdout


def test_example_workflow_is_valid_github_actions() -> None:
    workflow = REPO / "examples" / "github-actions" / "gencfg.yml"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(workflow),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    text = workflow.read_text()
    for step in (
        "gencfg validate",
        "gencfg render --check",
        "gencfg diff --base",
        "--format markdown",
    ):
        assert step in text
    shutil.rmtree(REPO / ".ansible", ignore_errors=True)
