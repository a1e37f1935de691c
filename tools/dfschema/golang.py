"""A deliberately small Go declaration reader: structs, tags, named types, imports, constants.

It reads Go files through a GitTree (``git show TAG:path``) and also parses the composite
literal that builds a default config into a nested dict (see goeval.py for evaluating it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TypeAlias

from dfschema.model import GenError, GitTree

LitNode: TypeAlias = "str | dict[str, LitNode]"

MODULE = "d7y.io/dragonfly/v2"


@dataclass
class GoField:
    """One field of a Go struct."""

    name: str
    type_expr: str
    tags: dict[str, str]
    embedded: bool
    file: str
    line: int
    doc: str


@dataclass
class GoStruct:
    """A Go struct type declaration."""

    pkg: str
    name: str
    file: str
    line: int
    fields: list[GoField]
    problem: str = ""


@dataclass
class GoPackage:
    """The declarations of one Go package (directory) that the generator needs."""

    path: str
    imports: dict[str, dict[str, str]] = field(default_factory=dict)
    structs: dict[str, GoStruct] = field(default_factory=dict)
    named: dict[str, tuple[str, str]] = field(default_factory=dict)
    consts: dict[str, tuple[str, str]] = field(default_factory=dict)


STRUCT_START = re.compile(r"^type\s+(\w+)\s+struct\s*\{\s*(\}\s*)?$")
NAMED_TYPE = re.compile(r"^type\s+(\w+)\s+(=\s*)?([^{]+?)\s*$")
IMPORT_LINE = re.compile(r'^\s*(?:(\w+|\.|_)\s+)?"([^"]+)"\s*$')
EMBED_FIELD = re.compile(r"^(?P<type>\*?[A-Za-z_][\w.]*(?:\[[^\]]*\])?)\s*(?:`(?P<tag>[^`]*)`)?$")
NAMED_FIELD = re.compile(
    r"^(?P<names>[A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s+(?P<type>[^`]+?)\s*(?:`(?P<tag>[^`]*)`)?$"
)
TAG_PAIR = re.compile(r'(\w+):"((?:[^"\\]|\\.)*)"')
CONST_ENTRY = re.compile(r"^(\w+)(?:\s+[\w.\[\]*]+)?\s*=\s*(.*)$")
SKIPPED_SUFFIXES = ("_test.go", "_darwin.go", "_windows.go", "_freebsd.go")
OTHER_OS_BUILD = re.compile(r"^//go:build\s+(darwin|windows|freebsd|!linux)")


def strip_comment(line: str) -> str:
    """Remove a trailing // comment that is outside quotes and backticks."""
    quote = ""
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = ""
            continue
        if char in "\"`'":
            quote = char
        elif line.startswith("//", index):
            return line[:index].rstrip()
    return line.rstrip()


def default_import_alias(path: str) -> str:
    """Return the package name Go uses for an import path without an explicit alias."""
    parts = path.split("/")
    name = parts[-1]
    if re.fullmatch(r"v\d+", name) and len(parts) > 1:
        name = parts[-2]
    name = re.sub(r"\.v\d+$", "", name)
    return name.removeprefix("go-").replace("-", "")


class GoParser:
    """Parse the declarations the generator needs from Go files read through GitTree."""

    def __init__(self, tree: GitTree) -> None:
        self.tree = tree
        self._packages: dict[str, GoPackage] = {}

    def package(self, path: str) -> GoPackage:
        """Return the parsed package in directory ``path`` (repository-relative)."""
        if path not in self._packages:
            pkg = GoPackage(path=path)
            for file in self.tree.list_dir(path):
                if file.endswith(".go") and not file.endswith(SKIPPED_SUFFIXES):
                    self._parse_file(pkg, file)
            self._packages[path] = pkg
        return self._packages[path]

    def _parse_file(self, pkg: GoPackage, file: str) -> None:
        lines = self.tree.show(file).splitlines()
        if any(OTHER_OS_BUILD.match(line) for line in lines[:5]):
            return
        index = 0
        while index < len(lines):
            index = self._parse_top_level(pkg, file, lines, index)

    def _parse_top_level(self, pkg: GoPackage, file: str, lines: list[str], index: int) -> int:
        line = lines[index]
        if line.startswith("import"):
            return self._parse_imports(pkg.imports.setdefault(file, {}), lines, index)
        if line.startswith(("const", "var")):
            return self._parse_consts(pkg, file, lines, index)
        match = STRUCT_START.match(line)
        if match:
            return self._parse_struct(pkg, file, lines, index, match.group(1))
        match = NAMED_TYPE.match(strip_comment(line))
        if match and not match.group(3).startswith(("interface", "func", "struct")):
            pkg.named[match.group(1)] = (match.group(3), file)
        return index + 1

    @staticmethod
    def _parse_imports(imports: dict[str, str], lines: list[str], index: int) -> int:
        block = lines[index].rstrip().endswith("(")
        candidates = [lines[index].removeprefix("import")] if not block else []
        end = index + 1
        if block:
            while lines[end].strip() != ")":
                candidates.append(lines[end])
                end += 1
            end += 1
        for text in candidates:
            match = IMPORT_LINE.match(strip_comment(text))
            if match:
                alias = match.group(1) or default_import_alias(match.group(2))
                imports[alias] = match.group(2)
        return end

    def _parse_consts(self, pkg: GoPackage, file: str, lines: list[str], index: int) -> int:
        head = strip_comment(lines[index])
        if head.endswith("("):
            end = index + 1
            while end < len(lines) and lines[end].strip() != ")":
                end = self._parse_const_entry(pkg, file, lines, end, lines[end].strip())
            return end + 1
        text = re.sub(r"^(const|var)\s+", "", head)
        return self._parse_const_entry(pkg, file, lines, index, text)

    @staticmethod
    def _parse_const_entry(
        pkg: GoPackage, file: str, lines: list[str], index: int, text: str
    ) -> int:
        match = CONST_ENTRY.match(strip_comment(text))
        if not match:
            return index + 1
        expr = match.group(2)
        end = index + 1
        while expr.count("{") > expr.count("}") and end < len(lines):
            expr += " " + strip_comment(lines[end]).strip()
            end += 1
        pkg.consts[match.group(1)] = (expr.strip(), file)
        return end

    def _parse_struct(
        self, pkg: GoPackage, file: str, lines: list[str], index: int, name: str
    ) -> int:
        fields: list[GoField] = []
        doc: list[str] = []
        problem = ""
        end = index + 1
        if not lines[index].rstrip().endswith("}"):
            while lines[end].rstrip() != "}":
                if not problem:
                    try:
                        doc = self._parse_struct_line(fields, doc, lines[end], file, end + 1)
                    except GenError as exc:
                        problem = str(exc)
                end += 1
        pkg.structs[name] = GoStruct(pkg.path, name, file, index + 1, fields, problem)
        return end + 1

    @staticmethod
    def _parse_struct_line(
        fields: list[GoField], doc: list[str], raw: str, file: str, line_no: int
    ) -> list[str]:
        stripped = raw.strip()
        if not stripped:
            return []
        if stripped.startswith("//"):
            return [*doc, stripped.removeprefix("//").strip()]
        text = strip_comment(stripped)
        if "struct {" in text or "struct{" in text:
            raise GenError(f"{file}:{line_no}: anonymous struct fields are not supported")
        embed = EMBED_FIELD.match(text)
        if embed:
            type_expr = embed.group("type")
            tags = dict(TAG_PAIR.findall(embed.group("tag") or ""))
            name = type_expr.lstrip("*").rsplit(".", 1)[-1]
            fields.append(GoField(name, type_expr, tags, True, file, line_no, " ".join(doc)))
            return []
        named = NAMED_FIELD.match(text)
        if not named:
            raise GenError(f"{file}:{line_no}: cannot parse struct field {text!r}")
        tags = dict(TAG_PAIR.findall(named.group("tag") or ""))
        for name in re.split(r"\s*,\s*", named.group("names")):
            fields.append(
                GoField(
                    name, named.group("type").strip(), tags, False, file, line_no, " ".join(doc)
                )
            )
        return []


# --------------------------------------------------------------------------------------------
# Default values: the composite literal of the default config and the constants it uses.
# --------------------------------------------------------------------------------------------

PAIRS = {"{": "}", "(": ")", "[": "]"}


def _skip_string(text: str, index: int) -> int:
    quote = text[index]
    index += 1
    while index < len(text) and text[index] != quote:
        index += 2 if text[index] == "\\" and quote != "`" else 1
    return index + 1


def matching_close(text: str, start: int) -> int:
    """Return the index of the bracket that closes the one at ``start``."""
    stack = [PAIRS[text[start]]]
    index = start + 1
    while index < len(text):
        char = text[index]
        if char in "\"`'":
            index = _skip_string(text, index)
            continue
        if char in PAIRS:
            stack.append(PAIRS[char])
        elif stack and char == stack[-1]:
            stack.pop()
            if not stack:
                return index
        index += 1
    raise GenError("unbalanced brackets in Go source")


def split_top_level(text: str, sep: str) -> list[str]:
    """Split on ``sep`` where it is not nested inside brackets or strings."""
    parts: list[str] = []
    depth = 0
    start = 0
    index = 0
    while index < len(text):
        char = text[index]
        if char in "\"`'":
            index = _skip_string(text, index)
            continue
        if char in PAIRS:
            depth += 1
        elif char in PAIRS.values():
            depth -= 1
        elif depth == 0 and text.startswith(sep, index):
            parts.append(text[start:index])
            start = index + len(sep)
        index += 1
    parts.append(text[start:])
    return [part.strip() for part in parts if part.strip()]


COMPOSITE = re.compile(r"^&?(?P<type>[A-Za-z_][\w.]*)\{")


def parse_composite(body: str) -> dict[str, LitNode]:
    """Parse the keyed elements of a Go composite literal body into a nested dict."""
    result: dict[str, LitNode] = {}
    for element in split_top_level(body, ","):
        key_value = split_top_level(element, ":")
        if len(key_value) != 2:
            raise GenError(f"unkeyed element in default literal: {element!r}")
        key, value = key_value
        match = COMPOSITE.match(value)
        if match and value.endswith("}"):
            inner = value[match.end() : -1]
            keyed = any(len(split_top_level(e, ":")) == 2 for e in split_top_level(inner, ","))
            result[key] = parse_composite(inner) if keyed or not inner.strip() else value
        else:
            result[key] = value
    return result


def strip_all_comments(text: str) -> str:
    """Remove // comments from Go source (string aware)."""
    return "\n".join(strip_comment(line) for line in text.splitlines())


def read_default_literal(tree: GitTree, file: str, marker: str) -> dict[str, LitNode]:
    """Return the composite literal after regex ``marker`` in ``file`` as a nested dict."""
    text = strip_all_comments(tree.show(file))
    match = re.search(marker, text)
    if not match:
        raise GenError(f"default literal {marker!r} not found in {file}")
    start = match.end() - 1
    return parse_composite(text[start + 1 : matching_close(text, start)])
