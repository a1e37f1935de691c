"""MANIFEST.json: every rendered file with its digest, owners, destination and effect."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from gencfg import __version__
from gencfg.inventory.model import Deployment
from gencfg.inventory.source import format_path
from gencfg.render.output import Rendered

MANIFEST = "MANIFEST.json"


def sha256(data: bytes) -> str:
    """Hex digest used in the MANIFEST."""
    return hashlib.sha256(data).hexdigest()


def build(model: Deployment, rendered: Sequence[Rendered]) -> dict[str, Any]:
    """The manifest document (keys sorted, so its bytes are deterministic)."""
    files: dict[str, Any] = {}
    for r in sorted(rendered, key=lambda r: r.plan.path):
        plan = r.plan
        files[plan.path] = {
            "sha256": sha256(r.content),
            "kind": plan.kind,
            "owners": sorted(plan.owners),
            "dest": plan.dest,
            "mode": "0600" if r.has_secrets else plan.mode,
            "restart": plan.restart,
            "secrets": r.has_secrets,
            "template": plan.template,
            "source": format_path(plan.source),
        }
    return {
        "generator": f"gencfg {__version__}",
        "deployment": model.name,
        "dragonfly": model.version,
        "files": files,
    }


def dumps(manifest: dict[str, Any]) -> bytes:
    """The manifest's bytes."""
    return (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()


def loads(data: bytes) -> dict[str, Any]:
    """Parse a manifest (for diff, lint and rollout)."""
    manifest: dict[str, Any] = json.loads(data)
    return manifest
