"""gencfg lint on the current line's tree (v2.5 + Rust client): its rules, not v2.1's.

The Rust client reads dfdaemon.yaml with serde: keys are case-sensitive, a null section
and a bare-integer duration stop the daemon. The planted mistakes are exactly those.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.planted import found, kind_files, line_of, lint, plant

GOLDEN = Path(__file__).resolve().parents[1] / "rendered" / "example-current"
PEER = "vpc-a/peers/build-a-1/dfdaemon.yaml"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "example-current"
    shutil.copytree(GOLDEN, root)
    return root


def test_the_committed_current_example_lints_clean() -> None:
    assert lint(GOLDEN) == []
    assert lint(GOLDEN, "1.25") == []


def test_a_key_in_the_wrong_case_is_found(tree: Path) -> None:
    """viper would accept schedulerClusterId; serde silently ignores it."""
    plant(tree, PEER, "  schedulerClusterID:", "  schedulerClusterId:")
    problems = lint(tree)
    assert found(problems, PEER) == [("GC650", *line_of(tree, PEER, "schedulerClusterId"))]
    assert "did you mean 'schedulerClusterID'?" in problems[0].message


def test_a_null_section_and_a_bare_integer_duration_are_refused(tree: Path) -> None:
    plant(tree, PEER, "  pieceTimeout: 600s", "  pieceTimeout: 600")
    plant(tree, PEER, "stats:\n  server:\n    port: 4004", "stats: null")
    problems = found(lint(tree), PEER)
    at_value = [
        (line, col + len(key))
        for line, col, key in (
            (*line_of(tree, PEER, "pieceTimeout: 600"), "pieceTimeout: "),
            (*line_of(tree, PEER, "stats: null"), "stats: "),
        )
    ]
    assert problems == [("GC651", *where) for where in at_value]


def test_the_configmap_embeds_dfdaemon_yaml_and_is_checked_in_place(tree: Path) -> None:
    rel = kind_files(tree, "k8s-configmap")[0]
    plant(tree, rel, "      bandwidthLimit:", "      bandwidthlimit:")
    assert [c for c, *_ in found(lint(tree), rel)] == ["GC650"]
    assert found(lint(tree), rel)[0][1:] == line_of(tree, rel, "bandwidthlimit")


def test_a_v21_key_in_a_current_line_tree_is_found(tree: Path) -> None:
    """A dfget.yaml habit (calculateDigest) has no meaning to the Rust client."""
    plant(tree, PEER, "  protocol: tcp\n", "  protocol: tcp\n  calculateDigest: true\n")
    assert [c for c, *_ in found(lint(tree), PEER)] == ["GC650"]
