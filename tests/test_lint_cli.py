"""``gencfg lint``: which trees, report formats and exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from gencfg.exitcodes import ExitCode
from tests.conftest import REPO
from tests.support.planted import GOLDEN, PEER, line_of, plant


def _copy(dest: Path) -> Path:
    shutil.copytree(GOLDEN, dest)
    return dest


def test_the_committed_example_passes(cli) -> None:
    result = cli("lint", "rendered/example", cwd=REPO)
    assert result.rc == ExitCode.OK, result.err
    assert "rendered/example: no problems" in result.err


def test_without_argument_every_rendered_tree_is_linted(cli, tmp_path: Path) -> None:
    _copy(tmp_path / "rendered" / "prod")
    _copy(tmp_path / "rendered" / "staging")
    (tmp_path / "rendered" / "notes").mkdir()  # no MANIFEST.json: not a tree, skipped
    plant(tmp_path / "rendered" / "staging", PEER, "keepStorage:", "keepStroage:")
    line, col = line_of(tmp_path / "rendered" / "staging", PEER, "keepStroage")
    result = cli("lint", cwd=tmp_path)
    assert result.rc == ExitCode.CHANGES
    assert result.err.startswith(f"rendered/staging/{PEER}:{line}:{col}: error GC650 ")
    assert "rendered/prod, rendered/staging: 1 error" in result.err


def test_no_rendered_tree_at_all_is_a_usage_error(cli, tmp_path: Path) -> None:
    result = cli("lint", cwd=tmp_path)
    assert result.rc == ExitCode.INVALID
    assert "no rendered tree" in result.err
    assert "Traceback" not in result.err


def test_a_directory_that_is_not_a_rendered_tree(cli, tmp_path: Path) -> None:
    result = cli("lint", str(tmp_path))
    assert result.rc == ExitCode.INVALID
    assert "not a gencfg rendered tree" in result.err


def test_a_broken_manifest_is_a_usage_error(cli, tmp_path: Path) -> None:
    tree = _copy(tmp_path / "example")
    (tree / "MANIFEST.json").write_text("<<<<<<< HEAD\n")
    result = cli("lint", str(tree))
    assert result.rc == ExitCode.INVALID
    assert "unreadable manifest" in result.err


def test_an_unsupported_kubernetes_version(cli) -> None:
    result = cli("lint", "--kubernetes-version", "1.12", str(GOLDEN))
    assert result.rc == ExitCode.INVALID
    assert "has schemas for 1.25 to" in result.err


def test_json_report_on_stdout(cli, tmp_path: Path) -> None:
    tree = _copy(tmp_path / "example")
    plant(tree, PEER, "keepStorage:", "keepStroage:")
    line, col = line_of(tree, PEER, "keepStroage")
    result = cli("lint", "--format", "json", str(tree))
    assert result.rc == ExitCode.CHANGES
    [problem] = json.loads(result.out)
    assert problem["path"] == f"{tree}/{PEER}"
    assert (problem["code"], problem["line"], problem["col"]) == ("GC650", line, col)
    assert problem["json_path"] == "keepStroage"


def test_github_annotations(cli, tmp_path: Path) -> None:
    tree = _copy(tmp_path / "example")
    plant(tree, PEER, "keepStorage:", "keepStroage:")
    line, col = line_of(tree, PEER, "keepStroage")
    result = cli("lint", "--format", "github", str(tree))
    assert result.err.startswith(f"::error file={tree}/{PEER},line={line},col={col},title=GC650::")


def test_warnings_alone_do_not_fail(cli, tmp_path: Path) -> None:
    tree = _copy(tmp_path / "example")
    plant(tree, PEER, "keepStorage: true", "keepStorage: true  #no space after the hash")
    result = cli("lint", str(tree))
    assert result.rc == ExitCode.OK, result.err
    assert "warning GC610" in result.err
    assert "1 warning" in result.err
