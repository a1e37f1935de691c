"""Positions of inventory values in their source files, addressed by JSON path."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


Marks = dict[JsonPath, Mark]
Filler = Callable[[Marks, Marks], None]
"""Writes one source's marks into (values, keys), keeping marks already there."""


class SourceMap:
    """Where each value (and each mapping key) of a loaded document came from.

    Positions can be deferred: an inventory that loads without a problem needs them
    only to point at a warning or a later error, and recording a mark for every
    value and key was half of loading a 100,000-node inventory. A deferred source
    (``defer``) is read again with positions the first time ``values`` or ``keys``
    is used, in the order the sources were deferred, so the marks are the same.
    """

    __slots__ = ("_keys", "_pending", "_values", "files")

    def __init__(
        self,
        values: Marks | None = None,
        keys: Marks | None = None,
        files: list[str] | None = None,
    ) -> None:
        self._values: Marks = values if values is not None else {}
        self._keys: Marks = keys if keys is not None else {}
        self.files: list[str] = files if files is not None else []
        self._pending: list[Filler] = []

    def defer(self, fill: Filler) -> None:
        """Record a source whose marks are added when they are first needed."""
        self._pending.append(fill)

    def _complete(self) -> None:
        while self._pending:
            self._pending.pop(0)(self._values, self._keys)

    @property
    def values(self) -> Marks:
        """The mark of each value, by JSON path."""
        self._complete()
        return self._values

    @property
    def keys(self) -> Marks:
        """The mark of each mapping key, by the JSON path of its value."""
        self._complete()
        return self._keys

    def locate(self, path: Sequence[str | int], *, key: bool = False) -> Mark:
        """The mark of ``path``, or of its nearest ancestor that has one.

        With ``key=True`` the mark of the mapping key is preferred (for "unknown key"
        style problems), falling back to the value.
        """
        values, keys = self.values, self.keys
        probe: JsonPath = tuple(path)
        if key and probe in keys:
            return keys[probe]
        while probe:
            if probe in values:
                return values[probe]
            probe = probe[:-1]
        if () in values:
            return values[()]
        return Mark(self.files[0] if self.files else "<inventory>", 0, 0)
