"""Deep-merge the inventory's raw overrides into a rendered document, remembering origins."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gencfg.inventory.model import SECRET_PLACEHOLDER, Layer
from gencfg.inventory.source import JsonPath

Origins = dict[JsonPath, JsonPath]
"""Output path -> inventory path of the override that set it."""


def _secrets_to_placeholders(value: Any) -> Any:
    """``{secret: NAME}`` anywhere in an override becomes the secret's placeholder."""
    if isinstance(value, dict):
        if set(value) == {"secret"} and isinstance(value["secret"], str):
            return SECRET_PLACEHOLDER.format(name=value["secret"])
        return {k: _secrets_to_placeholders(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_secrets_to_placeholders(v) for v in value]
    return value


def _merge(base: Any, over: Any, out_path: JsonPath, in_path: JsonPath, origins: Origins) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        merged = dict(base)
        for key, value in over.items():
            merged[key] = _merge(base.get(key), value, (*out_path, key), (*in_path, key), origins)
        return merged
    origins[out_path] = in_path
    return _secrets_to_placeholders(over)


def apply(doc: dict[str, Any], layers: Sequence[Layer]) -> tuple[dict[str, Any], Origins]:
    """``doc`` with every layer merged in order (maps merge; lists and scalars replace)."""
    origins: Origins = {}
    for layer in layers:
        doc = _merge(doc, layer.data, (), layer.path, origins)
    return doc, origins


def origin_of(path: JsonPath, origins: Origins) -> JsonPath | None:
    """The inventory path that set ``path`` or its nearest overridden ancestor."""
    probe = path
    while True:
        if probe in origins:
            return (*origins[probe], *path[len(probe) :])
        if not probe:
            return None
        probe = probe[:-1]
