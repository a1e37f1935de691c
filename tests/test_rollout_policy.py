"""Which failure policy a rollout runs with, in words, in ``gencfg diff``'s output."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from gencfg.rollout import policy
from gencfg.units import format_duration
from tests.conftest import Result
from tests.support import inventories


@pytest.mark.parametrize(
    ("variables", "text"),
    [
        ({"gencfg_max_fail_percentage": 0}, "fail fast: the first failed host stops the rollout"),
        (
            {"gencfg_max_fail_percentage": 20},
            "fail fast: a failed or unreachable host counts against the failure budget at "
            "once (max_fail_percentage 20)",
        ),
        (
            {
                "gencfg_max_fail_percentage": 0,
                "gencfg_retry": {"max_duration": 3600, "interval": 30},
            },
            "retry unhealthy or unreachable hosts every 30s for up to 1h; a host still "
            "failing then stops the rollout",
        ),
        (
            {"gencfg_max_fail_percentage": 10, "gencfg_retry": {"max_duration": 90, "interval": 5}},
            "retry unhealthy or unreachable hosts every 5s for up to 1m30s; a host still "
            "failing then counts against the failure budget (max_fail_percentage 10)",
        ),
    ],
)
def test_describe(variables: dict[str, object], text: str) -> None:
    assert policy.describe(variables) == text


def test_unreadable_variables_say_nothing(tmp_path: Path) -> None:
    assert policy.of_tree(tmp_path) is None
    assert policy.of_files({policy.VARIABLES: b"[not: a mapping"}) is None
    assert policy.of_files({policy.VARIABLES: b"- a list\n"}) is None
    assert policy.of_files({policy.VARIABLES: b"gencfg_retry: {interval: 30}\n"}) is None


def test_format_duration() -> None:
    assert [format_duration(s) for s in (0, 1, 60, 3600, 5400, 86399)] == [
        "0s",
        "1s",
        "1m",
        "1h",
        "1h30m",
        "23h59m59s",
    ]


def test_diff_says_which_policy_the_change_is_rolled_out_with(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    data = inventories.inventory()
    inv = inventories.write(tmp_path / "inv", data)
    out = tmp_path / "out"
    assert cli("render", str(inv), "--output", str(out)).rc == 0
    data["vpcs"][0]["location"] = "moved"
    inventories.write(tmp_path / "inv", data)
    text = cli("diff", str(inv), "--rendered", str(out))
    assert text.rc == 1
    fail_fast = "fail fast: the first failed host stops the rollout"
    assert f"rollout policy: {fail_fast}\n" in text.err

    data["deployment"]["rollout"] = {"retry": {"max_duration": "1h", "interval": "30s"}}
    inventories.write(tmp_path / "inv", data)
    retry = (
        "retry unhealthy or unreachable hosts every 30s for up to 1h; "
        "a host still failing then stops the rollout"
    )
    text = cli("diff", str(inv), "--rendered", str(out))
    assert f"rollout policy: {retry} (was: {fail_fast})\n" in text.err
    md = cli("diff", str(inv), "--rendered", str(out), "--format", "markdown")
    assert f"\nRollout policy: {retry} (was: {fail_fast}).\n" in md.out
    assert md.out.index("Rollout policy:") < md.out.index("<details>")


def test_diff_without_changes_says_no_policy(tmp_path: Path, cli: Callable[..., Result]) -> None:
    inv = inventories.write(tmp_path / "inv", inventories.inventory())
    out = tmp_path / "out"
    assert cli("render", str(inv), "--output", str(out)).rc == 0
    text = cli("diff", str(inv), "--rendered", str(out))
    assert text.rc == 0
    assert "rollout policy" not in text.err
