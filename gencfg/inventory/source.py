"""Positions of inventory values in their source files, addressed by JSON path."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import NamedTuple

JsonPath = tuple[str | int, ...]


class Mark(NamedTuple):
    """A 1-based position in a file.

    A named tuple: an inventory holds one per value and one per key (millions at
    100,000 nodes), and a tuple is built several times faster than a frozen dataclass.
    """

    file: str
    line: int
    col: int


def format_path(path: Sequence[str | int]) -> str:
    """``("vpcs", 0, "lb")`` -> ``vpcs[0].lb``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "(root)"


@dataclasses.dataclass(slots=True)
class SourceMap:
    """Where each value (and each mapping key) of a loaded document came from."""

    values: dict[JsonPath, Mark] = dataclasses.field(default_factory=dict)
    keys: dict[JsonPath, Mark] = dataclasses.field(default_factory=dict)
    files: list[str] = dataclasses.field(default_factory=list)

    def locate(self, path: Sequence[str | int], *, key: bool = False) -> Mark:
        """The mark of ``path``, or of its nearest ancestor that has one.

        With ``key=True`` the mark of the mapping key is preferred (for "unknown key"
        style problems), falling back to the value.
        """
        probe: JsonPath = tuple(path)
        if key and probe in self.keys:
            return self.keys[probe]
        while probe:
            if probe in self.values:
                return self.values[probe]
            probe = probe[:-1]
        if () in self.values:
            return self.values[()]
        return Mark(self.files[0] if self.files else "<inventory>", 0, 0)
