"""Every file under an inventory directory is read or reported; inputs are bounded.

The rule (docs/inventory.md): hidden entries and files not named ``*.yaml``/``*.yml``
in any spelling are ignored; ``.yaml``/``.yml`` files are read, symlinks followed; a
dangling symlink, a symlink loop or another spelling of the suffix is an error.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gencfg.inventory import loader
from tests.conftest import EXAMPLES, REPO

SPLIT = EXAMPLES / "valid" / "two-vpcs-split"


def _inventory(tmp_path: Path) -> Path:
    inv = tmp_path / "inv"
    shutil.copytree(SPLIT, inv, ignore=shutil.ignore_patterns("expected.txt"))
    return inv


def test_dangling_symlink_is_an_error(tmp_path: Path, cli) -> None:
    inv = _inventory(tmp_path)
    (inv / "vpc-c.yaml").symlink_to("missing/vpc-c.yaml")
    result = cli("validate", ".", cwd=inv)
    assert result.rc == 2
    assert (
        "vpc-c.yaml:0:0: error GC107 cannot read file: a dangling symlink "
        "(to missing/vpc-c.yaml)" in result.err
    )


def test_dangling_symlinked_directory_is_an_error(tmp_path: Path, cli) -> None:
    inv = _inventory(tmp_path)
    (inv / "more").symlink_to(tmp_path / "gone", target_is_directory=True)
    result = cli("validate", ".", cwd=inv)
    assert result.rc == 2
    assert "more:0:0: error GC107 cannot read: a dangling symlink" in result.err


def _names(paths: list[Path], root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in paths]


EXPECTED = sorted(p.relative_to(SPLIT).as_posix() for p in SPLIT.rglob("*.yaml"))


def test_files_in_a_symlinked_directory_are_read(tmp_path: Path) -> None:
    inv = _inventory(tmp_path)
    (inv / "vpcs").rename(tmp_path / "shared-vpcs")
    (inv / "vpcs").symlink_to(tmp_path / "shared-vpcs", target_is_directory=True)
    found = loader.discover_all(inv)
    assert found.problems == []
    assert _names(found.files, inv) == EXPECTED


def test_symlinked_file_is_read(tmp_path: Path) -> None:
    inv = _inventory(tmp_path)
    first = inv / EXPECTED[-1]
    first.rename(tmp_path / first.name)
    first.symlink_to(tmp_path / first.name)
    assert _names(loader.discover_all(inv).files, inv) == EXPECTED


def test_symlink_loop_is_reported_once(tmp_path: Path) -> None:
    inv = _inventory(tmp_path)
    (inv / "loop").symlink_to(inv, target_is_directory=True)
    found = loader.discover_all(inv)
    assert [(Path(p.path).name, p.code) for p in found.problems] == [("loop", "GC107")]


def test_ignored_files_follow_the_documented_rule(tmp_path: Path) -> None:
    inv = _inventory(tmp_path)
    (inv / "README.md").write_text("notes\n")
    (inv / ".swap.yaml").write_text("{{{\n")
    (inv / ".git").mkdir()
    (inv / ".git" / "x.yaml").write_text("{{{\n")
    (inv / "backup.yaml~").write_text("{{{\n")
    found = loader.discover_all(inv)
    assert found.problems == []
    assert _names(found.files, inv) == EXPECTED


def test_file_above_the_size_limit(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    inv = _inventory(tmp_path)
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 100)
    result = cli("validate", ".", cwd=inv)
    assert result.rc == 2
    assert "error GC109 the file is" in result.err
    assert "inventory files are limited to 100 bytes (split it, one file per VPC)" in result.err


def test_inventory_above_the_total_limit(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    inv = _inventory(tmp_path)
    sizes = sorted(p.stat().st_size for p in inv.rglob("*.yaml"))
    monkeypatch.setattr(loader, "MAX_TOTAL_BYTES", sizes[0] + sizes[1] - 1)
    result = cli("validate", ".", cwd=inv)
    assert result.rc == 2
    assert f"error GC109 the inventory exceeds {sizes[0] + sizes[1] - 1:,} bytes" in result.err


def test_too_many_machines(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    inv = _inventory(tmp_path)
    monkeypatch.setattr(loader, "MAX_HOSTS", 2)
    result = cli("validate", ".", cwd=inv)
    assert result.rc == 2
    assert "machines; one inventory is limited to 2 (split the deployment)" in result.err


def test_limits_hold_a_100000_node_inventory() -> None:
    """The limits leave room for the benchmark's 100,000 nodes (issue 17's large shape)."""
    assert loader.MAX_HOSTS >= 102_000
    assert loader.MAX_FILE_BYTES >= 4 * 1024 * 1024


@pytest.mark.parametrize("name", ["example", "example-current"])
def test_deferred_positions_are_the_positions(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A clean inventory's marks are read only when needed, and then are the same ones.

    The second file of a split inventory numbers its VPCs after the first's.
    """
    root = tmp_path / name
    shutil.copytree(REPO / "inventories" / name, root)
    assert len(list((root / "vpcs").glob("*.yaml"))) > 1
    deferred, problems = loader.load_inventory(root)
    assert not problems
    assert deferred.smap._pending  # nothing read yet
    monkeypatch.setattr(loader, "load_yaml_value", lambda text, name: (None, []))  # eager
    eager, _ = loader.load_inventory(root)
    assert deferred.data == eager.data
    assert deferred.smap.values == eager.smap.values
    assert deferred.smap.keys == eager.smap.keys
