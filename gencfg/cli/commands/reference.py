"""``gencfg reference``: print the inventory reference generated from the schema."""

from __future__ import annotations

import sys

from gencfg.exitcodes import ExitCode
from gencfg.inventory.reference import markdown


def run() -> int:
    """Print the reference as Markdown."""
    sys.stdout.write(markdown())
    return int(ExitCode.OK)
