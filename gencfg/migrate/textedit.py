"""Surgical edits of a YAML file: every line not edited stays byte for byte.

ruamel.yaml's composer gives each node its exact start and end; the edits are applied
to the text at those spans, never by re-dumping the document. (A round-trip dump keeps
comments, but one indentation setting per file: an inventory that indents two lists
differently would change on lines nobody touched.)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from gencfg.render import yamlout

Path = tuple[str | int, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``text[start:end]`` with ``new``."""

    start: int
    end: int
    new: str


class Document:
    """One YAML file, its node tree, and the edits planned on it."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        root = YAML(typ="rt").compose(text)
        self.root: Node | None = root
        self.edits: list[Edit] = []
        self.notes: list[tuple[int, str]] = []
        """(1-based line, what changed there) for the summary."""

    # --- finding nodes ------------------------------------------------------------------

    def node(self, path: Path) -> Node | None:
        """The node at ``path`` (mapping keys and sequence indexes), if present."""
        node = self.root
        for part in path:
            if isinstance(node, MappingNode) and isinstance(part, str):
                node = next((v for k, v in node.value if k.value == part), None)
            elif isinstance(node, SequenceNode) and isinstance(part, int):
                node = node.value[part] if part < len(node.value) else None
            else:
                return None
        return node

    def key_node(self, path: Path) -> ScalarNode | None:
        """The key node of the mapping entry at ``path``."""
        parent = self.node(path[:-1])
        if not isinstance(parent, MappingNode):
            return None
        return next((k for k, _ in parent.value if k.value == path[-1]), None)

    def mark(self, path: Path) -> tuple[int, int]:
        """1-based (line, column) of the entry at ``path`` (its key, else its value)."""
        key = self.key_node(path) if path and isinstance(path[-1], str) else None
        node: Node | None = key or self.node(path) or self.root
        if node is None:
            return 1, 1
        return node.start_mark.line + 1, node.start_mark.column + 1

    # --- planning edits -----------------------------------------------------------------

    def set_scalar(self, path: Path, value: Any, note: str) -> None:
        """Replace the scalar at ``path``, keeping its quoting style where it has one."""
        node = self.node(path)
        assert isinstance(node, ScalarNode), path
        text = yamlout.scalar(value)
        if node.style == "'" and isinstance(value, str) and "'" not in value:
            text = f"'{value}'"
        elif node.style == '"' and isinstance(value, str):
            text = yamlout.scalar(value) if text.startswith('"') else f'"{value}"'
        end = node.end_mark.index
        gap = len(self.text[end:]) - len(self.text[end:].lstrip(" "))
        if gap and self.text[end + gap : end + gap + 1] == "#":
            # Keep a trailing comment in its column (at least one space before it).
            old = end - node.start_mark.index
            text += " " * max(1, gap + old - len(text))
            end += gap
        self.edits.append(Edit(node.start_mark.index, end, text))
        self.notes.append((node.start_mark.line + 1, note))

    def rename_key(self, path: Path, new: str, note: str) -> None:
        """Rename the key of the entry at ``path``."""
        key = self.key_node(path)
        assert key is not None, path
        self.edits.append(Edit(key.start_mark.index, key.end_mark.index, new))
        self.notes.append((key.start_mark.line + 1, note))

    def delete(self, path: Path, note: str) -> None:
        """Delete a mapping entry or a sequence item, with the lines it occupies.

        A flow collection (``{a: 1, b: 2}``) cannot lose an entry line-wise: the whole
        value of its parent is rewritten by the caller instead (see replace).
        """
        parent = self.node(path[:-1])
        if isinstance(parent, MappingNode):
            key = self.key_node(path)
            value = self.node(path)
            assert key is not None and value is not None, path
            first, last = key.start_mark, _last_content(value)
        else:
            item = self.node(path)
            assert item is not None, path
            first, last = item.start_mark, _last_content(item)
        start, end = self._whole_lines(first.index, last.index)
        if self.text[start : first.index].strip() not in ("", "-"):
            raise ValueError("the entry shares its line with another one")
        if parent is not None and getattr(parent, "flow_style", False):
            raise ValueError("an entry of a flow collection cannot be deleted line-wise")
        self.edits.append(Edit(start, end, ""))
        self.notes.append((first.line + 1, note))

    def replace(self, path: Path, value: Any, note: str) -> None:
        """Replace the value at ``path`` with ``value``.

        Block style below its key at the file's own indentation step; flow values stay
        on their line.
        """
        node = self.node(path)
        key = self.key_node(path)
        assert node is not None and key is not None, path
        if isinstance(node, ScalarNode) or getattr(node, "flow_style", False):
            text = _flow(value)
            end = _last_content(node).index
            self.edits.append(Edit(node.start_mark.index, end, text))
        else:
            step = max(2, node.start_mark.column - key.start_mark.column)
            indent = key.start_mark.column + step
            body = _block(value, indent, step)
            start, end = self._whole_lines(node.start_mark.index, _last_content(node).index)
            self.edits.append(Edit(start, end, body))
        self.notes.append((key.start_mark.line + 1, note))

    def _whole_lines(self, first: int, last: int) -> tuple[int, int]:
        """The whole lines from index ``first`` to the content ending at ``last``.

        The last line's newline is included, so deleting the span leaves no blank line.
        """
        start = self.text.rfind("\n", 0, first) + 1
        end = self.text.find("\n", max(last - 1, 0))
        return start, len(self.text) if end < 0 else end + 1

    # --- applying -----------------------------------------------------------------------

    def result(self) -> str:
        """The text with every planned edit applied (edits must not overlap)."""
        out = self.text
        for edit in sorted(self.edits, key=lambda e: e.start, reverse=True):
            out = out[: edit.start] + edit.new + out[edit.end :]
        return out


def _last_content(node: Node) -> Any:
    """The end mark of the last scalar inside ``node`` (comments after it excluded)."""
    if isinstance(node, MappingNode) and node.value:
        return _last_content(node.value[-1][1])
    if isinstance(node, SequenceNode) and node.value and not node.flow_style:
        return _last_content(node.value[-1])
    return node.end_mark


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{yamlout.scalar(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return yamlout.scalar(value)


def _block(value: Any, indent: int, step: int) -> str:
    """``value`` in block style at ``indent``, nested by ``step`` spaces."""
    lines = yamlout.dump(value).splitlines()
    scaled = []
    for line in lines:
        spaces = len(line) - len(line.lstrip(" "))
        scaled.append(" " * (indent + spaces // 2 * step) + line[spaces:])
    return "\n".join(scaled) + "\n"


def walk(node: Node | None, path: Path = ()) -> Iterator[tuple[Path, Node]]:
    """Every node below ``node`` with its path."""
    if node is None:
        return
    yield path, node
    if isinstance(node, MappingNode):
        for key, value in node.value:
            yield from walk(value, (*path, key.value))
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            yield from walk(item, (*path, i))
