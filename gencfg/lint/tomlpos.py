"""Positions of the keys and tables of a TOML file, for problems with a line and column.

tomllib returns plain values without positions. The files gencfg renders use a small,
regular subset of TOML (tables, arrays of tables, ``key = value`` lines, dotted and
quoted keys, one-line values), so a line scanner finds every key of them. Anything it
does not recognise (the inside of a multi-line array, say) is skipped, and a problem
there falls back to the nearest enclosing key or table that was found.
"""

from __future__ import annotations

import json
import re

from gencfg.inventory.source import JsonPath, Mark, SourceMap

_BARE = r"[A-Za-z0-9_-]+"
_BASIC = r'"(?:[^"\\]|\\.)*"'
_LITERAL = r"'[^']*'"
_SIMPLE = rf"(?:{_BARE}|{_BASIC}|{_LITERAL})"
_DOTTED = rf"{_SIMPLE}(?:\s*\.\s*{_SIMPLE})*"
_PART = re.compile(rf"\s*({_SIMPLE})\s*(?:\.|$)")
_HEADER = re.compile(rf"^(\s*)(\[\[?)\s*({_DOTTED})\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(rf"^(\s*)({_DOTTED})\s*=\s*(\S)?")


def _key_parts(dotted: str) -> JsonPath:
    parts: list[str | int] = []
    for match in _PART.finditer(dotted):
        token = match.group(1)
        if token.startswith('"'):
            parts.append(json.loads(token))  # TOML basic-string escapes are JSON's
        elif token.startswith("'"):
            parts.append(token[1:-1])
        else:
            parts.append(token)
    return tuple(parts)


def source_map(text: str, file: str) -> SourceMap:
    """Marks of every table header and ``key = value`` line of ``text``."""
    smap = SourceMap(files=[file])
    smap.values[()] = Mark(file, 1, 1)
    table: JsonPath = ()
    counts: dict[JsonPath, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            path = _key_parts(header.group(3))
            col = len(header.group(1)) + 1
            smap.keys[path] = Mark(file, number, col)
            for end in range(1, len(path)):  # [a."b".c] also defines a and a."b"
                smap.keys.setdefault(path[:end], Mark(file, number, col))
                smap.values.setdefault(path[:end], Mark(file, number, col))
            if header.group(2) == "[[":
                index = counts.get(path, 0)
                counts[path] = index + 1
                path = (*path, index)
            table = path
            smap.values.setdefault(path, Mark(file, number, col))
            continue
        key = _KEY.match(line)
        if key:
            path = (*table, *_key_parts(key.group(2)))
            smap.keys[path] = Mark(file, number, len(key.group(1)) + 1)
            value_col = key.start(3) + 1 if key.group(3) else len(line) + 1
            smap.values[path] = Mark(file, number, value_col)
    return smap
