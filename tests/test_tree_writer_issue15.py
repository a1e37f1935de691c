"""The tree writer: locks the tree it writes, follows a symlinked output, reports cleanup."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gencfg.render.build import source_label
from gencfg.tree import writer
from gencfg.tree.manifest import MANIFEST
from tests.conftest import REPO

FILES = {MANIFEST: b"{}\n", "a/x.yaml": b"x: 1\n"}
NEW = {MANIFEST: b"{}\n", "a/x.yaml": b"x: 2\n"}


def test_two_trees_side_by_side_render_at_once(tmp_path: Path) -> None:
    with writer._locked(tmp_path / "rendered" / "prod"):
        writer.write_tree(tmp_path / "rendered" / "staging", FILES)
    assert (tmp_path / "rendered" / "staging" / "a" / "x.yaml").read_bytes() == b"x: 1\n"


def test_the_same_tree_is_locked(tmp_path: Path) -> None:
    target = tmp_path / "rendered" / "prod"
    with writer._locked(target), pytest.raises(writer.UserError, match="another gencfg render"):
        writer.write_tree(target, FILES)


def test_symlinked_output_is_followed(tmp_path: Path) -> None:
    real = tmp_path / "data" / "prod"
    real.mkdir(parents=True)
    link = tmp_path / "prod"
    link.symlink_to(real, target_is_directory=True)
    writer.write_tree(link, FILES)
    writer.write_tree(link, NEW)
    assert link.is_symlink()
    assert (real / "a" / "x.yaml").read_bytes() == b"x: 2\n"


def test_dangling_symlinked_output_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "prod"
    link.symlink_to(tmp_path / "nowhere", target_is_directory=True)
    with pytest.raises(writer.UserError, match="not a directory; not written"):
        writer.write_tree(link, FILES)
    assert not (tmp_path / "nowhere").exists()


def test_cleanup_failure_is_reported_and_removed_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "prod"
    writer.write_tree(target, FILES)

    def fail(path: Path, *args: object, **kwargs: object) -> None:
        raise OSError(16, "Device or resource busy")

    with monkeypatch.context() as m:
        m.setattr(writer.shutil, "rmtree", fail)
        changes = writer.write_tree(target, NEW)
    assert changes.changed == ["a/x.yaml"]
    assert "the previous tree could not be removed" in changes.leftover
    assert (target / "a" / "x.yaml").read_bytes() == b"x: 2\n"
    assert list(tmp_path.glob(".prod.tmp-*"))
    writer.write_tree(target, FILES)
    assert not list(tmp_path.glob(".prod.tmp-*"))


def test_source_label_does_not_depend_on_the_working_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Already fixed on main: the label is the path from the repository root."""
    inventory = REPO / "inventories" / "example"
    labels = set()
    for cwd in (REPO, REPO / "inventories", tmp_path):
        monkeypatch.chdir(cwd)
        rel = Path(os.path.relpath(inventory, cwd))
        labels.add(source_label(rel))
    assert labels == {"inventories/example"}
