"""Nested data: the one deep merge (layers, overrides) and lookup by path."""

from __future__ import annotations

from typing import Any


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """A new mapping: ``over`` merged into ``base``.

    Nested mappings merge key by key; lists and scalars from ``over`` replace those of
    ``base`` (a list is one value: appending would make order depend on layer count).
    Neither argument is modified.
    """
    out = dict(base)
    for key, value in over.items():
        current = out.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            out[key] = deep_merge(current, value)
        else:
            out[key] = value
    return out


def lookup(data: Any, path: tuple[str | int, ...]) -> tuple[bool, Any]:
    """(found, value) at ``path``: mapping keys and list indexes; (False, None) if absent."""
    node = data
    for part in path:
        if isinstance(node, dict):
            if part not in node:
                return False, None
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return False, None
    return True, node
