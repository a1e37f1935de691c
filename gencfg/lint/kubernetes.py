"""Kubernetes manifests against the API schemas of a Kubernetes version, strictly.

ID: ``kubernetes``. Codes GC620, GC621, GC622 (errors).

Files of MANIFEST kinds ``k8s-*`` go through kubernetes-validate's Python API in strict
mode (its bundled OpenAPI schemas, offline; an unknown field is an error, as with
``kubectl apply --validate=strict``). kubernetes-validate stops at the first error of
a document, so one finding per manifest at most. Custom resources it has no schema
for are checked against gencfg's own schema of the CRD (OpenKruise ImageListPullJob:
schemas/kruise/imagelistpulljob.schema.json), which reports every error.

The version is ``--kubernetes-version`` (default: the newest kubernetes-validate
bundles); only its major.minor matters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import kubernetes_validate
from kubernetes_validate import utils as kv_utils

from gencfg.errors import ExternalError, UserError
from gencfg.lint import schema
from gencfg.lint.base import LintContext
from gencfg.problem import Problem

ID = "kubernetes"
CODES = {
    "GC620": "a field the Kubernetes API (or the custom resource's schema) does not know",
    "GC621": "a value the Kubernetes API (or the custom resource's schema) refuses",
    "GC622": "no schema for the manifest's apiVersion and kind in that Kubernetes version",
}
_CODES = ("GC620", "GC621")

CRDS = {("apps.kruise.io", "ImageListPullJob"): "kruise/imagelistpulljob"}
"""(API group, kind) of custom resources gencfg renders -> the output schema of each."""

_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.\d+)?$")


def default_version() -> str:
    """The newest Kubernetes version kubernetes-validate has schemas for (its default)."""
    return str(kv_utils.latest_version())


def _minor(version: str) -> tuple[int, int] | None:
    match = _VERSION.match(version)
    return (int(match.group(1)), int(match.group(2))) if match else None


def check_version(version: str) -> str:
    """``version`` as ``major.minor`` if kubernetes-validate has schemas for it.

    Raises:
        UserError: not a version, or one kubernetes-validate does not bundle.
    """
    # Checked here because kubernetes-validate compares versions as strings.
    wanted = _minor(version)
    known = sorted({m for v in kv_utils.all_versions() if (m := _minor(str(v)))})
    if wanted is None or wanted not in known:
        first, last = known[0], known[-1]
        raise UserError(
            f"--kubernetes-version {version}: kubernetes-validate "
            f"{kubernetes_validate.__version__} has schemas for "
            f"{first[0]}.{first[1]} to {last[0]}.{last[1]}"
        )
    return f"{wanted[0]}.{wanted[1]}"


def _findings(doc: dict[str, Any], version: str) -> list[schema.Finding]:
    try:
        kubernetes_validate.validate(doc, version, strict=True)
    except kubernetes_validate.ValidationError as exc:
        return list(schema.explain(exc))
    except kubernetes_validate.utils.InvalidSchemaError as exc:
        raise ExternalError(f"kubernetes-validate: {exc.message}") from exc
    return []


def _lint_file(ctx: LintContext, rel: str, version: str) -> Iterator[Problem]:
    parsed = ctx.parsed(rel)
    if parsed.problem is not None:
        yield parsed.problem
        return
    doc = parsed.doc
    if not (
        isinstance(doc, dict)
        and isinstance(doc.get("apiVersion"), str)
        and isinstance(doc.get("kind"), str)
    ):
        mark = parsed.smap.locate(())
        message = "not a Kubernetes object: apiVersion and kind (strings) are required"
        yield ctx.problem(rel, "GC621", message, line=mark.line, col=mark.col)
        return
    api, kind = doc["apiVersion"], doc["kind"]
    crd = CRDS.get((api.rpartition("/")[0], kind))
    if crd is not None:
        found = schema.findings(doc, crd)
        what = f"{kind} (schemas/{crd}.schema.json)"
    else:
        try:
            found = _findings(doc, version)
        except kubernetes_validate.SchemaNotFoundError:
            mark = parsed.smap.locate(("apiVersion",))
            message = (
                f"no schema for kind {kind} in apiVersion {api} in Kubernetes {version}: "
                f"a typo, an API removed in {version}, or a custom resource lint does not know"
            )
            yield ctx.problem(rel, "GC622", message, line=mark.line, col=mark.col)
            return
        what = f"{kind} (Kubernetes {version}, strict)"
    for finding in found:
        yield schema.problem(finding, parsed.smap, _CODES, what)


def lint(ctx: LintContext) -> Iterator[Problem]:
    """Every manifest (MANIFEST kind ``k8s-*``)."""
    version = check_version(ctx.options.kubernetes_version)
    for rel in ctx.files(lambda _rel, kind: kind.startswith("k8s-")):
        yield from _lint_file(ctx, rel, version)
