"""yamllint over every YAML file of the tree, with a configuration for generated YAML.

ID: ``yamllint``. Code GC610 (the yamllint rule's own level: error or warning);
syntax errors are GC605.

The configuration ships inside the package (gencfg/lint/yamllint.yaml, every choice
explained there). It looks for what makes readers disagree (truthy, implicit octal,
duplicate keys, anchors) and for hand edits (mixed indentation, trailing spaces).
"""

from __future__ import annotations

import functools
import importlib.resources
from collections.abc import Iterator
from pathlib import PurePosixPath

from yamllint import linter
from yamllint.config import YamlLintConfig

from gencfg.lint.base import LintContext
from gencfg.lint.parse import YAML_SUFFIXES
from gencfg.problem import Level, Problem

ID = "yamllint"
CODES = {"GC610": "a yamllint rule (named in the message) fails"}

CONFIG = "yamllint.yaml"


@functools.cache
def config() -> YamlLintConfig:
    """The shipped yamllint configuration."""
    text = importlib.resources.files("gencfg.lint").joinpath(CONFIG).read_text(encoding="utf-8")
    return YamlLintConfig(content=text)


def lint(ctx: LintContext) -> Iterator[Problem]:
    """Every YAML file on disk, listed in the MANIFEST or not."""
    for rel in sorted(ctx.tree.on_disk):
        if PurePosixPath(rel).suffix not in YAML_SUFFIXES:
            continue
        text = ctx.text(rel)
        if isinstance(text, Problem):
            yield text
            continue
        parsed = ctx.parsed(rel)
        end = (parsed.problem.line, parsed.problem.col) if parsed.problem else None
        if parsed.problem is not None:
            yield parsed.problem  # yamllint's own syntax error says the same, less precisely
        for found in linter.run(text, config(), rel):
            if found.rule is None:
                continue
            if end is not None and (found.line, found.column) >= end:
                break  # past a syntax error, token rules only see the wreckage
            yield ctx.problem(
                rel,
                "GC610",
                f"{found.desc} ({found.rule})",
                line=found.line,
                col=found.column,
                level=Level.ERROR if found.level == "error" else Level.WARNING,
            )
