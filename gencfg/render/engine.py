"""The render stage: template -> parse -> merge overrides -> validate -> deterministic bytes."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Sequence
from typing import Any

import jinja2

from gencfg import __version__
from gencfg.inventory.source import SourceMap, format_path
from gencfg.inventory.yamlload import load_yaml
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
        doc, problems = load_yaml(text, plan.template, SourceMap())
        if problems:
            raise TemplateBugError(f"{plan.path}: template output is not valid YAML: {problems[0]}")
        return doc
    if plan.fmt == "json":
        return json.loads(text)
    return tomllib.loads(text)


def render_one(
    plan: OutputFile,
    smap: SourceMap,
    source_label: str,
    embedded: dict[str, str] | None = None,
) -> tuple[Rendered | None, list[Problem]]:
    """Render one planned file; problems are the user's (overrides), bugs raise TemplateBugError."""
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
        problems = outschema.check(doc, plan.schema, origins, smap, plan.path)
        if problems:
            return None, problems
    if plan.fmt == "yaml":
        body = header(plan, source_label) + yamlout.dump(doc)
    elif plan.fmt == "json":
        body = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    else:  # toml: rendered as written (no overrides), after proving it parses
        body = header(plan, source_label) + text
    return Rendered(plan, body.encode()), []


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
    rendered: list[Rendered] = []
    problems: list[Problem] = []
    for plan in sorted(plans, key=lambda p: bool(p.embeds)):
        missing = [path for _, path in plan.embeds if path not in texts]
        if missing:
            continue  # what it embeds failed: its problems are already reported
        embedded = {name: texts[path] for name, path in plan.embeds}
        result, found = render_one(plan, smap, source_label, embedded)
        problems += found
        if result is None:
            continue
        texts[plan.path] = result.content.decode()
        if not plan.intermediate:
            rendered.append(result)
    return sorted(rendered, key=lambda r: r.plan.path), sorted(set(problems))
