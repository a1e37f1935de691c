"""Exceptions. Nothing here prints: the CLI funnel (gencfg.cli) turns them into output."""

from __future__ import annotations

from gencfg.exitcodes import ExitCode
from gencfg.problem import Problem


class GencfgError(Exception):
    """Base of every error gencfg raises on purpose."""

    exit_code: ExitCode = ExitCode.ERROR


class UserError(GencfgError):
    """A mistake the user can fix (bad argument, missing directory); shown without traceback."""

    exit_code = ExitCode.INVALID


class InvalidInventoryError(UserError):
    """The inventory has errors; ``problems`` holds every one of them."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{sum(p.is_error for p in problems)} error(s) in the inventory")
        self.problems = problems


class ExternalError(GencfgError):
    """A required external tool or resource is missing or failed (exit code 3)."""
