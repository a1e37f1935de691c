"""``gencfg rollout`` refuses to move peers to a line their control plane is not on.

Ansible is replaced by a fake runner (the refusal happens before it would start): the
point is the order the command allows, not the playbooks (tests/test_upgrade_ssh.py
rolls a whole fleet over SSH).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gencfg.cli.commands import rollout as rollout_command
from gencfg.rollout.runner import Outcome
from gencfg.tree.manifest import MANIFEST


def _tree(path: Path, release: str) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    files = {"ansible/hosts.yaml": {}, "vpc-a/control-plane/cp/manager.yaml": {}}
    (path / MANIFEST).write_text(json.dumps({"dragonfly": release, "files": files}))
    return path


def _runner(calls: list[str]) -> Callable[..., Outcome]:
    def run(tree: Path, **options: Any) -> Outcome:
        calls.append(str(options["layer"]))
        return Outcome(0, "successful", {"ok": {"cp": 1}})

    return run


def _rollout(tree: Path, layer: str) -> int:
    return rollout_command.run(
        tree=tree, layer=layer, limit=None, check=False, diff=False, extra_vars=()
    )


def test_peers_may_not_switch_lines_before_the_control_plane(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(rollout_command, "run_playbook", _runner(calls))
    tree = _tree(tmp_path / "rendered" / "prod", "v2.1.28")
    assert _rollout(tree, "rollout") == 0  # the v2.1 fleet, all layers
    _tree(tree, "v2.5.1")  # migrated and rendered
    result = cli("rollout", str(tree), "--layer", "peers")
    assert result.rc == 2
    assert "peers must not switch lines before their control plane" in result.err
    assert "--layer control-plane" in result.err
    assert calls == ["rollout"]
    # The control plane first, then the peers: allowed.
    assert _rollout(tree, "control-plane") == 0
    assert _rollout(tree, "peers") == 0
    assert calls == ["rollout", "control-plane", "peers"]


def test_whole_rollouts_and_unknown_trees_are_not_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(rollout_command, "run_playbook", _runner(calls))
    tree = _tree(tmp_path / "never-rolled-out", "v2.5.1")
    assert _rollout(tree, "peers") == 0  # nothing recorded: nothing to compare with
    assert _rollout(tree, "control-plane") == 0
    _tree(tree, "v2.1.28")  # back to v2.1: the whole tree, in order, is always allowed
    assert _rollout(tree, "rollout") == 0
