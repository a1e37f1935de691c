"""The value a peer or seed config really gets, whether from a key or from ``overrides``.

A setting can be written as an inventory key (``peer: {total_rate_limit: 2Gi}``) or as
a raw override of the same config key (``overrides: {peer: {download:
{totalRateLimit: 2Gi}}}``); the override is merged last, so it wins. Checks of such a
setting read it here, so one check covers both spellings and points at the line that
set the value. Which config key a concept is on each line comes from
:mod:`gencfg.dragonfly.concepts`; values are read in that line's own formats.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from typing import Any

from gencfg.checks.base import CheckContext
from gencfg.dragonfly import concepts
from gencfg.inventory.model import Dfdaemon, Layer, OverrideTarget, Vpc
from gencfg.inventory.source import JsonPath
from gencfg.merge import lookup

_READ = {"size": concepts.read_size, "duration": concepts.read_duration}
"""Concept kinds whose override values are read (and then checked like the key)."""


@dataclasses.dataclass(frozen=True, slots=True)
class Effective:
    """A seed peer's or peer's settings with its overrides applied."""

    who: str
    vpc: Vpc
    target: OverrideTarget
    owner: JsonPath
    settings: Dfdaemon
    """Sizes set by an override are in bytes, durations in seconds (``600s``); ``origins``
    points at the override that set them."""
    keys: dict[str, str]
    """Concept -> the config key it was written as, for those an override set."""
    unreadable: frozenset[str]
    """Concepts whose overriding value is not in the line's format (the output schema
    reports it): their value is unknown, so no check should judge them."""

    def name(self, concept: str) -> str:
        """How the value of ``concept`` was written: its key, or the override's key."""
        key = self.keys.get(concept)
        return f"{key} (override)" if key else concept


def apply(
    s: Dfdaemon, layers: Sequence[Layer], line: str
) -> tuple[Dfdaemon, dict[str, str], frozenset[str]]:
    """``s`` with the values of ``layers`` (in order: the last wins) that name a concept."""
    values: dict[str, Any] = {}
    origins = dict(s.origins)
    keys: dict[str, str] = {}
    unreadable: set[str] = set()
    for concept in concepts.CONCEPTS:
        read = _READ.get(concept.kind)
        key = concept.key(line)
        if read is None or not key:
            continue
        for layer in reversed(layers):
            found, raw = lookup(layer.data, key)
            if not found:
                continue
            value = read(raw, line)
            keys[concept.name] = ".".join(key)
            origins[concept.name] = (*layer.path, *key)
            if value is None:
                unreadable.add(concept.name)
            else:
                values[concept.name] = (
                    concepts.format_seconds(value) if concept.kind == "duration" else value
                )
            break
    return dataclasses.replace(s, origins=origins, **values), keys, frozenset(unreadable)


def dfdaemons(ctx: CheckContext) -> Iterator[Effective]:
    """Every seed peer and peer of the inventory, with the values its config gets."""
    line = ctx.model.line.name
    for ref in ctx.dfdaemons():
        applied, keys, unreadable = apply(ref.settings, ref.layers, line)
        yield Effective(ref.who, ref.vpc, ref.target, ref.path, applied, keys, unreadable)
