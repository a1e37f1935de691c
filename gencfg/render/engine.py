"""The render stage: template -> parse -> merge overrides -> validate -> deterministic bytes."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import tomllib
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import jinja2

from gencfg import __version__
from gencfg.inventory.source import SourceMap, format_path
from gencfg.inventory.yamlload import load_yaml_value
from gencfg.problem import Problem
from gencfg.render import outschema, overrides, yamlout
from gencfg.render.jinja import environment
from gencfg.render.output import OutputFile, Rendered
from gencfg.render.outschema import TemplateBugError


def header(plan: OutputFile, source_label: str) -> str:
    """The provenance comment of a rendered file (no timestamps: output is reproducible)."""
    return (
        f"# Rendered by gencfg {__version__}; do not edit "
        f"(change the inventory, run gencfg render).\n"
        f"# Source: {source_label}, {format_path(plan.source)}\n"
        f"# Template: {plan.template}\n"
    )


def _parse(plan: OutputFile, text: str) -> Any:
    if plan.fmt == "yaml":
        doc, problems = load_yaml_value(text, plan.template)
        if problems:
            raise TemplateBugError(f"{plan.path}: template output is not valid YAML: {problems[0]}")
        return doc
    if plan.fmt == "json":
        return json.loads(text)
    return tomllib.loads(text)


def _check(
    plan: OutputFile, doc: Any, origins: overrides.Origins, smap: SourceMap
) -> list[Problem]:
    assert plan.schema is not None
    return outschema.check(doc, plan.schema, origins, smap, plan.path)


Bodies = dict[tuple[str, str | None, str], str]
"""A file's text as rendered by Jinja -> its final text, less the provenance header."""

MEMO_MAX = 1 << 16
"""Longest template output remembered: larger ones (the Ansible inventory) are unique."""


def _template(plan: OutputFile, embedded: dict[str, str] | None) -> str:
    try:
        return environment().get_template(plan.template).render(**plan.context, **(embedded or {}))
    except jinja2.TemplateError as exc:
        raise TemplateBugError(f"{plan.path}: template {plan.template}: {exc}") from exc


def _body(plan: OutputFile, text: str, smap: SourceMap) -> tuple[str | None, list[Problem]]:
    """Parse ``text``, merge the overrides, validate, re-emit: the file less its header."""
    try:
        doc = _parse(plan, text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise TemplateBugError(f"{plan.path}: template output does not parse: {exc}") from exc
    origins: overrides.Origins = {}
    if plan.overrides:
        doc, origins = overrides.apply(doc, plan.overrides)
    if plan.schema:
        problems = _check(plan, doc, origins, smap)
        if problems:
            return None, problems
    if plan.fmt == "yaml":
        return yamlout.dump(doc, sections=len(text) <= MEMO_MAX), []
    if plan.fmt == "json":
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n", []
    return text, []  # toml: rendered as written (no overrides), after proving it parses


def render_one(
    plan: OutputFile,
    smap: SourceMap,
    source_label: str,
    embedded: dict[str, str] | None = None,
    bodies: Bodies | None = None,
) -> tuple[Rendered | None, list[Problem]]:
    """Render one planned file; problems are the user's (overrides), bugs raise TemplateBugError.

    ``bodies`` remembers, across calls, what each template output became. Without
    overrides, parsing, validating and re-emitting are pure functions of the format, the
    schema and the text, and many files render the same text (a registry's hosts.toml in
    every VPC, the compose file of every peer VM): each distinct text is parsed,
    validated against its output schema and emitted once. A text that fails is never
    remembered, so every file that renders it raises with its own path.
    """
    text = _template(plan, embedded)
    if plan.fmt == "text":
        return Rendered(plan, (header(plan, source_label) + text).encode()), []
    key = (plan.fmt, plan.schema, text)
    remember = bodies is not None and not plan.overrides and len(text) <= MEMO_MAX
    body = bodies.get(key) if remember and bodies is not None else None
    if body is None:
        body, problems = _body(plan, text, smap)
        if body is None:
            return None, problems
        if remember and bodies is not None:
            bodies[key] = body
    if plan.fmt != "json":
        body = header(plan, source_label) + body
    return Rendered(plan, body.encode()), []


Outcome = tuple[bytes | None, list[Problem], str | None]
"""One file's render: its bytes (None if it has problems), its problems, a template bug."""

PARALLEL_FROM = 500
"""Files from which rendering is spread over processes; below, a fork costs more than it saves."""

# The job forked workers render: set just before the fork, so that it is inherited, not
# pickled (plans hold the whole inventory model). Keys: "job".
_shared: dict[str, tuple[Sequence[OutputFile], SourceMap, str, Bodies]] = {}


def _outcome(plan: OutputFile, smap: SourceMap, label: str, bodies: Bodies) -> Outcome:
    try:
        result, found = render_one(plan, smap, label, None, bodies)
    except TemplateBugError as exc:
        return None, [], str(exc)
    return (result.content if result is not None else None), found, None


def _render_indices(indices: list[int]) -> list[Outcome]:
    """In a worker: render the given plans of the inherited job."""
    plans, smap, label, bodies = _shared["job"]
    return [_outcome(plans[i], smap, label, bodies) for i in indices]


def _ignore_interrupts() -> None:
    # Ctrl-C reaches the whole process group: the parent reports it, workers just finish.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _workers(count: int) -> int:
    if count < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return min(len(os.sched_getaffinity(0)), 4)


def _render_independent(
    plans: Sequence[OutputFile], smap: SourceMap, label: str, bodies: Bodies
) -> list[Outcome]:
    """Render files that embed nothing, in plan order; in forked workers when there are many.

    Each file is rendered from its plan alone, so which process renders it changes
    nothing in its bytes. A 10,000-node inventory renders in about half the time on two
    cores.
    """
    workers = _workers(len(plans))
    if workers == 1:
        return [_outcome(plan, smap, label, bodies) for plan in plans]
    # Small chunks, handed out as workers become free: one big file (the Ansible
    # inventory) does not leave the other workers idle.
    size = max(1, len(plans) // (workers * 8))
    chunks = [list(range(i, min(i + size, len(plans)))) for i in range(0, len(plans), size)]
    _shared["job"] = (plans, smap, label, bodies)
    try:
        with ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_ignore_interrupts,
        ) as pool:
            done = list(pool.map(_render_indices, chunks))
    finally:
        _shared.clear()
    return [outcome for chunk in done for outcome in chunk]


def render_all(
    plans: Sequence[OutputFile], smap: SourceMap, source_label: str
) -> tuple[list[Rendered], list[Problem]]:
    """Render every planned file, collecting every user problem before failing.

    Files that embed others are rendered after them; intermediate files are returned
    to nobody (they exist only inside the files that embed them).
    """
    paths = [plan.path for plan in plans]
    if len(set(paths)) != len(paths):
        raise TemplateBugError(
            f"two planned files share a path: {sorted(p for p in paths if paths.count(p) > 1)[0]}"
        )
    texts: dict[str, str] = {}
    bodies: Bodies = {}
    rendered: list[Rendered] = []
    problems: list[Problem] = []
    ordered = sorted(plans, key=lambda p: bool(p.embeds))
    independent = [plan for plan in ordered if not plan.embeds]
    outcomes = _render_independent(independent, smap, source_label, bodies)
    for plan, (content, found, bug) in zip(independent, outcomes, strict=True):
        if bug is not None:
            raise TemplateBugError(bug)
        problems += found
        if content is None:
            continue
        texts[plan.path] = content.decode()
        if not plan.intermediate:
            rendered.append(Rendered(plan, content))
    for plan in ordered[len(independent) :]:
        missing = [path for _, path in plan.embeds if path not in texts]
        if missing:
            continue  # what it embeds failed: its problems are already reported
        embedded = {name: texts[path] for name, path in plan.embeds}
        result, found = render_one(plan, smap, source_label, embedded, bodies)
        problems += found
        if result is None:
            continue
        texts[plan.path] = result.content.decode()
        if not plan.intermediate:
            rendered.append(result)
    return sorted(rendered, key=lambda r: r.plan.path), sorted(set(problems))
