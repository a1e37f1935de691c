"""``gencfg lint``: check rendered trees with the real linters of every format."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from gencfg.cli.commands.validate import report
from gencfg.exitcodes import ExitCode
from gencfg.problem import has_errors
from gencfg.reporters import summary


def run(*, trees: Sequence[Path], fmt: str, kubernetes_version: str | None) -> int:
    """Lint ``trees`` (default: every rendered/<env>/); 1 on any error, 0 otherwise."""
    # Imported here, not at the top: the linters bring yamllint and kubernetes-validate
    # (about 65 ms of imports) into every gencfg command otherwise.
    from gencfg.lint import kubernetes as k8s  # noqa: PLC0415
    from gencfg.lint import lint_tree  # noqa: PLC0415
    from gencfg.lint import tree as rendered  # noqa: PLC0415
    from gencfg.lint.base import Options  # noqa: PLC0415

    version = k8s.check_version(kubernetes_version or k8s.default_version())
    roots = list(trees) or rendered.default_trees()
    # Load every tree first: a directory that is not a rendered tree is a usage error
    # (exit 2) and must not be mistaken for findings.
    loaded = [rendered.load(root) for root in roots]
    problems = [p for tree in loaded for p in lint_tree(tree, Options(version))]
    report(problems, fmt)
    if fmt != "json":
        names = ", ".join(str(root) for root in roots)
        sys.stderr.write(f"{names}: {summary(problems)} (Kubernetes {version})\n")
    return int(ExitCode.CHANGES if has_errors(problems) else ExitCode.OK)
