"""The validate stage: load -> schema -> resolve -> semantic checks, stopping at errors."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from gencfg.checks import run_checks
from gencfg.checks.base import CheckContext
from gencfg.inventory.loader import LoadedInventory, load_inventory
from gencfg.inventory.model import Deployment
from gencfg.inventory.resolve import resolve
from gencfg.inventory.schema import validate_schema
from gencfg.inventory.source import SourceMap
from gencfg.problem import Problem, has_errors


@dataclasses.dataclass(slots=True)
class Inventory:
    """A valid inventory: its model, its sources, and the warnings it passed with."""

    model: Deployment
    loaded: LoadedInventory
    warnings: list[Problem]

    @property
    def smap(self) -> SourceMap:
        """Source positions of the inventory's values."""
        return self.loaded.smap


def validate(root: Path) -> tuple[Inventory | None, list[Problem]]:
    """Validate the inventory at ``root``.

    Returns the inventory (None if any error was found) and every problem, sorted.
    Each stage runs only on the output of a clean previous stage, so one mistake is
    reported once, at its source.
    """
    loaded, problems = load_inventory(root)
    if not has_errors(problems):
        problems += validate_schema(loaded.data, loaded.smap)
    if has_errors(problems):
        return None, sorted(problems)
    model = resolve(loaded.data)
    problems += run_checks(CheckContext(model, loaded.smap, loaded.data))
    problems = sorted(problems)
    if has_errors(problems):
        return None, problems
    return Inventory(model, loaded, problems), problems
