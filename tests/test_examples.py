"""Every inventory under tests/examples/ gives exactly the diagnostics it expects.

``valid/<case>/`` must validate (exit 0); ``invalid/<case>/`` must fail (exit 2). Each
case's ``expected.txt`` holds the exact diagnostic lines; rewrite them only on purpose,
with ``pytest --update-golden``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gencfg.checks import all_codes
from tests.conftest import EXAMPLES

CASES = sorted(p for p in EXAMPLES.glob("*/*") if p.is_dir())


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_example(case: Path, cli, update_golden: bool) -> None:
    result = cli("validate", ".", cwd=case)
    lines = result.err.splitlines()
    diagnostics = "".join(line + "\n" for line in lines[:-1])
    expected_file = case / "expected.txt"
    if update_golden:
        expected_file.write_text(diagnostics)
    assert result.rc == (0 if case.parent.name == "valid" else 2)
    assert "Traceback" not in result.err
    assert lines[-1].startswith(".: ")
    assert diagnostics == expected_file.read_text()


def test_corpus_is_large_enough() -> None:
    """The corpus covers at least 25 distinct mistakes."""
    assert len(list(EXAMPLES.glob("invalid/*"))) >= 25


def test_every_check_code_is_exercised() -> None:
    """Each code a check can emit appears in some example's expected output."""
    seen = "".join(p.read_text() for p in EXAMPLES.glob("*/*/expected.txt"))
    codes = [*all_codes(), "GC401", "GC402"]  # + overrides checked against output schemas
    missing = [code for code in codes if f" {code} " not in seen]
    assert missing == []
