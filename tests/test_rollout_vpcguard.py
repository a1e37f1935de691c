"""``gencfg rollout`` refuses to drop a VPC the last rollout of the tree pushed."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gencfg.cli.commands import rollout as rollout_command
from gencfg.errors import UserError
from gencfg.rollout import vpcguard
from gencfg.rollout.runner import Outcome
from gencfg.tree.manifest import MANIFEST
from tests.conftest import Result


def _tree(path: Path, *vpcs: str) -> Path:
    files = {"ansible/hosts.yaml": {}, **{f"{v}/control-plane/cp/manager.yaml": {} for v in vpcs}}
    path.mkdir(parents=True, exist_ok=True)
    (path / MANIFEST).write_text(json.dumps({"files": files}))
    (path / "ansible").mkdir(exist_ok=True)
    (path / "ansible" / "hosts.yaml").write_text("all: {}\n")
    return path


def test_state_lives_under_xdg_state_home_keyed_by_the_resolved_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    tree = _tree(tmp_path / "rendered" / "prod", "vpc-a")
    monkeypatch.chdir(tmp_path)
    assert vpcguard.state_file(Path("rendered/prod")) == vpcguard.state_file(tree)
    assert vpcguard.state_file(tree).parent == tmp_path / "state" / "gencfg" / "rollouts"
    monkeypatch.setenv("XDG_STATE_HOME", "relative/state")  # ignored, as the spec says
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert vpcguard.state_dir() == tmp_path / "home" / ".local" / "state" / "gencfg" / "rollouts"


def test_guard_refuses_a_missing_vpc_unless_allowed(tmp_path: Path) -> None:
    tree = _tree(tmp_path / "tree", "vpc-a", "vpc-b", "vpc-c")
    first = vpcguard.check(tree, [])  # never rolled out: nothing to compare with
    assert first is not None and first.vpcs == ("vpc-a", "vpc-b", "vpc-c")
    vpcguard.record(tree, first)
    saved = json.loads(vpcguard.state_file(tree).read_text())
    assert saved["vpcs"] == ["vpc-a", "vpc-b", "vpc-c"]
    assert len(saved["manifest_sha256"]) == 64

    _tree(tree, "vpc-a")
    with pytest.raises(UserError) as refused:
        vpcguard.check(tree, [])
    message = str(refused.value)
    assert "VPC(s) vpc-b, vpc-c were pushed by the last rollout" in message
    assert "--allow-vpc-removal vpc-b --allow-vpc-removal vpc-c" in message
    with pytest.raises(UserError, match=r"VPC\(s\) vpc-c were"):
        vpcguard.check(tree, ["vpc-b"])
    now = vpcguard.check(tree, ["vpc-b", "vpc-c"])
    assert now is not None and now.vpcs == ("vpc-a",)
    vpcguard.record(tree, now)
    assert vpcguard.check(tree, []) == now  # the removal, once pushed, is the new normal


def test_guard_ignores_a_tree_without_manifest_and_reports_a_broken_record(
    tmp_path: Path,
) -> None:
    assert vpcguard.check(tmp_path, []) is None
    tree = _tree(tmp_path / "tree", "vpc-a")
    vpcguard.state_file(tree).parent.mkdir(parents=True, exist_ok=True)
    vpcguard.state_file(tree).write_text("{not json")
    with pytest.raises(Exception, match="unreadable record of the last rollout"):
        vpcguard.check(tree, [])


def _fake_runner(calls: list[dict[str, Any]], rc: int = 0) -> Callable[..., Outcome]:
    def run(tree: Path, **options: Any) -> Outcome:
        calls.append({"tree": tree, **options})
        return Outcome(rc, "successful" if rc == 0 else "failed", {"ok": {"cp": 1}})

    return run


def test_cli_refuses_before_ansible_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., Result]
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(rollout_command, "run_playbook", _fake_runner(calls))
    tree = _tree(tmp_path / "tree", "vpc-a", "vpc-b")
    assert cli("rollout", str(tree)).rc == 0
    assert len(calls) == 1
    assert json.loads(vpcguard.state_file(tree).read_text())["vpcs"] == ["vpc-a", "vpc-b"]

    _tree(tree, "vpc-a")
    refused = cli("rollout", str(tree))
    assert refused.rc == 2
    assert "gencfg: error: " in refused.err and "vpc-b" in refused.err
    assert "--allow-vpc-removal vpc-b" in refused.err
    assert len(calls) == 1, "ansible ran although the rollout was refused"
    assert cli("rollout", str(tree), "--check").rc == 2  # a dry run is refused the same way

    assert cli("rollout", str(tree), "--check", "--allow-vpc-removal", "vpc-b").rc == 0
    assert json.loads(vpcguard.state_file(tree).read_text())["vpcs"] == ["vpc-a", "vpc-b"]
    assert cli("rollout", str(tree), "--allow-vpc-removal", "vpc-b").rc == 0
    assert json.loads(vpcguard.state_file(tree).read_text())["vpcs"] == ["vpc-a"]
    assert cli("rollout", str(tree)).rc == 0


def test_a_failed_rollout_is_not_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., Result]
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(rollout_command, "run_playbook", _fake_runner(calls, rc=2))
    tree = _tree(tmp_path / "tree", "vpc-a")
    assert cli("rollout", str(tree)).rc == 4
    assert not vpcguard.state_file(tree).exists()
    assert not str(vpcguard.state_file(tree)).startswith(os.fspath(tmp_path / "tree"))
