"""``gencfg render``: write (or check) the rendered tree of an inventory."""

from __future__ import annotations

import sys
from pathlib import Path

from gencfg.cli.commands.validate import report
from gencfg.exitcodes import ExitCode
from gencfg.inventory.loader import source_label
from gencfg.tree import stamp
from gencfg.tree.manifest import MANIFEST
from gencfg.tree.writer import Changes, compare, write_tree


def default_output(inventory: Path) -> Path:
    """``rendered/<env>`` for ``inventories/<env>`` (the file's stem for a single file)."""
    name = inventory.resolve().name if inventory.is_dir() else inventory.stem
    return Path("rendered") / name


def _print_changes(changes: Changes, verbose: bool) -> None:
    marks = (("+", changes.added), ("~", changes.changed), ("-", changes.removed))
    for mark, paths in marks:
        for path in paths:
            sys.stdout.write(f"{mark} {path}\n")
    if verbose:
        for path in changes.unchanged:
            sys.stdout.write(f"= {path}\n")


def _summary(changes: Changes) -> str:
    return (
        f"{len(changes.added)} added, {len(changes.changed)} changed, "
        f"{len(changes.removed)} removed, {len(changes.unchanged)} unchanged"
    )


def run(
    *,
    inventory: Path,
    output: Path | None,
    check: bool,
    fmt: str,
    verbose: bool,
    cache: bool = True,
) -> int:
    """Render ``inventory`` into ``output``; with ``check``, only compare (exit 1 if stale)."""
    target = output or default_output(inventory)
    inputs = stamp.inputs_digest(inventory, source_label(inventory)) if cache else ""
    current = stamp.fresh(target, inputs) if cache else None
    if current is not None:
        warnings, count = current
        report(warnings, fmt)
        state = "up to date" if check else "0 added, 0 changed, 0 removed"
        sys.stderr.write(f"{target}: {state} ({count} files; inventory and generator unchanged)\n")
        return int(ExitCode.OK)
    # Imported here: a render the stamp skips never loads Jinja or jsonschema.
    from gencfg.render.build import validate_and_render  # noqa: PLC0415

    _, result, problems = validate_and_render(inventory)
    report(problems, fmt)
    if result is None:
        sys.stderr.write(f"gencfg: {inventory} is invalid; {target} was not touched\n")
        return int(ExitCode.INVALID)
    if check:
        changes = compare(target, result.files)
        _print_changes(changes, verbose)
        state = "stale" if changes.any else "up to date"
        sys.stderr.write(f"{target}: {state} ({_summary(changes)})\n")
        if changes.any:
            sys.stderr.write(f"run: gencfg render {inventory}\n")
        return int(ExitCode.CHANGES if changes.any else ExitCode.OK)
    changes = write_tree(target, result.files)
    if cache:
        stamp.record(target, inputs, result.files[MANIFEST], problems)
    _print_changes(changes, verbose)
    sys.stderr.write(f"{target}: {_summary(changes)}\n")
    if changes.leftover:
        sys.stderr.write(
            f"gencfg: warning: the new tree is in place, but {changes.leftover}; "
            f"the next render removes it\n"
        )
    return int(ExitCode.OK)
