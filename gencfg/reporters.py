"""Print problems for people (text), machines (json) and CI annotations (github)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TextIO

from gencfg.problem import Problem


def text(problems: Sequence[Problem], out: TextIO) -> None:
    """``path:line:col: level CODE message``, one per line."""
    for p in problems:
        out.write(f"{p.location()}: {p.level} {p.code} {p.message}\n")


def as_json(problems: Sequence[Problem], out: TextIO) -> None:
    """A JSON list of problem objects."""
    items = [
        {
            "path": p.path,
            "line": p.line,
            "col": p.col,
            "level": str(p.level),
            "code": p.code,
            "message": p.message,
            "json_path": p.json_path,
        }
        for p in problems
    ]
    json.dump(items, out, indent=2)
    out.write("\n")


def github(problems: Sequence[Problem], out: TextIO) -> None:
    """GitHub Actions workflow commands, shown as annotations on the pull request."""
    for p in problems:
        kind = "error" if p.is_error else "warning"
        message = p.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        out.write(f"::{kind} file={p.path},line={p.line},col={p.col},title={p.code}::{message}\n")


REPORTERS: dict[str, Callable[[Sequence[Problem], TextIO], None]] = {
    "text": text,
    "json": as_json,
    "github": github,
}


def summary(problems: Sequence[Problem]) -> str:
    """``2 errors, 1 warning`` (or ``no problems``)."""
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    parts = [
        f"{n} {word}{'s' if n != 1 else ''}"
        for n, word in ((errors, "error"), (warnings, "warning"))
        if n
    ]
    return ", ".join(parts) or "no problems"
