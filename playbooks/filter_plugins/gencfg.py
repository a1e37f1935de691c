"""Filters of the gencfg playbooks.

Rendered files are pushed byte for byte; the only change made on the way is filling
secret placeholders (``@@GENCFG_SECRET:name@@``) from Ansible Vault (``gencfg_secrets``)
or the environment (``GENCFG_SECRET_<NAME>``). Placeholders always sit inside
double-quoted YAML/TOML/JSON strings, so values are inserted with JSON escaping.
Errors name the secret, never its value.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

from ansible.errors import AnsibleFilterError

PLACEHOLDER = re.compile(r"@@GENCFG_SECRET:([a-z][a-z0-9_]*)@@")


def secret_names(content: str) -> list[str]:
    """Names of the secrets a rendered file needs."""
    return sorted(set(PLACEHOLDER.findall(content)))


def fill_secrets(content: str, secrets: dict[str, Any] | None = None) -> str:
    """``content`` with every placeholder replaced by its secret, JSON-escaped."""
    secrets = secrets or {}

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in secrets and secrets[name] is not None:
            raw = str(secrets[name])
        elif f"GENCFG_SECRET_{name.upper()}" in os.environ:
            raw = os.environ[f"GENCFG_SECRET_{name.upper()}"]
        else:
            raise AnsibleFilterError(
                f"secret {name!r} has no value: set gencfg_secrets.{name} (Ansible Vault) "
                f"or GENCFG_SECRET_{name.upper()}"
            )
        return json.dumps(raw, ensure_ascii=False)[1:-1]

    return PLACEHOLDER.sub(value, content)


def missing_secrets(names: list[str], secrets: dict[str, Any] | None = None) -> list[str]:
    """Which of ``names`` have no value in ``secrets`` or the environment."""
    secrets = secrets or {}
    return [
        n
        for n in names
        if secrets.get(n) is None and f"GENCFG_SECRET_{n.upper()}" not in os.environ
    ]


def manifest_mismatches(rendered_dir: str) -> list[str]:
    """Files of a rendered tree whose bytes differ from its MANIFEST (hand edits)."""
    manifest = _manifest(rendered_dir)
    bad = []
    for path, entry in manifest["files"].items():
        try:
            digest = hashlib.sha256((Path(rendered_dir) / path).read_bytes()).hexdigest()
        except OSError:
            digest = ""
        if digest != entry["sha256"]:
            bad.append(path)
    return bad


def _manifest(rendered_dir: str) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((Path(rendered_dir) / "MANIFEST.json").read_text("utf-8"))
    return manifest


def with_secrets(
    files: list[dict[str, Any]], rendered_dir: str, secret: bool = True
) -> list[dict[str, Any]]:
    """The entries of ``files`` whose rendered file holds secret placeholders (or not)."""
    entries = _manifest(rendered_dir)["files"]
    return [f for f in files if bool(entries.get(f["src"], {}).get("secrets")) is secret]


def inventory_dir(source: str) -> str:
    """The directory of an inventory source (-i rendered/<env>/ansible or its hosts.yaml)."""
    path = Path(source)
    return str(path if path.is_dir() else path.parent)


class FilterModule:
    """Registers the gencfg filters."""

    def filters(self) -> dict[str, Any]:
        """Filter name -> function."""
        return {
            "gencfg_fill_secrets": fill_secrets,
            "gencfg_secret_names": secret_names,
            "gencfg_missing_secrets": missing_secrets,
            "gencfg_manifest_mismatches": manifest_mismatches,
            "gencfg_with_secrets": with_secrets,
            "gencfg_inventory_dir": inventory_dir,
        }
