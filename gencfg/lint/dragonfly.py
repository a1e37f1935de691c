"""Dragonfly configs (manager, scheduler, peers and seeds, preheat jobs) against their line.

ID: ``dragonfly``. Codes GC650, GC651 (errors).

The MANIFEST's release picks the line (schemas/dragonfly/v2.1/ or v2.5/) and each
file's kind the schema. The peer config a node group's ConfigMap embeds
(``data."dfget.yaml"``, ``data."dfdaemon.yaml"`` on the current line) is checked too,
with its problems at their line in the ConfigMap. Dragonfly ignores keys it does not
know, so a misspelt key is not an error at startup: the setting silently keeps its
default. That is why unknown keys are errors here. The Rust client is stricter on
types: a wrong type, a null section or a bare-integer duration stops it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

from gencfg.dragonfly import releases
from gencfg.inventory.source import Mark, SourceMap
from gencfg.lint import schema
from gencfg.lint.base import LintContext
from gencfg.lint.parse import Parsed, parse_yaml
from gencfg.problem import Problem

ID = "dragonfly"
CODES = {
    "GC650": "a key the pinned Dragonfly release does not read (misspelt? silently ignored)",
    "GC651": "a value the pinned Dragonfly release refuses",
}
_CODES = ("GC650", "GC651")

SCHEMA_OF_KIND = {
    "manager-config": "manager",
    "scheduler-config": "scheduler",
    "seed-peer-config": "peer",
    "peer-config": "peer",
    "preheat-job": "preheat-job",
}
"""MANIFEST kind -> schema name in the line's directory (``peer``: the line's peer config)."""
EMBEDDED = ("k8s-configmap",)
"""MANIFEST kinds that embed the peer config as text under ``data."<peer config>"``."""


def _check(parsed: Parsed, schema_id: str, name: str) -> Iterator[Problem]:
    if parsed.problem is not None:
        yield parsed.problem
        return
    what = f"{name} ({schema_id})"
    for finding in schema.findings(parsed.doc, schema_id):
        yield schema.problem(finding, parsed.smap, _CODES, what)


def _shifted(parsed: Parsed, move: Callable[[Mark], Mark]) -> Parsed:
    smap = SourceMap(
        values={p: move(m) for p, m in parsed.smap.values.items()},
        keys={p: move(m) for p, m in parsed.smap.keys.items()},
        files=parsed.smap.files,
    )
    problem = parsed.problem
    if problem is not None:
        mark = move(Mark(problem.path, problem.line, problem.col))
        problem = dataclasses.replace(problem, line=mark.line, col=mark.col)
    return Parsed(parsed.doc, smap, problem)


def _embedded(ctx: LintContext, rel: str, parsed: Parsed, where: tuple[str, ...]) -> Parsed | None:
    """The embedded document, positioned in the host file (exactly, for a ``|`` block)."""
    text = parsed.doc
    for key in where:
        text = text.get(key) if isinstance(text, dict) else None
    if not isinstance(text, str):
        return None
    inner = parse_yaml(text, ctx.label(rel))
    at = parsed.smap.values.get(where)
    if at is None:
        return _shifted(inner, lambda m: Mark(m.file, 0, 0))
    host_text = ctx.text(rel)
    lines = host_text.splitlines() if isinstance(host_text, str) else []
    block = lines[at.line - 1][at.col - 1 : at.col] == "|" if at.line <= len(lines) else False
    body = next((ln for ln in lines[at.line :] if ln.strip()), "")
    indent = len(body) - len(body.lstrip(" "))
    if not block:  # a quoted or folded scalar: lines do not map one to one
        return _shifted(inner, lambda m: Mark(m.file, at.line, at.col))
    return _shifted(inner, lambda m: Mark(m.file, at.line + m.line, m.col + indent if m.col else 0))


def lint(ctx: LintContext) -> Iterator[Problem]:
    """Every Dragonfly config, by MANIFEST kind, and every embedded one."""
    line = releases.line_of(ctx.tree.dragonfly) or releases.V2_1
    for rel in ctx.files(lambda _rel, kind: kind in SCHEMA_OF_KIND):
        kind = str(ctx.tree.entries[rel]["kind"])
        schema_id = line.schema(SCHEMA_OF_KIND[kind])
        yield from _check(ctx.parsed(rel), schema_id, rel.rsplit("/", 1)[-1])
    where = ("data", line.peer_config)
    schema_id = line.schema("peer")
    for rel in ctx.files(lambda _rel, kind: kind in EMBEDDED):
        parsed = ctx.parsed(rel)
        if parsed.problem is not None:
            continue  # the file's own linter (kubernetes) reports it
        inner = _embedded(ctx, rel, parsed, where)
        if inner is not None:
            yield from _check(inner, schema_id, ".".join(where))
