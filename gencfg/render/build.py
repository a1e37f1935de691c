"""Everything a rendered tree holds, built in memory from a valid inventory."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from gencfg.inventory.loader import source_label
from gencfg.inventory.validate import Inventory, validate
from gencfg.problem import Problem, has_errors
from gencfg.render.engine import render_all
from gencfg.render.output import Rendered
from gencfg.render.plan import plan
from gencfg.tree import manifest


@dataclasses.dataclass(slots=True)
class Build:
    """The rendered files, the tree's bytes by path (MANIFEST included), and problems."""

    rendered: list[Rendered]
    files: dict[str, bytes]
    problems: list[Problem]


def build(inv: Inventory, label: str | None = None) -> Build:
    """Plan and render every file of ``inv``; MANIFEST.json describes them.

    ``label`` names the inventory in provenance headers (default: its path from the
    repository root); a copy checked out elsewhere passes the original's label.
    """
    label = label or source_label(inv.loaded.root)
    rendered, problems = render_all(plan(inv.model), inv.smap, label)
    files = {r.plan.path: r.content for r in rendered}
    files[manifest.MANIFEST] = manifest.dumps(manifest.build(inv.model, rendered))
    return Build(rendered, files, problems)


def validate_overrides(root: Path) -> tuple[Inventory | None, list[Problem]]:
    """Validate, including every override merged into its file, without rendering the rest.

    Only a file with overrides can fail its output schema through the user's input; any
    other failure is a template bug, which the test suite catches. So validation renders
    just those files: the same problems as a full render, for a fraction of its work.
    """
    inv, problems = validate(root)
    if inv is None:
        return None, problems
    overridden = [p for p in plan(inv.model) if p.overrides]
    _, found = render_all(overridden, inv.smap, source_label(inv.loaded.root))
    problems = sorted(problems + found)
    return (None if has_errors(problems) else inv), problems


def validate_and_render(
    root: Path, label: str | None = None
) -> tuple[Inventory | None, Build | None, list[Problem]]:
    """Validate, then render in memory: overrides are only checkable once merged.

    Returns the inventory and the build (both None on any error) and every problem.
    """
    inv, problems = validate(root)
    if inv is None:
        return None, None, problems
    result = build(inv, label)
    problems = sorted(problems + result.problems)
    if has_errors(problems):
        return None, None, problems
    return inv, result, problems
