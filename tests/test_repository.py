"""The repository's own YAML and playbooks pass the linters users run on theirs."""

from __future__ import annotations

import os
import shutil
import subprocess

from tests.conftest import REPO
from tests.support.ansible import PLAYBOOK_PLUGINS


def test_hand_written_yaml_passes_yamllint() -> None:
    result = subprocess.run(
        ["yamllint", "--strict", "-c", ".yamllint.yaml", "inventories", "playbooks", "examples"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_playbooks_pass_ansible_lint() -> None:
    """The production profile, offline (no schema refresh, no Galaxy)."""
    result = subprocess.run(
        ["ansible-lint", "--offline", "--profile", "production", "."],
        cwd=REPO / "playbooks",
        capture_output=True,
        text=True,
        check=False,
        # the push role's tasks call the playbooks' action and modules
        env={**os.environ, **PLAYBOOK_PLUGINS},
    )
    shutil.rmtree(REPO / "playbooks" / ".ansible", ignore_errors=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_inventory_reference_is_current() -> None:
    """docs/inventory-reference.md is generated from the schema: regenerate, never edit."""
    from gencfg.inventory.reference import markdown

    assert (REPO / "docs" / "inventory-reference.md").read_text() == markdown(), (
        "run: gencfg reference > docs/inventory-reference.md"
    )
