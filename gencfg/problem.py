"""The one value type for every diagnostic gencfg reports."""

from __future__ import annotations

import dataclasses
import enum


class Level(enum.StrEnum):
    """How serious a problem is; only errors make a command fail."""

    ERROR = "error"
    WARNING = "warning"


@dataclasses.dataclass(frozen=True, order=True, slots=True)
class Problem:
    """A diagnostic tied to a place in a file.

    ``line`` and ``col`` are 1-based; 0 means "the whole file". ``json_path`` is the
    location inside the document (``vpcs[0].lb.internal_ip``) and may be empty.
    """

    path: str
    line: int
    col: int
    code: str
    message: str
    level: Level = dataclasses.field(default=Level.ERROR, compare=False)
    json_path: str = dataclasses.field(default="", compare=False)

    @property
    def is_error(self) -> bool:
        """Whether this problem makes the command fail."""
        return self.level is Level.ERROR

    def location(self) -> str:
        """``path:line:col`` as editors and CI annotations understand it."""
        return f"{self.path}:{self.line}:{self.col}"


def has_errors(problems: list[Problem]) -> bool:
    """Whether any of ``problems`` is an error."""
    return any(p.is_error for p in problems)
