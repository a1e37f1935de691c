"""Turn JSON-schema errors into lint problems at the line and column of the offending key.

Every schema-based linter reports two kinds of finding, each with its own code: an
unknown (or misspelt) key, located at the key and with a "did you mean" hint, and a
bad value, located at the value.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterator, Mapping
from typing import Any

from jsonschema.exceptions import ValidationError, best_match

from gencfg.inventory.source import JsonPath, SourceMap, format_path
from gencfg.problem import Problem
from gencfg.render.outschema import validator

_MAX_MESSAGE = 240
"""jsonschema messages embed the whole offending value; a finding must stay one line."""


@dataclasses.dataclass(frozen=True, slots=True)
class Finding:
    """One schema violation: where in the document, and what."""

    path: JsonPath
    message: str
    unknown_key: bool = False
    """An unknown or badly named key (reported at the key) rather than a bad value."""
    at_key: bool = False
    """Report at the key of ``path`` rather than at its value (a missing property)."""


def _leaf(error: ValidationError) -> ValidationError:
    # oneOf/anyOf say "is not valid under any of the given schemas"; the best branch's
    # own error says what is wrong.
    while error.validator in ("oneOf", "anyOf") and error.context:
        error = best_match(error.context)
    return error


def _short(message: str) -> str:
    message = " ".join(message.split())
    return message if len(message) <= _MAX_MESSAGE else message[: _MAX_MESSAGE - 3] + "..."


def _pointer(root: Mapping[str, Any], ref: str) -> Mapping[str, Any]:
    """The subschema a local ``$ref`` (``#/$defs/x``) names; {} for any other reference."""
    node: Any = root
    if not ref.startswith("#/"):
        return {}
    for token in ref[2:].split("/"):
        part = token.replace("~1", "/").replace("~0", "~")  # JSON pointer escapes
        node = node.get(part) if isinstance(node, Mapping) else None
    return node if isinstance(node, Mapping) else {}


def _declared(
    schema: Mapping[str, Any], root: Mapping[str, Any] | None, seen: set[int]
) -> tuple[set[str], list[str]]:
    """Property names and patterns ``schema`` declares, through $ref and allOf/anyOf/oneOf.

    That is what unevaluatedProperties counts as known (anyOf/oneOf branches are all
    counted: the point is a hint, not a verdict).
    """
    if id(schema) in seen:
        return set(), []
    seen.add(id(schema))
    names = set(schema.get("properties", {}))
    patterns = list(schema.get("patternProperties", {}))
    parts: list[Any] = [
        *schema.get("allOf", []),
        *schema.get("anyOf", []),
        *schema.get("oneOf", []),
    ]
    parts += [schema.get(k) for k in ("then", "else")]
    if root is not None and isinstance(schema.get("$ref"), str):
        parts.append(_pointer(root, schema["$ref"]))
    for part in parts:
        if isinstance(part, Mapping):
            more, more_patterns = _declared(part, root, seen)
            names |= more
            patterns += more_patterns
    return names, patterns


def _unknown_keys(
    error: ValidationError,
    instance: dict[str, Any],
    path: JsonPath,
    root: Mapping[str, Any] | None,
) -> Iterator[Finding]:
    schema: Mapping[str, Any] = error.schema if isinstance(error.schema, Mapping) else {}
    if error.validator == "additionalProperties":
        known = set(schema.get("properties", {}))
        patterns = list(schema.get("patternProperties", {}))
    else:
        known, patterns = _declared(schema, root, set())
    where = format_path(path) if path else "the top level"
    found = False
    for key in instance:
        if key in known or any(re.search(p, str(key)) for p in patterns):
            continue
        found = True
        hint = difflib.get_close_matches(str(key), sorted(known), n=1, cutoff=0.6)
        tail = f"; did you mean {hint[0]!r}?" if hint else ""
        yield Finding((*path, key), f"unknown key {key!r} at {where}{tail}", unknown_key=True)
    if not found:  # declared somewhere this walk cannot see (an external $ref)
        yield Finding(path, f"{where}: {_short(error.message)}")


def explain(error: ValidationError, root: Mapping[str, Any] | None = None) -> Iterator[Finding]:
    """The findings of one schema error (one per unknown key).

    ``root`` is the whole schema, to resolve local ``$ref`` when looking for the keys
    an ``unevaluatedProperties: false`` object declares.
    """
    error = _leaf(error)
    path: JsonPath = tuple(error.absolute_path)
    instance = error.instance
    if error.validator in ("additionalProperties", "unevaluatedProperties") and isinstance(
        instance, dict
    ):
        yield from _unknown_keys(error, instance, path, root)
    elif "propertyNames" in error.absolute_schema_path:
        # The instance is the key itself; the error's path is its mapping's.
        key = instance if isinstance(instance, str | int) else str(instance)
        message = f"key {key!r} at {format_path(path)}: {_short(error.message)}"
        yield Finding((*path, key), message, unknown_key=True)
    else:
        where = format_path(path) if path else "the top level"
        missing = error.validator in ("required", "dependentRequired")
        yield Finding(path, f"{where}: {_short(error.message)}", at_key=missing)


def findings(doc: Any, schema_id: str) -> list[Finding]:
    """Every violation of ``doc`` against the output schema ``schema_id``."""
    check = validator(schema_id)
    root = check.schema if isinstance(check.schema, Mapping) else None
    found = (f for error in check.iter_errors(doc) for f in explain(error, root))
    return sorted(found, key=lambda f: tuple(map(str, f.path)))


def problem(finding: Finding, smap: SourceMap, codes: tuple[str, str], what: str = "") -> Problem:
    """The problem of ``finding``, located with ``smap``.

    ``codes`` are (unknown key, bad value); ``what`` prefixes the message (the format,
    e.g. "dfget.yaml (dragonfly/v2.1/dfget)").
    """
    mark = smap.locate(finding.path, key=finding.unknown_key or finding.at_key)
    code = codes[0] if finding.unknown_key else codes[1]
    message = f"{what}: {finding.message}" if what else finding.message
    return Problem(
        mark.file, mark.line, mark.col, code, message, json_path=format_path(finding.path)
    )
