"""Emitting schemas: deterministic JSON files and key counts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dfschema.model import JSON


def dumps(schema: JSON) -> str:
    """Return the canonical text of a schema (2-space indent, UTF-8, trailing newline)."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schema(path: Path, schema: JSON) -> Path:
    """Write a schema file deterministically and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(schema), encoding="utf-8")
    return path


def _resolve(schema: JSON, node: Any) -> Any:
    seen: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if ref in seen or not ref.startswith("#/$defs/"):
            break
        seen.add(ref)
        node = schema["$defs"][ref.removeprefix("#/$defs/")]
    return node


def _children(schema: JSON, node: Any) -> dict[str, Any] | None:
    """Return the properties reachable below one property (through arrays and maps)."""
    node = _resolve(schema, node)
    if not isinstance(node, dict):
        return None
    if isinstance(node.get("properties"), dict):
        return dict(node["properties"])
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), dict):
            found = _children(schema, node[key])
            if found is not None:
                return found
    return None


def key_counts(schema: JSON) -> tuple[int, int]:
    """Return (leaf keys, all properties) of a schema, counting each path from the root once.

    A struct reached in several places counts in each place; array items and map values of
    struct type count once under their parent key. Aliases count as properties.
    """
    leaves = total = 0
    stack: list[dict[str, Any]] = [dict(schema.get("properties", {}))]
    while stack:
        for prop in stack.pop().values():
            total += 1
            sub = _children(schema, prop)
            if sub:
                stack.append(sub)
            else:
                leaves += 1
    return leaves, total
