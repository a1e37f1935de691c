"""Skip a render whose inputs and output are exactly as the last render left them.

Like make: a stamp records a digest of everything a render reads (the inventory
files, the generator's code, templates and schemas, and the inventory's label) and of
the tree it wrote. When both still match, and every file of the tree still has the
bytes its MANIFEST records, rendering again would write nothing, so it is skipped.

Stamps live in the user's cache directory (``$XDG_CACHE_HOME/gencfg/stamps``), never
next to the tree: a stamp is a local shortcut, not part of what is reviewed. A stamp
that cannot be read or written only costs a full render.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from gencfg import __version__
from gencfg.inventory.loader import discover_all
from gencfg.problem import Level, Problem
from gencfg.resources import data_root
from gencfg.tree.manifest import MANIFEST, sha256
from gencfg.tree.writer import existing_files

_PACKAGE = Path(__file__).resolve().parent.parent


def _stamp_path(target: Path) -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    name = hashlib.sha256(str(target.resolve()).encode()).hexdigest()
    return cache / "gencfg" / "stamps" / f"{name}.json"


@functools.cache
def _generator_digest() -> str:
    """Digest of gencfg's own code, templates and schemas (a code change re-renders)."""
    digest = hashlib.sha256(__version__.encode())
    roots = [_PACKAGE, data_root() / "templates", data_root() / "schemas"]
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix != ".pyc"):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def inputs_digest(inventory: Path, label: str) -> str:
    """Digest of everything a render of ``inventory`` reads."""
    digest = hashlib.sha256(_generator_digest().encode() + label.encode())
    found = discover_all(inventory)
    for problem in found.problems:  # an unreadable entry must never look unchanged
        digest.update(f"\0{problem.path}\0{problem.message}".encode())
    for path in found.files:
        digest.update(
            str(path.relative_to(inventory) if inventory.is_dir() else path.name).encode()
        )
        digest.update(b"\0" + path.read_bytes())
    return digest.hexdigest()


def _tree_intact(target: Path, manifest_sha: str) -> int | None:
    """The tree's file count if it holds exactly its MANIFEST's files and bytes, else None."""
    files = existing_files(target)
    if MANIFEST not in files:
        return None
    raw = files[MANIFEST].read_bytes()
    if sha256(raw) != manifest_sha:
        return None
    entries: dict[str, Any] = json.loads(raw)["files"]
    if set(files) != {*entries, MANIFEST}:
        return None
    if all(sha256(files[rel].read_bytes()) == e["sha256"] for rel, e in entries.items()):
        return len(files)
    return None


def fresh(target: Path, inputs: str) -> tuple[list[Problem], int] | None:
    """The last render's warnings and the tree's file count if it is still current."""
    try:
        stamp = json.loads(_stamp_path(target).read_text())
        if stamp["inputs"] != inputs:
            return None
        count = _tree_intact(target, stamp["manifest"])
        if count is None:
            return None
        warnings = [Problem(**{**w, "level": Level(w["level"])}) for w in stamp["warnings"]]
        return warnings, count
    except (OSError, ValueError, KeyError, TypeError):
        return None


def record(target: Path, inputs: str, manifest: bytes, warnings: list[Problem]) -> None:
    """Remember that ``target`` was rendered from ``inputs`` (best effort)."""
    stamp = {
        "inputs": inputs,
        "manifest": sha256(manifest),
        "warnings": [
            {
                "path": w.path,
                "line": w.line,
                "col": w.col,
                "code": w.code,
                "message": w.message,
                "level": str(w.level),
                "json_path": w.json_path,
            }
            for w in warnings
        ],
    }
    path = _stamp_path(target)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp-{os.getpid()}")
        tmp.write_text(json.dumps(stamp))
        tmp.replace(path)
