"""JSON Schema validation of the inventory, reported at file:line:col."""

from __future__ import annotations

import contextlib
import difflib
import functools
import ipaddress
import json
from collections.abc import Iterator, Mapping
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from gencfg.inventory.source import SourceMap, format_path
from gencfg.problem import Problem
from gencfg.resources import schemas_dir
from gencfg.schemacheck import Check, compile_check
from gencfg.schemautil import expected_types, inline_refs
from gencfg.units import GO_MAX_DURATION_NS, parse_duration, size_mistake

# One stable code per kind of schema failure.
CODE_UNKNOWN_KEY = "GC201"
CODE_MISSING_KEY = "GC202"
CODE_WRONG_TYPE = "GC203"
CODE_BAD_VALUE = "GC204"
CODE_BAD_LENGTH = "GC205"


@functools.cache
def inventory_schema() -> dict[str, Any]:
    """The inventory schema (schemas/inventory.schema.json)."""
    with (schemas_dir() / "inventory.schema.json").open(encoding="utf-8") as f:
        schema: dict[str, Any] = json.load(f)
    return schema


_FORMATS = jsonschema.FormatChecker(["ipv4"])


@_FORMATS.checks("ipv4-network", raises=ValueError)
def _is_ipv4_network(value: object) -> bool:
    if isinstance(value, str):
        ipaddress.IPv4Network(value, strict=False)
    return True


@_FORMATS.checks("go-duration", raises=ValueError)
def _is_go_duration(value: object) -> bool:
    seconds = 0.0
    if isinstance(value, str):
        with contextlib.suppress(ValueError):  # a malformed duration fails its pattern
            seconds = parse_duration(value)
    if seconds * 1e9 > GO_MAX_DURATION_NS:
        raise ValueError(value)
    return True


@functools.cache
def _validator() -> jsonschema.protocols.Validator:
    schema = inline_refs(inventory_schema())
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=_FORMATS)


@functools.cache
def _is_valid() -> Check:
    return compile_check(_validator())


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _schema_of(error: ValidationError) -> dict[str, Any]:
    return dict(error.schema) if isinstance(error.schema, Mapping) else {}


def _unknown_keys(error: ValidationError) -> Iterator[tuple[str, str]]:
    allowed = sorted(_schema_of(error).get("properties", {}))
    instance: Any = error.instance
    for key in instance:
        if key in allowed:
            continue
        hint = difflib.get_close_matches(key, allowed, n=1)
        if hint:
            yield key, f"unknown key {key!r}; did you mean {hint[0]!r}?"
        else:
            yield key, f"unknown key {key!r} (allowed: {', '.join(allowed)})"


def _leaf(error: ValidationError) -> ValidationError:
    """For oneOf/anyOf, the sub-error most likely meant (check-jsonschema's "best match")."""
    while error.validator in ("oneOf", "anyOf") and error.context:
        # a branch of the value's own type says what is wrong ("-2048Mi" is a string:
        # its pattern failed), rather than "expected an integer" from another branch
        own_type = [e for e in error.context if e.validator != "type"]
        error = best_match(own_type or error.context)
    return error


def _messages(error: ValidationError) -> Iterator[tuple[str, tuple[str | int, ...], bool, str]]:
    """Yield (code, path, point-at-key, message) for one validation error."""
    error = _leaf(error)
    path = tuple(error.absolute_path)
    validator = error.validator
    schema = _schema_of(error)
    instance: Any = error.instance
    value: Any = error.validator_value
    if validator == "additionalProperties" and isinstance(instance, dict):
        for key, message in _unknown_keys(error):
            yield CODE_UNKNOWN_KEY, (*path, key), True, message
    elif validator == "required":
        missing = [k for k in value if k not in instance]
        for key in missing:
            yield CODE_MISSING_KEY, path, False, f"missing required key {key!r}"
    elif validator == "type":
        expected = schema.get("x-message") or f"expected {expected_types(schema)}"
        yield CODE_WRONG_TYPE, path, False, f"{expected}, got {_describe(instance)}"
    elif validator in ("minItems", "maxItems", "minLength", "maxLength", "uniqueItems"):
        yield CODE_BAD_LENGTH, path, False, error.message
    elif validator == "enum":
        options = ", ".join(str(o) for o in value)
        yield CODE_BAD_VALUE, path, False, f"{_describe(instance)} is not one of: {options}"
    elif validator == "format" and value == "go-duration":
        yield (
            CODE_BAD_VALUE,
            path,
            False,
            (
                f"{_describe(instance)} is longer than Go's longest duration, 2562047h47m16s "
                f"(about 292 years); the daemons could not read it"
            ),
        )
    elif validator == "propertyNames":
        custom = schema.get("propertyNames", {}).get("x-message", error.message)
        yield CODE_BAD_VALUE, path, True, f"{_describe(instance)}: {custom}"
    else:
        custom = schema.get("x-message")
        message = f"{_describe(instance)} {custom}" if custom else error.message
        if schema.get("x-explain") == "size" and isinstance(instance, str):
            message += size_mistake(instance)
        yield CODE_BAD_VALUE, path, False, message


def validate_schema(data: Any, smap: SourceMap) -> list[Problem]:
    """Every schema violation of ``data``, located through ``smap``."""
    if _is_valid()(data):  # the usual case, answered without jsonschema's machinery
        return []
    problems = []
    for error in _validator().iter_errors(data):
        for code, path, at_key, message in _messages(error):
            mark = smap.locate(path, key=at_key)
            where = format_path(path)
            problems.append(
                Problem(
                    mark.file, mark.line, mark.col, code, f"{where}: {message}", json_path=where
                )
            )
    return sorted(set(problems))
