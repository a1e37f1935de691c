"""The preflight says loudly which of the manager's upstream defaults are still open.

Real ansible-playbook runs playbooks/preflight.yml on the controller against a stand-in
manager (tests/support/manager.py) answering like v2.1.28 and v2.5.1: the seeded
root / dragonfly login, and v2.1's job API without credentials.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from gencfg.cli import main
from tests.conftest import REPO
from tests.support import inventories
from tests.support.ansible import run_playbook_cli
from tests.support.manager import ManagerStandIn
from tests.support.procs import free_port

pytestmark = pytest.mark.slow

CP_IP = "127.0.0.2"


def _tree(tmp_path: Path, version: str, port: int) -> Path:
    data = inventories.inventory(
        deployment={
            "dragonfly": {"version": version},
            "overrides": {"manager": {"server": {"rest": {"addr": f"{CP_IP}:{port}"}}}},
        },
    )
    if version.startswith("v2.5"):
        data["vpcs"][0]["preheat"] = {"token": {"secret": "jwt_key"}}
    data = json.loads(json.dumps(data))
    inv = inventories.write(tmp_path / "inventory", data)
    out = tmp_path / "rendered"
    assert main(["render", str(inv), "--output", str(out)]) == 0
    return out


def _preflight(tree: Path) -> str:
    env = {"GENCFG_SECRET_JWT_KEY": "k", "GENCFG_SECRET_MYSQL_PASSWORD": "p"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        result = run_playbook_cli(REPO / "playbooks" / "preflight.yml", tree / "ansible")
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
    assert result.rc == 0, result.stdout
    return result.stdout


def test_the_manager_binds_the_vms_address(tmp_path: Path) -> None:
    tree = _tree(tmp_path, "v2.1.28", 8080)
    manager: dict[str, Any] = yaml.safe_load(
        (tree / "vpc-a/control-plane/cp-1/manager.yaml").read_text()
    )
    assert manager["server"]["grpc"]["listenIP"] == CP_IP


@pytest.mark.parametrize("version", ["v2.1.28", "v2.5.1"])
def test_preflight_warns_about_the_seeded_root_login_and_open_job_api(
    tmp_path: Path, version: str
) -> None:
    port = free_port(CP_IP)
    tree = _tree(tmp_path, version, port)
    with ManagerStandIn(release=version, address=(CP_IP, port)):
        out = _preflight(tree)
    assert "WARNING manager defaults still open" in out
    assert f"root signs in with the upstream password dragonfly on http://{CP_IP}:{port}" in out
    assert ("/api/v1/jobs and /preheats answer without credentials" in out) == (
        version == "v2.1.28"
    )
    assert "signup is open" in out


def test_preflight_is_quiet_about_a_changed_root_password(tmp_path: Path) -> None:
    port = free_port(CP_IP)
    tree = _tree(tmp_path, "v2.5.1", port)
    with ManagerStandIn(release="v2.5.1", address=(CP_IP, port), root_password="changed"):
        out = _preflight(tree)
    assert "root signs in" not in out
