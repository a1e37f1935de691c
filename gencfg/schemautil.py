"""JSON Schema helpers shared by the inventory and output validators."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_DEFS = "#/$defs/"
# Keywords whose values are data, not subschemas: never rewritten.
_DATA_KEYWORDS = frozenset({"enum", "const", "default", "examples"})
# Keywords a $ref may sit next to and be inlined anyway: no message reads them.
_ANNOTATIONS = frozenset({"description", "title", "$comment"})


def _inlined(node: Any, defs: Mapping[str, Any], active: frozenset[str]) -> Any:
    if isinstance(node, list):
        return [_inlined(item, defs, active) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith(_DEFS) and set(node) - {"$ref"} <= _ANNOTATIONS:
        name = ref.removeprefix(_DEFS)
        if name in defs and name not in active:  # a recursive definition stays a $ref
            return _inlined(defs[name], defs, active | {name})
    return {
        key: value if key in _DATA_KEYWORDS else _inlined(value, defs, active)
        for key, value in node.items()
    }


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with its local ``#/$defs/...`` references replaced by their targets.

    jsonschema resolves a $ref through its registry each time it descends into one:
    on a 10,000-node inventory that lookup was half of the validation time. Errors are
    the same: an error's ``schema`` is the definition's content either way. $defs stay,
    for the references left in place (recursive ones, or next to other keywords).
    """
    defs = schema.get("$defs", {})
    out: dict[str, Any] = _inlined(
        {k: v for k, v in schema.items() if k != "$defs"}, defs, frozenset()
    )
    if defs:
        out["$defs"] = defs
    return out


def has_path(schema: Mapping[str, Any], path: tuple[str, ...]) -> bool:
    """Whether ``path`` names a property of ``schema`` (local ``$ref`` followed)."""
    defs = schema.get("$defs", {})
    node: Any = schema
    for part in path:
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
            node = defs.get(node["$ref"].removeprefix(_DEFS), {})
        props = node.get("properties", {}) if isinstance(node, Mapping) else {}
        if part not in props:
            return False
        node = props[part]
    return True


_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


def expected_types(schema: Mapping[str, Any], *, skip_null: bool = False) -> str:
    """The ``type`` of a schema in words: ``an integer or a string``."""
    kinds = schema.get("type")
    names = [kinds] if isinstance(kinds, str) else list(kinds or [])
    return " or ".join(_TYPE_NAMES.get(k, k) for k in names if not (skip_null and k == "null"))
