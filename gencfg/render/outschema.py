"""Validate rendered documents against the real format of their target program.

Output schemas live in schemas/ (derived from the upstream sources, see
docs/output-schemas.md). A violation inside an override is the user's mistake and is
reported at the override's inventory line; anywhere else it is a template bug.
"""

from __future__ import annotations

import difflib
import functools
import importlib.util
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from gencfg.errors import GencfgError
from gencfg.inventory.source import JsonPath, SourceMap, format_path
from gencfg.problem import Problem
from gencfg.render.overrides import Origins, origin_of
from gencfg.resources import schemas_dir
from gencfg.schemacheck import Check, compile_check
from gencfg.schemautil import expected_types, inline_refs

CODE_UNKNOWN_KEY = "GC401"
CODE_BAD_VALUE = "GC402"


class TemplateBugError(GencfgError):
    """A template rendered something its output schema rejects (not the user's fault)."""


# Schemas gencfg does not own come from the packages that maintain them.
# Located without importing the package: importing check_jsonschema loads its command
# line (click and more), a tenth of a second of every render.
_VENDORED = {"compose-spec": ("check_jsonschema", "builtin_schemas/vendor/compose-spec.json")}


def _package_file(package: str, name: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise GencfgError(f"the Python package {package} is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / name


def load_schema(schema_id: str) -> dict[str, Any]:
    """``schemas/<schema_id>.schema.json``, or a vendored schema such as the compose spec."""
    if schema_id in _VENDORED:
        package, name = _VENDORED[schema_id]
        text = _package_file(package, name).read_text(encoding="utf-8")
    else:
        text = (schemas_dir() / f"{schema_id}.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def validator(schema_id: str) -> jsonschema.protocols.Validator:
    """The compiled validator of an output schema."""
    schema = inline_refs(load_schema(schema_id))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@functools.cache
def _is_valid(schema_id: str) -> Check:
    return compile_check(validator(schema_id))


def _leaf(error: ValidationError) -> ValidationError:
    while error.validator in ("oneOf", "anyOf") and error.context:
        error = best_match(error.context)
    return error


def _explain(error: ValidationError, file: str) -> Iterator[tuple[JsonPath, str, str]]:
    """(output path, code, message) for one error; one entry per unknown key.

    Messages name the file by its name only (dfget.yaml), so one override that breaks
    the same key in many files is reported once, at its line.
    """
    path: JsonPath = tuple(error.absolute_path)
    schema: Mapping[str, Any] = error.schema if isinstance(error.schema, Mapping) else {}
    instance: Any = error.instance
    where = f"'{format_path(path)}'" if path else "its top level"
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        allowed = sorted(schema.get("properties", {}))
        for key in instance:
            if key in allowed:
                continue
            hint = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            tail = f"; did you mean {hint[0]!r}?" if hint else ""
            yield (*path, key), CODE_UNKNOWN_KEY, f"{file} has no key {key!r} in {where}{tail}"
    elif error.validator == "type":
        expected = expected_types(schema, skip_null=True)
        given = "null" if instance is None else repr(instance)
        yield path, CODE_BAD_VALUE, f"{where} of {file} must be {expected}, not {given}"
    else:
        yield path, CODE_BAD_VALUE, f"{where} of {file}: {error.message}"


def check(doc: Any, schema_id: str, origins: Origins, smap: SourceMap, what: str) -> list[Problem]:
    """Problems of ``doc`` against its schema, located at the overrides that caused them.

    Raises:
        TemplateBugError: for a violation no override explains.
    """
    if _is_valid(schema_id)(doc):  # the usual case, without jsonschema's machinery
        return []
    problems = []
    for error in validator(schema_id).iter_errors(doc):
        for out_path, code, message in _explain(_leaf(error), what.rsplit("/", 1)[-1]):
            source = origin_of(out_path, origins)
            if source is None:
                raise TemplateBugError(
                    f"{what}: the template rendered an invalid document: {message}"
                )
            mark = smap.locate(source, key=code == CODE_UNKNOWN_KEY)
            problems.append(
                Problem(
                    mark.file,
                    mark.line,
                    mark.col,
                    code,
                    message,
                    json_path=format_path(source),
                )
            )
    return problems
