"""Refuse a rollout that would drop a whole VPC, unless it is allowed by name.

A VPC removed from the inventory leaves the rendered tree and, with it, the Ansible
inventory: its hosts are no longer managed, and nothing in the tree itself says they
ever were. So each successful rollout records which VPCs it pushed (and the sha256 of
the tree's MANIFEST) in a per-user state file, keyed by the tree's resolved path:
``$XDG_STATE_HOME/gencfg/rollouts/`` (default ``~/.local/state/gencfg/rollouts/``),
never inside the repository. The next rollout of that tree compares: a VPC of the last
rollout that is missing now stops it (exit 2) unless ``--allow-vpc-removal VPC`` names
it. A tree never rolled out by this user has nothing to compare with.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from gencfg.errors import ExternalError, UserError
from gencfg.rollout import records
from gencfg.tree.manifest import MANIFEST, loads

_NOT_VPCS = frozenset({"ansible"})
"""Top-level directories of a rendered tree that are no VPC."""


@dataclasses.dataclass(frozen=True, slots=True)
class Snapshot:
    """What a rollout of a tree pushes: its VPCs and its MANIFEST's digest."""

    tree: str
    vpcs: tuple[str, ...]
    manifest_sha256: str


def state_dir() -> Path:
    """Where rollout records live (XDG base directory spec: a relative value is ignored)."""
    xdg = os.environ.get("XDG_STATE_HOME", "")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "state"
    return base / "gencfg" / "rollouts"


def state_file(tree: Path) -> Path:
    """The record of ``tree``'s last successful rollout (by its resolved path)."""
    key = hashlib.sha256(str(tree.resolve()).encode()).hexdigest()[:32]
    return state_dir() / f"{key}.json"


def vpcs_of(manifest: dict[str, Any]) -> tuple[str, ...]:
    """The VPCs a MANIFEST has files for."""
    files: Iterable[str] = manifest.get("files", {})
    return tuple(sorted({p.split("/", 1)[0] for p in files if "/" in p} - _NOT_VPCS))


def snapshot(tree: Path) -> Snapshot | None:
    """The tree's VPCs now, or None if it has no MANIFEST (preflight reports that)."""
    path = tree / MANIFEST
    try:
        data = path.read_bytes()
        manifest = loads(data)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise UserError(f"{path}: cannot read the MANIFEST ({exc})") from exc
    digest = hashlib.sha256(data).hexdigest()
    return Snapshot(str(tree.resolve()), vpcs_of(manifest), digest)


def last(tree: Path) -> Snapshot | None:
    """The record of the last successful rollout of ``tree``, if any."""
    path = state_file(tree)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Snapshot(str(data["tree"]), tuple(data["vpcs"]), str(data["manifest_sha256"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ExternalError(
            f"{path}: unreadable record of the last rollout of {tree} ({exc}); "
            f"remove it to roll out without the VPC-removal check"
        ) from exc


def check(tree: Path, allowed: Sequence[str]) -> Snapshot | None:
    """Refuse when a VPC of the last rollout is missing and not ``allowed``.

    Returns the tree's snapshot, to :func:`record` once the rollout has succeeded.

    Raises:
        UserError: a VPC the last rollout pushed is not in the tree and not allowed.
    """
    now = snapshot(tree)
    before = last(tree)
    if now is None or before is None:
        return now
    missing = [v for v in before.vpcs if v not in now.vpcs and v not in allowed]
    if missing:
        names = ", ".join(missing)
        flags = " ".join(f"--allow-vpc-removal {v}" for v in missing)
        raise UserError(
            f"{tree}: VPC(s) {names} were pushed by the last rollout of this tree "
            f"(MANIFEST sha256 {before.manifest_sha256[:12]}) and are not in it now: their "
            f"hosts would silently leave the Ansible inventory. If the removal is intended, "
            f"run again with {flags}"
        )
    return now


def record(tree: Path, snap: Snapshot | None) -> None:
    """Remember ``snap`` as the last successful rollout of ``tree``."""
    if snap is None:
        return
    path = state_file(tree)
    records.write(path, dataclasses.asdict(snap), "record")
