"""Parse a rendered file (YAML, JSON or TOML) into its value and the positions of its keys.

A file that does not parse is one problem (GC605) and nothing else is checked in it.
YAML is read with the inventory's loader (:func:`gencfg.inventory.yamlload.load_yaml`),
which records the line and column of every key and value. That loader is also strict
(it refuses ``yes``, ``0644``, duplicate keys, anchors); in a rendered file those are
yamllint's findings (rules truthy, octal-values, key-duplicates, anchors), so here such
a file is read again the way PyYAML reads it, rather than reported twice.
"""

from __future__ import annotations

import dataclasses
import json
import re
import tomllib
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

import yaml

from gencfg.inventory.source import JsonPath, Mark, SourceMap
from gencfg.inventory.yamlload import load_yaml
from gencfg.lint import tomlpos
from gencfg.problem import Problem

CODE_PARSE = "GC605"
CODES = {CODE_PARSE: "the file does not parse as YAML, JSON or TOML (its extension says which)"}

_YAML_SYNTAX = "GC100"
_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)")

if hasattr(yaml, "CSafeLoader"):
    _Lenient: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
else:  # pragma: no cover - PyYAML without libyaml
    _Lenient = yaml.SafeLoader


@dataclasses.dataclass(frozen=True, slots=True)
class Parsed:
    """A parsed file: its value (None if it does not parse) and where its keys are."""

    doc: Any
    smap: SourceMap
    problem: Problem | None = None


def _failed(label: str, line: int, col: int, what: str, message: str) -> Parsed:
    problem = Problem(label, line, col, CODE_PARSE, f"not valid {what}: {message}")
    return Parsed(None, SourceMap(files=[label]), problem)


def parse_yaml(text: str, label: str) -> Parsed:
    """One YAML document with positions; read as PyYAML reads it if only strict rules refuse it."""
    smap = SourceMap(files=[label])
    doc, problems = load_yaml(text, label, smap)
    if not problems:
        return Parsed(doc, smap)
    first = problems[0]
    if first.code == _YAML_SYNTAX:
        message = first.message.removeprefix("YAML syntax error: ")
        return _failed(label, first.line, first.col, "YAML", message)
    try:
        return _lenient_yaml(text, label)
    except yaml.YAMLError:
        return _failed(label, first.line, first.col, "YAML", first.message)


def _lenient_yaml(text: str, label: str) -> Parsed:
    """PyYAML's safe reading (YAML 1.1), with the marks of every key and value."""
    loader = _Lenient(text)
    try:
        node = loader.get_single_node()
        doc = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    smap = SourceMap(files=[label])
    stack: list[tuple[yaml.Node, JsonPath]] = [(node, ())] if node is not None else []
    while stack:
        current, path = stack.pop()
        smap.values.setdefault(path, _mark(label, current))
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                child = (*path, str(key.value))
                smap.keys.setdefault(child, _mark(label, key))
                stack.append((value, child))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((item, (*path, i)) for i, item in enumerate(current.value))
    return Parsed(doc, smap)


def _mark(label: str, node: yaml.Node) -> Mark:
    return Mark(label, node.start_mark.line + 1, node.start_mark.column + 1)


def parse_json(text: str, label: str) -> Parsed:
    """A JSON document; positions come from reading it as YAML (JSON is YAML 1.2)."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        return _failed(label, exc.lineno, exc.colno, "JSON", exc.msg)
    smap = SourceMap(files=[label])
    _, problems = load_yaml(text, label, smap)
    return Parsed(doc, smap if not problems else SourceMap(files=[label]))


def parse_toml(text: str, label: str) -> Parsed:
    """A TOML document, with the positions of its tables and keys."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        at = _TOML_AT.search(str(exc))
        line, col = (int(at.group(1)), int(at.group(2))) if at else (0, 0)
        return _failed(label, line, col, "TOML", _TOML_AT.sub("", str(exc)).strip())
    return Parsed(doc, tomlpos.source_map(text, label))


Parser = Callable[[str, str], Parsed]

_BY_SUFFIX: dict[str, Parser] = {
    ".yaml": parse_yaml,
    ".yml": parse_yaml,
    ".json": parse_json,
    ".toml": parse_toml,
}

YAML_SUFFIXES = (".yaml", ".yml")


def parser_for(rel: str) -> Parser | None:
    """The parse function for a file name, or None for formats lint does not read."""
    return _BY_SUFFIX.get(PurePosixPath(rel).suffix)
