"""Strict YAML loading with a position for every node.

The inventory is YAML 1.2 (core schema) with extra strictness, because a config tool
must not guess: duplicate keys, aliases, merge keys, non-string keys, custom tags and
the YAML 1.1 spellings that YAML 1.2 reads differently (``yes``, ``off``, ``0700``) are
errors. Parsing and composing use libyaml (five to ten times faster than a pure-Python
composer on a 10,000-node inventory, see benchmarks/); turning nodes into values is
done here so that every value gets its mark.
"""

from __future__ import annotations

import contextlib
import gc
import json
import math
import re
from collections.abc import Iterator
from typing import Any, NoReturn

import yaml

from gencfg.inventory.source import JsonPath, Mark, SourceMap
from gencfg.problem import Problem

_PLAIN = "gencfg:plain"
_QUOTED = "gencfg:quoted"
_CORE = "tag:yaml.org,2002:"
_ALLOWED_EXPLICIT = {f"{_CORE}{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq")}

if hasattr(yaml, "CSafeLoader"):
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
else:  # pragma: no cover - PyYAML without libyaml
    _BaseLoader = yaml.SafeLoader


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """libyaml composer that leaves implicit scalar typing to us."""

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return _PLAIN if implicit[0] else _QUOTED
        return super().resolve(kind, value, implicit)  # type: ignore[no-any-return]


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a document is built.

    Building allocates one node, one mark and one value per scalar; each few hundred
    allocations trigger a collection that walks every object still alive, so a large
    document took four times longer to load than with the collector paused. A parsed
    document has no reference cycles (aliases are refused), so nothing is left for the
    collector to find.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class YamlError(Exception):
    """Raised internally; the loader turns it into a Problem."""

    def __init__(self, code: str, message: str, mark: Mark) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.mark = mark


def _mark(file: str, node: yaml.Node) -> Mark:
    return Mark(file, node.start_mark.line + 1, node.start_mark.column + 1)


_SPECIAL_FIRST = frozenset("~nNtTfFyYoO+-.0123456789\n")
"""Every plain scalar that is not a string (or is ambiguous) starts with one of these
(a lone newline is _NULL's empty match: ``$`` matches before a final newline)."""


def _plain_scalar(text: str, file: str, node: yaml.Node) -> Any:
    if text and text[0] not in _SPECIAL_FIRST:
        return text  # no pattern of _typed can match: most names, paths and URLs
    return _typed(text, file, node)


# The typed forms of a plain scalar (YAML 1.2 core schema), and the YAML 1.1 spellings
# refused because YAML 1.1 tools (Ansible, PyYAML, kubectl) read them as something else,
# in the order they are tried: the first that matches the whole text decides.
_FORMS = (
    ("null", r"~|null|Null|NULL|"),
    ("true", r"true|True|TRUE"),
    ("false", r"false|False|FALSE"),
    ("ambiguous_bool", r"y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF"),
    ("ambiguous_number", r"[-+]?0[0-9]+|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+"),
    ("int", r"[-+]?(?:0|[1-9][0-9]*)"),
    ("oct", r"0o[0-7]+"),
    ("hex", r"0x[0-9a-fA-F]+"),
    ("float", r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"),
    ("inf", r"[-+]?(?:\.inf|\.Inf|\.INF)"),
    ("nan", r"\.nan|\.NaN|\.NAN"),
)
# One match instead of one per form: an alternation yields its first alternative that
# lets the whole expression match. "$" also matches before a final newline.
_TYPED = re.compile("^(?:" + "|".join(f"(?P<{n}>{p})" for n, p in _FORMS) + ")$")


def _typed(text: str, file: str, node: yaml.Node) -> Any:
    found = _TYPED.match(text)
    kind = found.lastgroup if found else None
    if kind is None:
        return text
    if kind == "int":
        return int(text)
    if kind == "null":
        return None
    if kind in ("true", "false"):
        return kind == "true"
    if kind == "float":
        return float(text)
    if kind == "ambiguous_bool":
        raise YamlError(
            "GC104",
            f"ambiguous value {text!r}: YAML 1.1 tools read it as a boolean, YAML 1.2 as a "
            f"string; write true/false, or quote it",
            _mark(file, node),
        )
    if kind == "ambiguous_number":
        raise YamlError(
            "GC104",
            f"ambiguous number {text!r} (octal or base 60 in YAML 1.1); quote it, or write "
            f"it without leading zeros (0o17 for octal)",
            _mark(file, node),
        )
    if kind in ("oct", "hex"):
        return int(text[2:], 8 if kind == "oct" else 16)
    if kind == "inf":
        return -math.inf if text.startswith("-") else math.inf
    return math.nan


def _scalar(node: yaml.ScalarNode, file: str) -> Any:
    tag = node.tag
    if tag in (_QUOTED, f"{_CORE}str"):
        return node.value
    if tag == _PLAIN:
        return _plain_scalar(node.value, file, node)
    # An explicit core tag (!!int 3): type the text as the tag says.
    value = _plain_scalar(node.value, file, node)
    expected: dict[str, type | tuple[type, ...]] = {
        "int": int,
        "float": (int, float),
        "bool": bool,
        "null": type(None),
    }
    kind = tag.removeprefix(_CORE)
    ok = isinstance(value, expected[kind]) and not (kind != "bool" and isinstance(value, bool))
    if not ok:
        raise YamlError("GC103", f"value {node.value!r} is not a valid !!{kind}", _mark(file, node))
    return float(value) if kind == "float" else value


class _Builder:
    """Turns a composed node graph into plain values, recording marks."""

    def __init__(self, file: str, smap: SourceMap, starts: dict[str, int]) -> None:
        self.file = file
        self.smap = smap
        self.starts = starts
        self.seen: set[int] = set()
        self.problems: list[Problem] = []

    def _report(self, exc: YamlError) -> None:
        m = exc.mark
        self.problems.append(Problem(m.file, m.line, m.col, exc.code, exc.message))

    def build(self, node: yaml.Node, path: JsonPath) -> Any:
        """The value of ``node``; a value in error is reported and built as None.

        The rest of the document is still checked: every problem of a line is reported.
        """
        try:
            return self._build(node, path)
        except YamlError as exc:
            self._report(exc)
            return None

    def _build(self, node: yaml.Node, path: JsonPath) -> Any:
        if id(node) in self.seen:
            raise YamlError(
                "GC105",
                "aliases (*name) are not allowed: repeat the value, or use the inventory's "
                "layers (deployment -> vpc -> group -> host) to share settings",
                self.smap.keys.get(path, _mark(self.file, node)),
            )
        self.seen.add(id(node))
        if node.tag not in (_PLAIN, _QUOTED) and node.tag not in _ALLOWED_EXPLICIT:
            raise YamlError(
                "GC103",
                f"YAML tag {node.tag!r} is not allowed (only plain YAML values; "
                f"secrets are written as {{secret: NAME}})",
                _mark(self.file, node),
            )
        self.smap.values.setdefault(path, _mark(self.file, node))
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node, self.file)
        if isinstance(node, yaml.SequenceNode):
            start = self.starts.get(str(path[0]), 0) if len(path) == 1 else 0
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value, start)]
        assert isinstance(node, yaml.MappingNode)
        return self._mapping(node, path)

    def _mapping(self, node: yaml.MappingNode, path: JsonPath) -> dict[str, Any]:
        out: dict[str, Any] = {}
        values = self.smap.values
        for key_node, value_node in node.value:
            try:
                key = self._key(key_node, path, out)
            except YamlError as exc:
                self._report(exc)
                continue
            here = (*path, key)
            values[here] = _mark(self.file, value_node)
            out[key] = self.build(value_node, here)
        return out

    def _key(self, key_node: yaml.Node, path: JsonPath, out: dict[str, Any]) -> str:
        key_mark = _mark(self.file, key_node)
        if not isinstance(key_node, yaml.ScalarNode):
            raise YamlError("GC102", "mapping keys must be plain strings", key_mark)
        key = _scalar(key_node, self.file)
        if key == "<<" and key_node.tag == _PLAIN:
            raise YamlError("GC105", "merge keys (<<) are not allowed", key_mark)
        if not isinstance(key, str):
            raise YamlError(
                "GC102",
                f"mapping key {key_node.value!r} is not a string; quote it",
                key_mark,
            )
        here = (*path, key)
        if key in out:
            first = self.smap.keys[here]
            raise YamlError(
                "GC101",
                f"duplicate key {key!r} (first defined at line {first.line})",
                key_mark,
            )
        self.smap.keys[here] = key_mark
        return key


_MAP = f"{_CORE}map"
_SEQ = f"{_CORE}seq"


class _IrregularError(Exception):
    """The fast builder met something only the full builder can judge or explain."""


def _fast(node: yaml.Node, seen: set[int]) -> Any:
    """The value of ``node`` as ``_Builder`` builds it, without paths or marks.

    Only the common case is handled here (implicit tags, string keys, no aliases);
    anything else raises, and the caller hands the document to ``_Builder``, which
    accepts it or reports it exactly as ``load_yaml`` does.
    """
    if id(node) in seen:
        raise _IrregularError
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _QUOTED:
            return node.value
        if node.tag == _PLAIN:
            return _plain_scalar(node.value, "", node)
        raise _IrregularError
    if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
        return [_fast(item, seen) for item in node.value]
    if not isinstance(node, yaml.MappingNode) or node.tag != _MAP:
        raise _IrregularError
    out: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or id(key_node) in seen:
            raise _IrregularError
        seen.add(id(key_node))
        if key_node.tag == _QUOTED:
            key = key_node.value
        elif key_node.tag == _PLAIN and key_node.value != "<<":
            key = _plain_scalar(key_node.value, "", key_node)
        else:
            raise _IrregularError
        if not isinstance(key, str) or key in out:
            raise _IrregularError
        out[key] = _fast(value_node, seen)
    return out


# Raw characters YAML refuses or reads as line breaks (libyaml: NEL, LS, PS), the BOM,
# and lone surrogates: a JSON text holding one is left to the YAML parser.
_NOT_YAML_SAFE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\ufeff\ufffe\uffff]"
)
_MAX_JSON_KEY = 1000
"""Longest key (quotes and escapes included) libyaml accepts as an implicit key is 1024."""


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _IrregularError  # duplicate key: the YAML path reports it
    for key in out:
        long = len(key) > _MAX_JSON_KEY // 6
        if long and len(json.dumps(key, ensure_ascii=False)) > _MAX_JSON_KEY:
            raise _IrregularError
    return out


def _refuse_constant(name: str) -> NoReturn:
    raise _IrregularError  # NaN, Infinity: strings to YAML


def _canonical_json(text: str) -> Any:
    """The value of ``text`` if it is exactly what ``json.dumps`` writes for a collection.

    Such a text is a YAML flow collection whose YAML value is its JSON value: one line,
    ``", "`` and ``": "`` separators, keys unique and short enough for libyaml, strings
    double-quoted with escapes YAML shares, numbers YAML 1.2 reads alike, nothing YAML
    forbids raw. The generated Ansible inventory is written this way (``| q``): decoding it
    as JSON costs a fraction of composing one YAML node per scalar, in time and memory.
    Anything else raises ``_IrregularError``.
    """
    body = text[:-1] if text.endswith("\n") else text
    if not body.startswith(("{", "[")) or _NOT_YAML_SAFE.search(body):
        raise _IrregularError
    try:
        with _collector_paused():
            value = json.loads(
                body, object_pairs_hook=_unique_pairs, parse_constant=_refuse_constant
            )
    except ValueError as exc:
        raise _IrregularError from exc
    if json.dumps(value, ensure_ascii=False) != body:
        raise _IrregularError
    return value


def load_yaml_value(text: str, file: str) -> tuple[Any, list[Problem]]:
    """:func:`load_yaml` without positions, for documents only their values matter of.

    Rendered templates are parsed to be validated and re-emitted; recording a mark per
    node was most of the time a large one (the Ansible inventory of 10,000 nodes) took
    to load. Same values and same problems as ``load_yaml``: any document the fast
    builder does not handle is loaded by ``load_yaml`` itself.
    """
    if text.startswith(("{", "[")):
        with contextlib.suppress(_IrregularError):
            return _canonical_json(text), []
    with _collector_paused():
        try:
            node = yaml.compose(text, Loader=_Loader)
            return (_fast(node, set()) if node is not None else None), []
        except (yaml.YAMLError, _IrregularError, YamlError):
            return _load_yaml(text, file, SourceMap())


def load_yaml(
    text: str, file: str, smap: SourceMap, starts: dict[str, int] | None = None
) -> tuple[Any, list[Problem]]:
    """Parse one single-document YAML file; marks go into ``smap`` with paths from the root.

    ``starts`` numbers the items of top-level lists from an index (the inventory's
    files append to lists such as ``vpcs``: the second file's first VPC is vpcs[n]).

    Returns the value (None on error or for an empty file) and the problems found: a
    syntax error stops the file (later positions would be unreliable); every other
    problem (ambiguous values, duplicate keys, tags, aliases) is reported, all of them.
    """
    with _collector_paused():
        return _load_yaml(text, file, smap, starts or {})


def _load_yaml(
    text: str, file: str, smap: SourceMap, starts: dict[str, int] | None = None
) -> tuple[Any, list[Problem]]:
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        message = " ".join(s for s in (exc.context, exc.problem) if s)
        return None, [Problem(file, line, col, "GC100", f"YAML syntax error: {message}")]
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked libyaml errors
        return None, [Problem(file, 0, 0, "GC100", f"YAML syntax error: {exc}")]
    if node is None:
        return None, []
    builder = _Builder(file, smap, starts or {})
    value = builder.build(node, ())
    if builder.problems:
        return None, builder.problems
    return value, []
