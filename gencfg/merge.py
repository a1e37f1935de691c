"""Deep merge, the one rule used for layers and overrides: maps merge, the rest replaces."""

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
