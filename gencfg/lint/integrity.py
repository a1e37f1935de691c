"""The tree on disk is exactly what MANIFEST.json says gencfg rendered.

ID: ``integrity``. Codes GC600, GC601, GC602 (errors, on the whole file).

A rendered tree is reviewed and pushed as generated; a hand edit is lost at the next
render and, until then, pushes something no inventory describes. ``gencfg render
--check`` finds the same drift but needs the inventory; this needs only the tree.
"""

from __future__ import annotations

from collections.abc import Iterator

from gencfg.lint.base import LintContext
from gencfg.problem import Problem
from gencfg.tree.manifest import MANIFEST, sha256

ID = "integrity"
CODES = {
    "GC600": "the file's sha256 differs from MANIFEST.json (edited by hand?)",
    "GC601": "the file is not listed in MANIFEST.json (not rendered by gencfg)",
    "GC602": "MANIFEST.json lists a file that is missing",
}


def lint(ctx: LintContext) -> Iterator[Problem]:
    """Compare every file's digest with its MANIFEST entry, and the two file lists."""
    entries, on_disk = ctx.tree.entries, ctx.tree.on_disk
    for rel in sorted(on_disk):
        entry = entries.get(rel)
        if entry is None:
            yield ctx.problem(
                rel,
                "GC601",
                f"not listed in {MANIFEST}: gencfg did not render it; remove it, or render "
                f"the inventory again",
            )
            continue
        data = ctx.read(rel)
        if isinstance(data, Problem):
            yield data
        elif sha256(data) != entry.get("sha256"):
            yield ctx.problem(
                rel,
                "GC600",
                f"content differs from its sha256 in {MANIFEST}: edited after rendering; "
                f"change the inventory and render again instead",
            )
    for rel in sorted(set(entries) - set(on_disk)):
        yield ctx.problem(rel, "GC602", f"listed in {MANIFEST} but missing; render again")
