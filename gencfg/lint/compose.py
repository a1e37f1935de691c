"""docker-compose files against the Compose Specification.

ID: ``compose``. Codes GC630, GC631 (errors).

The schema is the one check-jsonschema vendors (``vendor.compose-spec``), the schema
``docker compose config`` itself validates with; gencfg does not keep a copy.
"""

from __future__ import annotations

from collections.abc import Iterator

from gencfg.lint import schema
from gencfg.lint.base import LintContext
from gencfg.problem import Problem

ID = "compose"
CODES = {
    "GC630": "a key the Compose Specification does not define",
    "GC631": "a value the Compose Specification refuses",
}
SCHEMA = "compose-spec"


def lint(ctx: LintContext) -> Iterator[Problem]:
    """Every file of MANIFEST kind ``compose``."""
    for rel in ctx.files_of_kind("compose"):
        parsed = ctx.parsed(rel)
        if parsed.problem is not None:
            yield parsed.problem
            continue
        for finding in schema.findings(parsed.doc, SCHEMA):
            yield schema.problem(finding, parsed.smap, ("GC630", "GC631"), "compose spec")
