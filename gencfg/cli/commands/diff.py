"""``gencfg diff``: what a change to the inventory changes in the rendered tree."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from gencfg.cli.commands.render import default_output
from gencfg.cli.commands.validate import report
from gencfg.errors import InvalidInventoryError, UserError
from gencfg.exitcodes import ExitCode
from gencfg.inventory.loader import source_label
from gencfg.render.build import validate_and_render
from gencfg.review import linechange, markdown, removals
from gencfg.review.changes import compare, unified
from gencfg.review.gitbase import inventory_at
from gencfg.rollout import policy
from gencfg.tree.writer import existing_files


def _base_files(inventory: Path, base: str) -> dict[str, bytes]:
    with tempfile.TemporaryDirectory(prefix="gencfg-base-") as tmp:
        copy = inventory_at(base, inventory, Path(tmp))
        if copy is None:
            return {}
        _, built, problems = validate_and_render(copy, source_label(inventory))
        if built is None:
            errors = "; ".join(f"{p.code} {p.message}" for p in problems if p.is_error)
            raise UserError(
                f"the inventory at {base} is invalid ({errors}); diff against another --base"
            )
        return built.files


def _policy(old: dict[str, bytes], new: dict[str, bytes]) -> str | None:
    """The rollout policy the new tree is pushed with, and the old one's if it differs."""
    before, after = policy.of_files(old), policy.of_files(new)
    if after is not None and before is not None and before != after:
        return f"{after} (was: {before})"
    return after


def run(*, inventory: Path, base: str | None, rendered: Path | None, fmt: str) -> int:
    """Print the difference; exit 1 if there is one, 0 if not."""
    _, built, problems = validate_and_render(inventory)
    if built is None:
        raise InvalidInventoryError(problems)
    report(problems, "text")
    if base is not None:
        old = _base_files(inventory, base)
        against = base
    else:
        tree = rendered or default_output(inventory)
        old = {rel: path.read_bytes() for rel, path in existing_files(tree).items()}
        against = str(tree)
    changes = compare(old, built.files)
    line_change = linechange.detect(old, built.files, changes)
    removed = removals.detect(old, built.files)
    rollout_policy = _policy(old, built.files)
    if fmt == "markdown":
        title = f"gencfg diff: {source_label(inventory)} against {against}"
        text = markdown.render(title, changes, problems, rollout_policy)
        if line_change is not None:  # right under the title: it is what matters most
            head, _, rest = text.partition("\n\n")
            text = f"{head}\n\n{linechange.markdown(line_change)}{rest}"
        if removed:  # above all else: what the change loses
            head, _, rest = text.partition("\n\n")
            text = f"{head}\n\n{removals.markdown(removed)}{rest}"
        sys.stdout.write(text)
    else:
        sys.stderr.write("".join(f"{s}\n" for s in removals.lines(removed)))
        if line_change is not None:
            sys.stderr.write("".join(f"{s}\n" for s in linechange.steps(line_change)))
        sys.stdout.write(unified(changes))
        if changes and rollout_policy:
            sys.stderr.write(f"rollout policy: {rollout_policy}\n")
        sys.stderr.write(f"{len(changes)} file(s) differ from {against}\n")
    return int(ExitCode.CHANGES if changes else ExitCode.OK)
