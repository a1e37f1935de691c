"""Every exit code gencfg returns, in one place (scripts and CI jobs depend on them)."""

import enum


class ExitCode(enum.IntEnum):
    """Process exit codes of the ``gencfg`` command."""

    OK = 0
    """Success; for ``render --check``, ``diff`` and ``lint``: nothing to report."""
    CHANGES = 1
    """``render --check`` / ``diff``: the rendered tree would change; ``lint``: findings."""
    INVALID = 2
    """The inventory (or a command-line argument) is invalid; nothing was written."""
    ERROR = 3
    """An internal or environment error (a bug, a missing tool, an I/O failure)."""
    ROLLOUT_FAILED = 4
    """``rollout`` / ``preheat``: the push ran but hosts or jobs failed."""
    INTERRUPTED = 130
    """Interrupted by the user (Ctrl-C)."""
