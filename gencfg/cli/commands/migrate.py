"""``gencfg migrate``: rewrite an inventory for another Dragonfly release."""

from __future__ import annotations

import sys
from pathlib import Path

from gencfg.cli.commands.validate import report
from gencfg.errors import UserError
from gencfg.exitcodes import ExitCode
from gencfg.migrate import Migration, migrate, write


def _summary(m: Migration, output: Path | None, dry_run: bool) -> None:
    out = sys.stdout
    if not m.texts:
        out.write(f"{m.root}: already on {m.target}; nothing to migrate\n")
        return
    verb = "would change" if dry_run else "changed"
    where = f" (written to {output})" if output and not dry_run else ""
    out.write(f"{m.root}: {m.source} -> {m.target}{where}\n")
    for file, notes in sorted(m.notes.items()):
        out.write(f"{file}: {verb} {len(notes)} place{'s' if len(notes) != 1 else ''}\n")
        for line, note in notes:
            out.write(f"  {line}: {note}\n")
    if m.human:
        out.write("needs a person:\n")
        for item in m.human:
            out.write(f"  - {item}\n")


def run(
    *,
    inventory: Path,
    to: str,
    output: Path | None,
    drop_unsupported: bool,
    dry_run: bool,
    fmt: str,
) -> int:
    """Migrate ``inventory`` to ``to``; 0 done (or nothing to do), 2 if it cannot be."""
    m = migrate(inventory, to, drop_unsupported=drop_unsupported)
    report(m.problems, fmt)
    if not m.ok:
        sys.stderr.write(f"gencfg: {inventory} cannot be migrated to {to}; nothing was written\n")
        return int(ExitCode.INVALID)
    if not dry_run and m.texts:
        try:
            write(m, output)
        except FileExistsError as exc:
            raise UserError(f"--output: {exc}") from None
    _summary(m, output, dry_run)
    return int(ExitCode.OK)
