"""A render whose inputs and tree are unchanged since the last one is skipped, safely."""

from __future__ import annotations

from pathlib import Path

from tests.support import inventories


def _render(cli, inv: Path, out: Path, *extra: str):  # type: ignore[no-untyped-def]
    return cli("render", str(inv), "--output", str(out), *extra)


def test_unchanged_render_is_skipped_and_writes_nothing(tmp_path: Path, cli) -> None:
    inv = inventories.write(tmp_path / "inv", inventories.inventory())
    out = tmp_path / "out"
    assert _render(cli, inv, out).rc == 0
    before = {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in out.rglob("*")}
    result = _render(cli, inv, out)
    assert result.rc == 0
    assert "inventory and generator unchanged" in result.err
    assert {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in out.rglob("*")} == before


def test_warnings_are_repeated_when_skipped(tmp_path: Path, cli) -> None:
    data = inventories.inventory(vpc={"scheduler_cluster_id": 7})
    inv = inventories.write(tmp_path / "inv", data)
    out = tmp_path / "out"
    first = _render(cli, inv, out)
    second = _render(cli, inv, out)
    assert "GC322" in first.err
    assert [line for line in second.err.splitlines() if "GC322" in line] == [
        line for line in first.err.splitlines() if "GC322" in line
    ]


def test_hand_edited_tree_is_rendered_again(tmp_path: Path, cli) -> None:
    inv = inventories.write(tmp_path / "inv", inventories.inventory())
    out = tmp_path / "out"
    assert _render(cli, inv, out).rc == 0
    manager = out / "vpc-a" / "control-plane" / "cp-1" / "manager.yaml"
    original = manager.read_bytes()
    manager.write_text("edited\n")
    (out / "stray.yaml").write_text("x: 1\n")
    result = _render(cli, inv, out)
    assert "1 changed, 1 removed" in result.err
    assert manager.read_bytes() == original
    assert not (out / "stray.yaml").exists()


def test_changed_inventory_is_rendered_again(tmp_path: Path, cli) -> None:
    inv = inventories.write(tmp_path / "inv", inventories.inventory())
    out = tmp_path / "out"
    assert _render(cli, inv, out).rc == 0
    inventories.write(tmp_path / "inv", inventories.inventory(vpc={"location": "elsewhere"}))
    result = _render(cli, inv, out)
    assert "changed" in result.err and "unchanged)" not in result.err.splitlines()[-1].split("(")[0]
    assert (
        b"elsewhere" in (out / "vpc-a" / "control-plane" / "cp-1" / "scheduler.yaml").read_bytes()
    )


def test_no_cache_always_renders(tmp_path: Path, cli) -> None:
    inv = inventories.write(tmp_path / "inv", inventories.inventory())
    out = tmp_path / "out"
    assert _render(cli, inv, out).rc == 0
    result = _render(cli, inv, out, "--no-cache")
    assert "0 added, 0 changed, 0 removed" in result.err
    assert "inventory and generator unchanged" not in result.err
