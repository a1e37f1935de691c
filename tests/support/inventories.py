"""Build small valid inventories for end-to-end tests (as data, written as YAML)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml

from gencfg.merge import deep_merge

BASE: dict[str, Any] = {
    "deployment": {
        "name": "e2e",
        "dragonfly": {"version": "v2.1.28"},
        "jwt_key": {"secret": "jwt_key"},
    },
    "secrets": {"jwt_key": {}, "mysql_password": {}},
    "vpcs": [
        {
            "name": "vpc-a",
            "cidr": "127.0.0.0/8",
            "lb": {"internal_ip": "127.0.0.10"},
            "database": {
                "mysql": {
                    "host": "127.0.0.11",
                    "user": "dragonfly",
                    "password": {"secret": "mysql_password"},
                },
                "redis": {"addrs": ["127.0.0.12:6379"]},
            },
            "control_plane": [{"name": "cp-1", "ip": "127.0.0.2"}],
            "registries": [{"host": "docker.io"}],
        }
    ],
}


def inventory(**changes: Any) -> dict[str, Any]:
    """BASE with ``deployment``/``secrets`` deep-merged and ``vpc`` merged into the VPC."""
    data = copy.deepcopy(BASE)
    vpc_changes = changes.pop("vpc", {})
    data = deep_merge(data, changes)
    data["vpcs"][0] = deep_merge(data["vpcs"][0], vpc_changes)
    return data


def write(directory: Path, data: dict[str, Any]) -> Path:
    """Write ``data`` as ``directory/inventory.yaml`` (replacing any previous version)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "inventory.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return directory


def render(cli: Any, tmp_path: Path, data: dict[str, Any]) -> Path:
    """Write ``data`` under ``tmp_path/inventory``, render it to ``tmp_path/rendered``."""
    data = json.loads(json.dumps(data))  # no shared nodes: the inventory refuses YAML aliases
    inv = write(tmp_path / "inventory", data)
    out = tmp_path / "rendered"
    result = cli("render", str(inv), "--output", str(out))
    assert result.rc == 0, result.err
    return out
