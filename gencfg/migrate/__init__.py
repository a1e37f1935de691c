"""``gencfg migrate``: move an inventory from the v2.1 line to the current line.

The files are edited in place of their values (gencfg/migrate/textedit.py): comments,
key order, quoting, blank lines and the layout of every untouched line stay byte for
byte. The migrated inventory is validated and rendered in memory before anything is
written; any problem, or any setting that cannot be translated, writes nothing.
Migrating a migrated inventory changes nothing.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from pathlib import Path

from gencfg.dragonfly import releases
from gencfg.inventory.loader import discover
from gencfg.inventory.source import SourceMap
from gencfg.inventory.validate import validate
from gencfg.inventory.yamlload import load_yaml
from gencfg.migrate.plan import Context, plan_file
from gencfg.migrate.textedit import Document
from gencfg.problem import Problem, has_errors
from gencfg.render.build import validate_and_render

__all__ = ["Migration", "migrate", "write"]


@dataclasses.dataclass(slots=True)
class Migration:
    """The outcome: new texts by file, what changed, what needs a person, problems."""

    root: Path
    source: str
    target: str
    texts: dict[Path, tuple[str, str]] = dataclasses.field(default_factory=dict)
    """file -> (old text, new text), for the files that change."""
    notes: dict[Path, list[tuple[int, str]]] = dataclasses.field(default_factory=dict)
    human: list[str] = dataclasses.field(default_factory=list)
    problems: list[Problem] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the migration can be written."""
        return not has_errors(self.problems)


def _target(version: str, problems: list[Problem], where: str) -> releases.Line | None:
    release = releases.parse(version)
    line = releases.line_for(release) if release else None
    if line is None:
        supported = ", ".join(f"{ln.name} ({ln.first} to {ln.last})" for ln in releases.LINES)
        problems.append(
            Problem(where, 0, 0, "GC704", f"--to {version}: not a supported release ({supported})")
        )
    return line


def _after(migration: Migration) -> list[Problem]:
    """Validate and render the migrated inventory in a scratch copy; problems point home."""
    with tempfile.TemporaryDirectory(prefix="gencfg-migrate-") as scratch:
        copy = Path(scratch) / "inventory"
        shutil.copytree(migration.root, copy)
        for file, (_, new) in migration.texts.items():
            (copy / file.relative_to(migration.root)).write_text(new, encoding="utf-8")
        _, _, problems = validate_and_render(copy)
    home = str(migration.root)
    return [
        dataclasses.replace(
            p,
            path=p.path.replace(str(copy), home, 1),
            message=f"after migration: {p.message}",
        )
        for p in problems
        if p.is_error
    ]


def _standard_notes(migration: Migration, ctx: Context) -> list[str]:
    model = ctx.model
    dbs = sorted({f"{v.mysql.host}/{v.mysql.dbname}" for v in model.vpcs})
    return [
        f"back up each manager database ({', '.join(dbs)}) before the upgrade: the "
        f"{migration.target} manager migrates its schema forward on start, with no way back",
        "peers move from dfget.yaml to dfdaemon.yaml and their proxy from port 65001 to "
        "4001: the rollout switches each host's client and runtime files together "
        "(docs/upgrade.md)",
        "seed peers become seed clients (seed-client/dfdaemon.yaml); the v2.1 seed peers' "
        "rows stay in the manager database, unused",
    ]


def _plan(migration: Migration, ctx: Context, file: Path, *, same_line: bool) -> None:
    """Plan one file's edits; record its new text if it changes."""
    text = file.read_text(encoding="utf-8")
    data, _ = load_yaml(text, str(file), SourceMap(files=[str(file)]))
    doc = Document(str(file), text)
    if same_line:
        version = ("deployment", "dragonfly", "version")
        if isinstance(data, dict) and doc.node(version) is not None:
            doc.set_scalar(version, ctx.target, f"version {migration.source} -> {ctx.target}")
    elif isinstance(data, dict):
        plan_file(ctx, doc, data)
    new = doc.result()
    if new != text:
        migration.texts[file] = (text, new)
        migration.notes[file] = sorted(doc.notes)


def migrate(root: Path, to: str, *, drop_unsupported: bool = False) -> Migration:
    """Plan the migration of the inventory at ``root`` to Dragonfly ``to``."""
    inv, problems = validate(root)
    migration = Migration(root=root, source="", target=to)
    if inv is None:
        migration.problems = problems
        return migration
    model = inv.model
    migration.source = model.version
    target = _target(to, migration.problems, str(root))
    if target is None:
        return migration
    current = model.line
    if current.name == target.name and model.version == to:
        return migration  # already there: nothing to do
    if current.name != target.name and (current.name, target.name) != ("v2.1", "v2.5"):
        migration.problems.append(
            Problem(
                str(root),
                0,
                0,
                "GC704",
                f"gencfg migrates from the v2.1 line to the current line (v2.5); "
                f"{model.version} -> {to} is not such a move",
            )
        )
        return migration
    ctx = Context(model, to, target.name, drop_unsupported)
    for file in discover(root):
        _plan(migration, ctx, file, same_line=current.name == target.name)
    migration.problems = sorted(migration.problems + ctx.problems)
    if not migration.ok:
        return migration
    migration.human = ctx.human
    if current.name != target.name:
        migration.human += _standard_notes(migration, ctx)
    migration.problems += _after(migration)
    return migration


def write(migration: Migration, output: Path | None) -> list[Path]:
    """Write the migrated files (in place, or a copy of the inventory under ``output``).

    Each file is replaced atomically (written beside it, then renamed), keeping its mode.
    """
    if output is not None:
        if output.exists() and any(output.iterdir()):
            raise FileExistsError(f"{output} exists and is not empty")
        shutil.copytree(migration.root, output, dirs_exist_ok=True)
    written = []
    for file, (_, new) in sorted(migration.texts.items()):
        dest = file if output is None else output / file.relative_to(migration.root)
        tmp = dest.with_name(f".{dest.name}.gencfg-tmp")
        tmp.write_text(new, encoding="utf-8")
        shutil.copymode(dest, tmp)
        tmp.replace(dest)
        written.append(dest)
    return written
