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
    plan: OutputFile, doc: Any, origins: overrides.Origins, smap: SourceMap, valid: set[str]
) -> list[Problem]:
    """The output-schema problems of ``doc``, validating each distinct document once.

    Many rendered documents are identical (a registry's hosts.toml in every VPC, the
    compose file of every peer VM); validation is a pure function of the schema and
    the document, so one without overrides that passed once passes again.
    """
    assert plan.schema is not None
    if origins:
        return outschema.check(doc, plan.schema, origins, smap, plan.path)
    key = f"{plan.schema}\0{json.dumps(doc, sort_keys=True)}"
    if key in valid:
        return []
    problems = outschema.check(doc, plan.schema, origins, smap, plan.path)
    if not problems:
        valid.add(key)
    return problems


def render_one(
    plan: OutputFile,
    smap: SourceMap,
    source_label: str,
    embedded: dict[str, str] | None = None,
    valid: set[str] | None = None,
) -> tuple[Rendered | None, list[Problem]]:
    """Render one planned file; problems are the user's (overrides), bugs raise TemplateBugError.

    ``valid`` remembers the documents that passed their schema, across calls.
    """
    try:
        text = environment().get_template(plan.template).render(**plan.context, **(embedded or {}))
    except jinja2.TemplateError as exc:
        raise TemplateBugError(f"{plan.path}: template {plan.template}: {exc}") from exc
    if plan.fmt == "text":
        return Rendered(plan, (header(plan, source_label) + text).encode()), []
    try:
        doc = _parse(plan, text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise TemplateBugError(f"{plan.path}: template output does not parse: {exc}") from exc
    origins: overrides.Origins = {}
    if plan.overrides:
        doc, origins = overrides.apply(doc, plan.overrides)
    problems: list[Problem] = []
    if plan.schema:
        problems = _check(plan, doc, origins, smap, set() if valid is None else valid)
        if problems:
            return None, problems
    if plan.fmt == "yaml":
        body = header(plan, source_label) + yamlout.dump(doc)
    elif plan.fmt == "json":
        body = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    else:  # toml: rendered as written (no overrides), after proving it parses
        body = header(plan, source_label) + text
    return Rendered(plan, body.encode()), []


Outcome = tuple[bytes | None, list[Problem], str | None]
"""One file's render: its bytes (None if it has problems), its problems, a template bug."""

PARALLEL_FROM = 500
"""Files from which rendering is spread over processes; below, a fork costs more than it saves."""

# The job forked workers render: set just before the fork, so that it is inherited, not
# pickled (plans hold the whole inventory model). Keys: "job".
_shared: dict[str, tuple[Sequence[OutputFile], SourceMap, str, set[str]]] = {}


def _outcome(plan: OutputFile, smap: SourceMap, label: str, valid: set[str]) -> Outcome:
    try:
        result, found = render_one(plan, smap, label, None, valid)
    except TemplateBugError as exc:
        return None, [], str(exc)
    return (result.content if result is not None else None), found, None


def _render_indices(indices: list[int]) -> list[Outcome]:
    """In a worker: render the given plans of the inherited job."""
    plans, smap, label, valid = _shared["job"]
    return [_outcome(plans[i], smap, label, valid) for i in indices]


def _ignore_interrupts() -> None:
    # Ctrl-C reaches the whole process group: the parent reports it, workers just finish.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _workers(count: int) -> int:
    if count < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return min(len(os.sched_getaffinity(0)), 4)


def _render_independent(
    plans: Sequence[OutputFile], smap: SourceMap, label: str, valid: set[str]
) -> list[Outcome]:
    """Render files that embed nothing, in plan order; in forked workers when there are many.

    Each file is rendered from its plan alone, so which process renders it changes
    nothing in its bytes. A 10,000-node inventory renders in about half the time on two
    cores.
    """
    workers = _workers(len(plans))
    if workers == 1:
        return [_outcome(plan, smap, label, valid) for plan in plans]
    # Small chunks, handed out as workers become free: one big file (the Ansible
    # inventory) does not leave the other workers idle.
    size = max(1, len(plans) // (workers * 8))
    chunks = [list(range(i, min(i + size, len(plans)))) for i in range(0, len(plans), size)]
    _shared["job"] = (plans, smap, label, valid)
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
    valid: set[str] = set()
    rendered: list[Rendered] = []
    problems: list[Problem] = []
    ordered = sorted(plans, key=lambda p: bool(p.embeds))
    independent = [plan for plan in ordered if not plan.embeds]
    outcomes = _render_independent(independent, smap, source_label, valid)
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
        result, found = render_one(plan, smap, source_label, embedded, valid)
        problems += found
        if result is None:
            continue
        texts[plan.path] = result.content.decode()
        if not plan.intermediate:
            rendered.append(result)
    return sorted(rendered, key=lambda r: r.plan.path), sorted(set(problems))
