"""``gencfg migrate``: golden migrations, byte for byte, and what must stop one.

Each case under tests/migrations/<case>/ has ``args`` (the command's options),
``input/`` (a v2.1 inventory; the ``example`` case uses inventories/example itself) and
either ``expected/`` (the migrated inventory, file by file) or ``expected.txt`` (the
exact diagnostics of a migration that must write nothing). Regenerate on purpose with
``pytest --update-golden``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gencfg.tree.writer import existing_files
from tests.conftest import REPO

CASES_DIR = REPO / "tests" / "migrations"
CASES = sorted(p.name for p in CASES_DIR.iterdir() if p.is_dir())


def _input(case: Path) -> Path:
    return REPO / "inventories" / "example" if case.name == "example" else case / "input"


def _files(root: Path) -> dict[str, bytes]:
    return {rel: p.read_bytes() for rel, p in existing_files(root).items()}


@pytest.mark.parametrize("name", CASES)
def test_migration(name: str, tmp_path: Path, cli, update_golden: bool) -> None:
    case = CASES_DIR / name
    work = tmp_path / "inventory"
    shutil.copytree(_input(case), work)
    before = _files(work)
    args = (case / "args").read_text().split()
    result = cli("migrate", ".", *args, cwd=work)
    assert "Traceback" not in result.err
    if (case / "expected.txt").exists() or (update_golden and result.rc != 0):
        diagnostics = "".join(
            line + "\n" for line in result.err.splitlines() if not line.startswith("gencfg:")
        )
        if update_golden:
            (case / "expected.txt").write_text(diagnostics)
        assert result.rc == 2
        assert diagnostics == (case / "expected.txt").read_text()
        assert _files(work) == before, "a failed migration wrote something"
        return
    assert result.rc == 0, result.err
    if update_golden:
        shutil.rmtree(case / "expected", ignore_errors=True)
        shutil.copytree(work, case / "expected")
    assert _files(work) == _files(case / "expected")
    # A second migration is a no-op.
    again = cli("migrate", ".", *args, cwd=work)
    assert again.rc == 0, again.err
    assert "nothing to migrate" in again.out
    assert _files(work) == _files(case / "expected")
    # The result validates.
    assert cli("validate", ".", cwd=work).rc == 0


def test_untouched_lines_stay_byte_for_byte() -> None:
    """Every line of the input either survives as it was or is one the migration changed."""
    case = CASES_DIR / "odd-formatting"
    old = (case / "input" / "inventory.yaml").read_text().splitlines()
    new = (case / "expected" / "inventory.yaml").read_text().splitlines()
    kept = [line for line in old if line in new]
    assert "# odd formatting: 4-space maps, unindented sequences, quoted strings" in kept
    assert "    name: 'odd'     # single quoted" in kept
    assert "        total_rate_limit: 2048Mi   # spaces before comment" in kept
    assert '        version: "v2.5.1"      # quoted version' in new


def test_dry_run_writes_nothing(tmp_path: Path, cli) -> None:
    work = tmp_path / "inventory"
    shutil.copytree(CASES_DIR / "odd-formatting" / "input", work)
    before = _files(work)
    result = cli("migrate", ".", "--to", "v2.5.1", "--dry-run", cwd=work)
    assert result.rc == 0, result.err
    assert "would change" in result.out
    assert _files(work) == before


def test_output_directory_leaves_the_source_alone(tmp_path: Path, cli) -> None:
    source = CASES_DIR / "odd-formatting" / "input"
    out = tmp_path / "migrated"
    result = cli("migrate", str(source), "--to", "v2.5.1", "--output", str(out))
    assert result.rc == 0, result.err
    assert _files(out) == _files(CASES_DIR / "odd-formatting" / "expected")
    assert "v2.1.28" in (source / "inventory.yaml").read_text()
    again = cli("migrate", str(source), "--to", "v2.5.1", "--output", str(out))
    assert again.rc == 2 and "not empty" in again.err


@pytest.mark.parametrize(
    ("to", "message"),
    [("v2.4.0", "not a supported release"), ("latest", "not a supported release")],
)
def test_unsupported_targets(tmp_path: Path, cli, to: str, message: str) -> None:
    work = tmp_path / "inventory"
    shutil.copytree(CASES_DIR / "odd-formatting" / "input", work)
    result = cli("migrate", ".", "--to", to, cwd=work)
    assert result.rc == 2
    assert f"GC704 --to {to}: {message}" in result.err


def test_current_line_inventory_cannot_go_back(tmp_path: Path, cli) -> None:
    work = tmp_path / "inventory"
    shutil.copytree(REPO / "inventories" / "example-current", work)
    result = cli("migrate", ".", "--to", "v2.1.28", cwd=work)
    assert result.rc == 2
    assert "GC704" in result.err and "is not such a move" in result.err


def test_same_line_release_bump_changes_only_the_version(tmp_path: Path, cli) -> None:
    work = tmp_path / "inventory"
    shutil.copytree(REPO / "inventories" / "example-current", work)
    result = cli("migrate", ".", "--to", "v2.5.0", cwd=work)
    assert result.rc == 0, result.err
    text = (work / "deployment.yaml").read_text()
    assert "version: v2.5.0 " in text


def test_an_override_key_behind_a_schema_reference_is_kept(tmp_path: Path, cli) -> None:
    """The v2.5 scheduler's database.redis is a $ref in its schema: still a known key."""
    work = tmp_path / "inventory"
    shutil.copytree(CASES_DIR / "odd-formatting" / "input", work)
    text = (work / "inventory.yaml").read_text()
    text = text.replace(
        "    overrides:\n",
        "    overrides:\n        scheduler:\n            verbose: true\n"
        "            database: {redis: {backendDB: 4}}\n",
        1,
    )
    (work / "inventory.yaml").write_text(text)
    result = cli("migrate", ".", "--to", "v2.5.1", cwd=work)
    assert result.rc == 0, result.err
    migrated = (work / "inventory.yaml").read_text()
    assert "logLevel: debug" in migrated
    assert "backendDB: 4" in migrated
