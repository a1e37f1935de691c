"""Command-line messages: checks found by code, --format json always JSON."""

from __future__ import annotations

import json
from pathlib import Path


def test_checks_finds_a_check_by_its_code(cli) -> None:
    by_code = cli("checks", "GC303")
    assert by_code.rc == 0
    assert by_code.out == cli("checks", "addresses-in-vpc").out
    assert cli("checks", "gc303").out == by_code.out


def test_checks_unknown_code(cli) -> None:
    result = cli("checks", "GC999")
    assert result.rc == 2
    assert "no check or code 'GC999'" in result.err


def test_json_format_prints_json_for_a_missing_inventory(cli, tmp_path: Path) -> None:
    result = cli("validate", "--format", "json", "missing", cwd=tmp_path)
    assert result.rc == 2
    [item] = json.loads(result.out)
    assert item["code"] == "GC000"
    assert item["message"] == "missing: no such inventory directory or file"


def test_json_format_prints_json_for_an_invalid_render(cli, tmp_path: Path) -> None:
    (tmp_path / "inv").mkdir()
    (tmp_path / "inv" / "a.yaml").write_text("deployment: {name: x}\n")
    result = cli("render", "--format", "json", "inv", cwd=tmp_path)
    assert result.rc == 2
    assert json.loads(result.out)[0]["code"].startswith("GC2")
