"""Which directories are rendered trees, and their MANIFEST."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from gencfg.errors import UserError
from gencfg.tree.manifest import MANIFEST, loads, release
from gencfg.tree.writer import existing_files

RENDERED_ROOT = Path("rendered")
"""Where ``gencfg render`` writes trees by default; ``gencfg lint`` without an argument
lints every tree under it."""


@dataclasses.dataclass(frozen=True, slots=True)
class RenderedTree:
    """A rendered tree on disk: its MANIFEST entries and the files actually present."""

    root: Path
    entries: dict[str, dict[str, Any]]
    """MANIFEST.json ``files``: relative path -> sha256, kind, owners, dest, ..."""
    on_disk: dict[str, Path]
    """Every file under ``root`` except MANIFEST.json, by relative path."""
    dragonfly: str = ""
    """The Dragonfly release the tree was rendered for (MANIFEST ``dragonfly``)."""


def load(root: Path) -> RenderedTree:
    """Read a rendered tree.

    Raises:
        UserError: ``root`` is not a directory holding a readable MANIFEST.json.
    """
    manifest = root / MANIFEST
    if not root.is_dir() or not manifest.is_file():
        raise UserError(f"{root}: not a gencfg rendered tree (no {MANIFEST}); see gencfg render")
    try:
        document = loads(manifest.read_bytes())
        files = document.get("files")
    except (OSError, ValueError) as exc:  # JSONDecodeError and UnicodeDecodeError
        raise UserError(f"{manifest}: unreadable manifest: {exc}") from exc
    if not isinstance(files, dict) or not all(isinstance(e, dict) for e in files.values()):
        raise UserError(f"{manifest}: not a gencfg manifest (no 'files' object)")
    on_disk = {rel: p for rel, p in existing_files(root).items() if rel != MANIFEST}
    return RenderedTree(root, files, on_disk, release(document))


def default_trees(base: Path = RENDERED_ROOT) -> list[Path]:
    """Every ``<base>/<env>/`` holding a MANIFEST.json, sorted.

    Raises:
        UserError: there is none (lint needs something to lint).
    """
    found = sorted(p.parent for p in base.glob(f"*/{MANIFEST}")) if base.is_dir() else []
    if not found:
        raise UserError(f"no rendered tree in {base}/ (no {base}/<env>/{MANIFEST}); name one")
    return found
