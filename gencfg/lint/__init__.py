"""Lint rendered trees with the linters of each file's own format: one module per linter.

Each module has ``ID``, ``CODES`` and ``lint(ctx)`` and documents itself in its
docstring; they are registered here, in the order their findings are most useful.
Every finding is a :class:`gencfg.problem.Problem` with a code in the GC6xx range.
"""

from __future__ import annotations

from gencfg.lint import compose, containerd, dragonfly, integrity, kubernetes, nydus, yamlstyle
from gencfg.lint.base import LintContext, Linter, Options
from gencfg.lint.parse import CODES as PARSE_CODES
from gencfg.lint.tree import RenderedTree
from gencfg.problem import Problem

_MODULES: tuple[Linter, ...] = (
    integrity,
    yamlstyle,
    kubernetes,
    compose,
    containerd,
    dragonfly,
    nydus,
)

LINTERS: dict[str, Linter] = {module.ID: module for module in _MODULES}


def lint_tree(tree: RenderedTree, options: Options) -> list[Problem]:
    """Every problem every linter finds in ``tree``, each once, in file order."""
    ctx = LintContext(tree, options)
    # A file that does not parse is reported by each linter that reads it: keep one.
    return sorted({problem for linter in LINTERS.values() for problem in linter.lint(ctx)})


def all_codes() -> dict[str, tuple[str, str]]:
    """Every lint code -> (linter id, meaning)."""
    codes = {code: ("parse", meaning) for code, meaning in PARSE_CODES.items()}
    for linter in LINTERS.values():
        codes.update({code: (linter.ID, meaning) for code, meaning in linter.CODES.items()})
    return dict(sorted(codes.items()))
