"""Command line: generate the schemas of one Dragonfly release line."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from dfschema.emit import key_counts, write_schema
from dfschema.gobuild import SchemaBuilder
from dfschema.golang import GoParser
from dfschema.model import JSON, GenError, GitTree
from dfschema.notes import NoteKey
from dfschema.profiles import Line, line_for_tag

USAGE = """\
Generate JSON Schemas (draft 2020-12) for the Dragonfly config files of one release line.

    python3 tools/gen_dragonfly_schemas.py --git-dir <Dragonfly git dir> --tag v2.1.28 \\
        --out schemas/dragonfly/v2.1
    python3 tools/gen_dragonfly_schemas.py --git-dir <Dragonfly git dir> --tag v2.5.1 \\
        --client-git-dir <client git dir> --out schemas/dragonfly/v2.5
"""


def generate_go(line: Line, tree: GitTree) -> dict[str, JSON]:
    """Return the Go-derived schemas of a line, by file name."""
    parser = GoParser(tree)
    schemas: dict[str, JSON] = {}
    used: set[NoteKey] = set()
    relevant: set[NoteKey] = set()
    for profile in line.go_profiles:
        builder = SchemaBuilder(parser, tree, profile, line)
        schemas[profile.name] = builder.build()
        used |= builder.notes_used
        relevant |= {k for k in line.notes if k[0] == profile.root_pkg}
    stale = relevant - used
    if stale:
        raise GenError(f"field notes that match no field: {sorted(stale)}")
    return schemas


def generate_rust(line: Line, tree: GitTree, client_tree: GitTree | None) -> dict[str, JSON]:
    """Return the schemas of the Rust client pinned by the line's submodule."""
    if not line.rust_profiles:
        return {}
    if client_tree is None:
        raise GenError(f"line {line.name} needs --client-git-dir ({line.client_repo})")
    from dfschema.rustbuild import RustSchemaBuilder  # noqa: PLC0415

    pinned = tree.submodule_commit(line.client_submodule)
    if client_tree.commit() != pinned:
        raise GenError(
            f"{tree.tag} pins {line.client_submodule} at {pinned[:8]}, but client tag "
            f"{client_tree.tag} is {client_tree.commit()[:8]}"
        )
    return {p.name: RustSchemaBuilder(client_tree, p, line).build() for p in line.rust_profiles}


def generate(
    git_dir: Path,
    tag: str,
    out_dir: Path,
    client_git_dir: Path | None = None,
    client_tag: str = "",
) -> list[Path]:
    """Generate all schemas of the tag's line and return the written paths."""
    line = line_for_tag(tag)
    tree = GitTree(git_dir, tag)
    schemas = generate_go(line, tree)
    client_tree = None
    if client_git_dir is not None:
        client_tree = GitTree(client_git_dir, client_tag or _client_tag(line, tree, client_git_dir))
    schemas.update(generate_rust(line, tree, client_tree))
    if "preheat-job" in line.extra:
        from dfschema.preheat import preheat_schema  # noqa: PLC0415

        schemas["preheat-job"] = preheat_schema(GoParser(tree), tree, line)
    written = []
    for name, schema in schemas.items():
        written.append(write_schema(out_dir / f"{name}.schema.json", schema))
    return written


def _client_tag(line: Line, tree: GitTree, client_git_dir: Path) -> str:
    """Return the client tag that points at the commit the line's submodule pins."""
    pinned = tree.submodule_commit(line.client_submodule)
    out = subprocess.run(
        ["git", "--git-dir", str(client_git_dir), "tag", "--points-at", pinned],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    if not out:
        raise GenError(f"no client tag points at the pinned commit {pinned}; pass --client-tag")
    return sorted(out)[0]


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        description=USAGE.splitlines()[0],
        epilog=USAGE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--git-dir", type=Path, required=True, help="Dragonfly git directory")
    parser.add_argument("--tag", required=True, help="git tag, e.g. v2.1.28 or v2.5.1")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--client-git-dir", type=Path, help="dragonflyoss/client git directory")
    parser.add_argument("--client-tag", default="", help="default: the tag the submodule pins")
    args = parser.parse_args(argv)
    try:
        paths = generate(args.git_dir, args.tag, args.out, args.client_git_dir, args.client_tag)
    except (GenError, subprocess.CalledProcessError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    import json  # noqa: PLC0415

    for path in paths:
        leaves, total = key_counts(json.loads(path.read_text(encoding="utf-8")))
        print(f"{path}\t{leaves} leaf keys / {total} properties")
    return 0
