"""``gencfg graph``: the topology as a Mermaid diagram."""

from __future__ import annotations

import sys
from pathlib import Path

from gencfg.cli.commands.validate import report
from gencfg.errors import InvalidInventoryError
from gencfg.exitcodes import ExitCode
from gencfg.graph import mermaid
from gencfg.inventory.validate import validate


def run(*, inventory: Path, fenced: bool) -> int:
    """Print the diagram (in a ```mermaid fence with ``fenced``, ready for Markdown)."""
    inv, problems = validate(inventory)
    if inv is None:
        raise InvalidInventoryError(problems)
    report([p for p in problems if not p.is_error], "text")
    text = mermaid(inv.model)
    sys.stdout.write(f"```mermaid\n{text}```\n" if fenced else text)
    return int(ExitCode.OK)
