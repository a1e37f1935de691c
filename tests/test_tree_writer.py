"""The rendered tree is replaced atomically; unchanged files keep their mtime."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gencfg.errors import UserError
from gencfg.tree.writer import compare, existing_files, write_tree


def test_first_write_then_no_op(tmp_path: Path) -> None:
    target = tmp_path / "rendered" / "env"
    files = {"MANIFEST.json": b"{}", "a/b.yaml": b"x"}
    assert write_tree(target, files).added == ["MANIFEST.json", "a/b.yaml"]
    before = {p: p.stat().st_mtime_ns for p in target.rglob("*")}
    changes = write_tree(target, files)
    assert not changes.any
    assert {p: p.stat().st_mtime_ns for p in target.rglob("*")} == before


def test_changed_file_replaced_unchanged_kept_stale_removed(tmp_path: Path) -> None:
    target = tmp_path / "env"
    write_tree(target, {"MANIFEST.json": b"1", "keep.yaml": b"k", "old.yaml": b"o"})
    inode = (target / "keep.yaml").stat().st_ino
    changes = write_tree(target, {"MANIFEST.json": b"2", "keep.yaml": b"k", "new.yaml": b"n"})
    assert (changes.added, changes.changed, changes.removed) == (
        ["new.yaml"],
        ["MANIFEST.json"],
        ["old.yaml"],
    )
    assert (target / "keep.yaml").stat().st_ino == inode
    assert not (target / "old.yaml").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["env"]  # no temp dir or lock left


def test_refuses_to_replace_a_foreign_directory(tmp_path: Path) -> None:
    target = tmp_path / "docs"
    target.mkdir()
    (target / "notes.md").write_text("mine")
    with pytest.raises(UserError, match="not a gencfg rendered tree"):
        write_tree(target, {"MANIFEST.json": b"{}"})
    assert (target / "notes.md").read_text() == "mine"


def test_leftover_temp_dir_of_a_killed_render_is_removed(tmp_path: Path) -> None:
    target = tmp_path / "env"
    write_tree(target, {"MANIFEST.json": b"1"})
    stale = tmp_path / f".env.tmp-{os.getpid() + 1}"
    stale.mkdir()
    write_tree(target, {"MANIFEST.json": b"2"})
    assert not stale.exists()


def test_compare_reports_without_writing(tmp_path: Path) -> None:
    target = tmp_path / "env"
    write_tree(target, {"MANIFEST.json": b"1"})
    changes = compare(target, {"MANIFEST.json": b"2"})
    assert changes.changed == ["MANIFEST.json"]
    assert (target / "MANIFEST.json").read_bytes() == b"1"


def test_existing_files_lists_files_in_path_order(tmp_path: Path) -> None:
    for rel in ["a/x", "a-b/x", "a.b", "A/z", "a/b/c", "ab"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("1")
    expected = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    assert existing_files(tmp_path) == {p.relative_to(tmp_path).as_posix(): p for p in expected}
    assert list(existing_files(tmp_path)) == [p.relative_to(tmp_path).as_posix() for p in expected]
