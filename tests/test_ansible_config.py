"""The rendered ``ansible/ansible.cfg``, as Ansible itself reads it (``ansible-config``)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.conftest import REPO


@pytest.mark.parametrize("name", ["example", "example-current"])
def test_ansible_reads_the_rendered_settings(name: str) -> None:
    exe = shutil.which("ansible-config")
    if exe is None:
        pytest.skip("ansible-core is not installed")
    cfg = REPO / "rendered" / name / "ansible" / "ansible.cfg"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env["ANSIBLE_CONFIG"] = str(cfg)
    out = subprocess.run(
        [exe, "dump", "--only-changed", "-t", "all"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    assert f"DEFAULT_FORKS({cfg}) = 20" in out
    assert f"INTERPRETER_PYTHON({cfg}) = /usr/bin/python3" in out
    assert f"DEFAULT_GATHERING({cfg}) = explicit" in out
    assert "pipelining" in out and "ControlPersist=60s" in out
