"""Plant defects in a copy of a rendered tree and find them again (tests of gencfg lint).

Expected lines are found by searching the planted text, not hard-coded, so the tests
follow the templates when they change.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gencfg.lint import lint_tree
from gencfg.lint.base import Options
from gencfg.lint.kubernetes import default_version
from gencfg.lint.tree import load
from gencfg.problem import Problem
from gencfg.tree.manifest import MANIFEST, sha256

GOLDEN = Path(__file__).resolve().parents[2] / "rendered" / "example"
PEER = "vpc-a/peers/build-a-1/dfget.yaml"
"""A peer VM's dfget.yaml in the example tree."""


def lint(root: Path, version: str | None = None) -> list[Problem]:
    return lint_tree(load(root), Options(version or default_version()))


def _manifest(root: Path) -> dict[str, Any]:
    return json.loads((root / MANIFEST).read_text())


def _save_manifest(root: Path, manifest: dict[str, Any]) -> None:
    (root / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def rehash(root: Path, rel: str) -> None:
    """Make MANIFEST agree with the file again, so only the linter under test fires."""
    manifest = _manifest(root)
    manifest["files"][rel]["sha256"] = sha256((root / rel).read_bytes())
    _save_manifest(root, manifest)


def plant(root: Path, rel: str, old: str, new: str, *, keep_manifest: bool = False) -> None:
    path = root / rel
    text = path.read_text()
    assert old in text, f"{old!r} not in {rel}: the example changed, update the test"
    path.write_text(text.replace(old, new, 1))
    if not keep_manifest:
        rehash(root, rel)


def add_file(root: Path, rel: str, text: str, kind: str) -> None:
    """A new file in the tree, listed in MANIFEST with ``kind``."""
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text)
    manifest = _manifest(root)
    manifest["files"][rel] = {"kind": kind, "sha256": sha256(text.encode())}
    _save_manifest(root, manifest)


def line_of(root: Path, rel: str, needle: str) -> tuple[int, int]:
    """1-based line and column of the first ``needle`` in the file."""
    for number, line in enumerate((root / rel).read_text().splitlines(), start=1):
        if needle in line:
            return number, line.index(needle) + 1
    raise AssertionError(f"{needle!r} not in {rel}")


def found(problems: list[Problem], rel: str) -> list[tuple[str, int, int]]:
    return [(p.code, p.line, p.col) for p in problems if p.path.endswith(f"/{rel}")]


def kind_files(root: Path, kind: str) -> list[str]:
    return sorted(rel for rel, e in _manifest(root)["files"].items() if e["kind"] == kind)
