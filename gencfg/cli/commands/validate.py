"""``gencfg validate``: report every problem of an inventory."""

from __future__ import annotations

import sys
from pathlib import Path

from gencfg.exitcodes import ExitCode
from gencfg.problem import Level, Problem
from gencfg.reporters import REPORTERS, summary


def report(problems: list[Problem], fmt: str) -> None:
    """Print problems in the chosen format (json on stdout, the others on stderr)."""
    REPORTERS[fmt](problems, sys.stdout if fmt == "json" else sys.stderr)


def run(*, inventory: Path, fmt: str, strict: bool) -> int:
    """Validate ``inventory``; 0 if valid, 2 if not (or if ``strict`` and any warning)."""
    from gencfg.render.build import validate_overrides  # noqa: PLC0415 - see commands.run

    valid, problems = validate_overrides(inventory)
    if strict:
        problems = [
            Problem(p.path, p.line, p.col, p.code, p.message, Level.ERROR, p.json_path)
            for p in problems
        ]
    report(problems, fmt)
    failed = valid is None or any(p.is_error for p in problems)
    if fmt != "json":
        state = "invalid" if failed else "valid"
        sys.stderr.write(f"{inventory}: {state} ({summary(problems)})\n")
    return int(ExitCode.INVALID if failed else ExitCode.OK)
