"""nydusd config templates and nydus-snapshotter mirror files against the nydus schemas.

ID: ``nydus``. Codes GC660, GC661, GC662 (errors).

Files of MANIFEST kind ``nydusd-config``: the nydusd fusedev JSON template, and (for
nydus < v2.3.5) one mirror ``hosts.toml`` per registry (schema nydus/mirrors-hosts).
The rendered tree does not record the nydus version, so the JSON's family is read
from the file: gencfg writes ``backend.config.proxy`` only for nydus >= v2.3.5 (the
"proxy" family) and ``mirrors`` without ``proxy`` for v2.1.1 to v2.3.4 ("mirrors").
``mirrors`` next to ``proxy`` is therefore a v2.3.5+ config with mirrors, which that
nydusd ignores without a word: GC662.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from gencfg.dragonfly.nydus import Family
from gencfg.lint import schema
from gencfg.lint.base import LintContext
from gencfg.problem import Problem

ID = "nydus"
CODES = {
    "GC660": "a key nydusd (or nydus-snapshotter's mirror file) does not read",
    "GC661": "a value nydusd (or nydus-snapshotter's mirror file) refuses",
    "GC662": "mirrors in a proxy-family config (nydus >= v2.3.5 ignores them)",
}
_CODES = ("GC660", "GC661")
MIRRORS_HOSTS = "nydus/mirrors-hosts"
_BACKEND = ("device", "backend", "config")


def backend_config(doc: Any) -> dict[str, Any]:
    """``device.backend.config`` of a nydusd config ({} if absent or not an object)."""
    for key in _BACKEND:
        doc = doc.get(key) if isinstance(doc, dict) else None
    return doc if isinstance(doc, dict) else {}


def family(doc: Any) -> Family:
    """The config's family: "mirrors" if it has mirrors and no proxy, else "proxy"."""
    config = backend_config(doc)
    return "mirrors" if "mirrors" in config and "proxy" not in config else "proxy"


def _findings(rel: str, doc: Any) -> tuple[str, list[schema.Finding]]:
    if PurePosixPath(rel).suffix == ".toml":
        return MIRRORS_HOSTS, schema.findings(doc, MIRRORS_HOSTS)
    schema_id = f"nydus/nydusd-fusedev-{family(doc)}"
    return schema_id, schema.findings(doc, schema_id)


def _mirrors_ignored(finding: schema.Finding) -> schema.Finding | None:
    if finding.unknown_key and finding.path == (*_BACKEND, "mirrors"):
        return schema.Finding(
            finding.path,
            "mirrors next to proxy: gencfg writes proxy only for nydus >= v2.3.5, which "
            "removed mirrors and ignores them silently; drop mirrors (nydus >= v2.3.5) or "
            "proxy (v2.1.1 to v2.3.4)",
            unknown_key=True,
        )
    return None


def lint(ctx: LintContext) -> Iterator[Problem]:
    """Every file of MANIFEST kind ``nydusd-config`` (.json templates, .toml mirror files)."""
    for rel in ctx.files_of_kind("nydusd-config"):
        parsed = ctx.parsed(rel)
        if parsed.problem is not None:
            yield parsed.problem
            continue
        schema_id, found = _findings(rel, parsed.doc)
        what = f"{PurePosixPath(rel).name} ({schema_id})"
        for finding in found:
            ignored = _mirrors_ignored(finding)
            if ignored is not None:
                yield schema.problem(ignored, parsed.smap, ("GC662", "GC662"), what)
            else:
                yield schema.problem(finding, parsed.smap, _CODES, what)
