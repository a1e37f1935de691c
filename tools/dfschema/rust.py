"""A deliberately small reader for serde-annotated Rust config structs.

It reads rustfmt-formatted files through a GitTree and extracts, per file: ``use`` imports,
structs (fields, doc comments, ``#[serde(...)]`` and ``#[validate(...)]`` attributes), unit-only
enums, argument-less ``fn`` bodies (for ``default = "..."`` functions), ``const`` items and
``impl Default for X`` struct literals. Anything it cannot read is an error, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dfschema.golang import matching_close, split_top_level
from dfschema.model import GenError, GitTree

Attrs = dict[str, list[str]]


@dataclass
class RustField:
    """One named field of a Rust struct."""

    name: str
    type_expr: str
    line: int
    serde: Attrs
    validate: list[str]
    doc: str


@dataclass
class RustStruct:
    """A struct with named fields."""

    name: str
    file: str
    line: int
    serde: Attrs
    derives: set[str]
    fields: list[RustField]


@dataclass
class RustVariant:
    """One enum variant."""

    name: str
    line: int
    serde: Attrs
    is_default: bool


@dataclass
class RustEnum:
    """An enum whose variants carry no data."""

    name: str
    file: str
    line: int
    serde: Attrs
    derives: set[str]
    variants: list[RustVariant]


@dataclass
class RustFile:
    """The items of one Rust file that the generator needs."""

    path: str
    uses: dict[str, str] = field(default_factory=dict)
    structs: dict[str, RustStruct] = field(default_factory=dict)
    enums: dict[str, RustEnum] = field(default_factory=dict)
    fns: dict[str, tuple[str, int]] = field(default_factory=dict)
    consts: dict[str, str] = field(default_factory=dict)
    default_impls: dict[str, dict[str, str]] = field(default_factory=dict)


ITEM = re.compile(r"^(?:pub(?:\([\w:]+\))?\s+)?(struct|enum|fn|const|use|impl)\b")
STRUCT_HEAD = re.compile(r"^(?:pub(?:\([\w:]+\))?\s+)?struct\s+(\w+)\s*(\{|;|\()")
ENUM_HEAD = re.compile(r"^(?:pub(?:\([\w:]+\))?\s+)?enum\s+(\w+)\s*\{")
FN_HEAD = re.compile(r"^(?:pub(?:\([\w:]+\))?\s+)?fn\s+(\w+)\(\)\s*->\s*[^{]+\{")
CONST_ITEM = re.compile(r"^(?:pub(?:\([\w:]+\))?\s+)?const\s+(\w+)\s*:[^=]+=\s*(.+);$")
IMPL_DEFAULT = re.compile(r"^impl\s+Default\s+for\s+(\w+)\s*\{")
FIELD = re.compile(r"^(?:pub(?:\([\w:]+\))?\s+)?(\w+)\s*:\s*(.+?),?$")
VARIANT = re.compile(r"^(\w+)\s*(,|\(|\{|=)?")
LINUX_RETURN = re.compile(r'#\[cfg\(target_os = "linux"\)\]\s*return\s+(.+?);', re.S)


def strip_line_comment(line: str) -> str:
    """Remove a // comment (not /// docs, which the caller handles) outside strings."""
    quote = False
    for index, char in enumerate(line):
        if char == '"' and (index == 0 or line[index - 1] != "\\"):
            quote = not quote
        elif not quote and line.startswith("//", index):
            return line[:index].rstrip()
    return line.rstrip()


def parse_attr_args(text: str) -> Attrs:
    """Parse ``default, rename = "x", with = "y"`` into {key: [values]} ('' for flags)."""
    result: Attrs = {}
    for part in split_top_level(text, ","):
        key, eq, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if eq and not (value.startswith('"') and value.endswith('"')):
            raise GenError(f"unsupported serde argument {part!r}")
        result.setdefault(key, []).append(value[1:-1] if eq else "")
    return result


def flatten_use(prefix: str, tree: str) -> dict[str, str]:
    """Flatten a use tree (``a::{b, c::D}``) into {local name: full path}."""
    tree = tree.strip()
    if tree.endswith("}") and "{" in tree:
        head = tree[: tree.index("{")].rstrip(":")
        inner = tree[tree.index("{") + 1 : -1]
        out: dict[str, str] = {}
        for part in split_top_level(inner, ","):
            out.update(flatten_use(f"{prefix}{head}::" if head else prefix, part))
        return out
    path, _, alias = tree.partition(" as ")
    full = prefix + path.strip()
    name = alias.strip() or full.rsplit("::", 1)[-1]
    return {} if name in ("self", "*") else {name: full}


class RustReader:
    """Parse Rust files of one tag, with a cache."""

    def __init__(self, tree: GitTree) -> None:
        self.tree = tree
        self._files: dict[str, RustFile] = {}

    def file(self, path: str) -> RustFile:
        """Return the parsed file at ``path``."""
        if path not in self._files:
            self._files[path] = self._parse(path, self.tree.show(path).splitlines())
        return self._files[path]

    def _parse(self, path: str, lines: list[str]) -> RustFile:
        out = RustFile(path)
        attrs: list[str] = []
        index = 0
        while index < len(lines):
            line = lines[index]
            if line.startswith("#["):
                attr, index = self._attribute(lines, index)
                attrs.append(attr)
                continue
            if not ITEM.match(line):
                if line.strip() and not line.startswith("//"):
                    attrs = []
                index += 1
                continue
            index = self._item(out, lines, index, attrs)
            attrs = []
        return out

    @staticmethod
    def _attribute(lines: list[str], index: int) -> tuple[str, int]:
        text = lines[index].strip()
        end = index
        while text.count("[") > text.count("]"):
            end += 1
            text += " " + strip_line_comment(lines[end]).strip()
        return text[2:-1].strip(), end + 1

    @staticmethod
    def _block_end(lines: list[str], index: int) -> int:
        """Return the index of the column-0 '}' closing an item (rustfmt layout)."""
        if lines[index].rstrip().endswith("}") and "{" in lines[index]:
            return index
        end = index + 1
        while end < len(lines) and lines[end].rstrip() != "}":
            end += 1
        if end == len(lines):
            raise GenError(f"unterminated item at line {index + 1}")
        return end

    def _item(self, out: RustFile, lines: list[str], index: int, attrs: list[str]) -> int:
        line = lines[index]
        if ITEM.match(line).group(1) == "use":  # type: ignore[union-attr]
            text = line
            while not text.rstrip().endswith(";"):
                index += 1
                text += " " + strip_line_comment(lines[index]).strip()
            body = re.sub(r"^(pub\s+)?use\s+", "", text.strip())[:-1]
            out.uses.update(flatten_use("", body))
            return index + 1
        const = CONST_ITEM.match(line)
        if const:
            out.consts[const.group(1)] = const.group(2)
            return index + 1
        if not line.rstrip().endswith(("{", "}")) and not STRUCT_HEAD.match(line):
            return index + 1  # a multi-line signature we do not need
        end = self._block_end(lines, index)
        body = lines[index + 1 : end]
        if match := STRUCT_HEAD.match(line):
            serde, derives = _container_attrs(attrs)
            if match.group(2) != "{":
                return index + 1  # unit or tuple struct: resolving one to a key is an error
            fields = _fields(path=out.path, body=body, first_line=index + 2)
            out.structs[match.group(1)] = RustStruct(
                match.group(1), out.path, index + 1, serde, derives, fields
            )
        elif match := ENUM_HEAD.match(line):
            serde, derives = _container_attrs(attrs)
            variants = _variants(out.path, body, index + 2)
            out.enums[match.group(1)] = RustEnum(
                match.group(1), out.path, index + 1, serde, derives, variants
            )
        elif match := FN_HEAD.match(line):
            out.fns[match.group(1)] = (_fn_expr(body), index + 1)
        elif match := IMPL_DEFAULT.match(line):
            out.default_impls[match.group(1)] = _default_literal("\n".join(body))
        return end + 1


def _container_attrs(attrs: list[str]) -> tuple[Attrs, set[str]]:
    serde: Attrs = {}
    derives: set[str] = set()
    for attr in attrs:
        if attr.startswith("serde(") and attr.endswith(")"):
            for key, values in parse_attr_args(attr[6:-1]).items():
                serde.setdefault(key, []).extend(values)
        elif attr.startswith("derive("):
            derives |= {d.strip() for d in attr[7:-1].split(",")}
    return serde, derives


def _fields(path: str, body: list[str], first_line: int) -> list[RustField]:
    fields: list[RustField] = []
    serde: Attrs = {}
    validate: list[str] = []
    doc: list[str] = []
    index = 0
    while index < len(body):
        raw = body[index].strip()
        if raw.startswith("///"):
            doc.append(raw[3:].strip())
        elif raw.startswith("#["):
            attr, nxt = RustReader._attribute(body, index)
            if attr.startswith("serde(") and attr.endswith(")"):
                for key, values in parse_attr_args(attr[6:-1]).items():
                    serde.setdefault(key, []).extend(values)
            elif attr.startswith("validate"):
                validate.append(attr)
            index = nxt
            continue
        elif raw and not raw.startswith("//"):
            match = FIELD.match(strip_line_comment(raw))
            if not match:
                raise GenError(f"{path}:{first_line + index}: cannot parse field {raw!r}")
            fields.append(
                RustField(
                    match.group(1),
                    match.group(2),
                    first_line + index,
                    serde,
                    validate,
                    " ".join(d for d in doc if d),
                )
            )
            serde, validate, doc = {}, [], []
        index += 1
    return fields


def _variants(path: str, body: list[str], first_line: int) -> list[RustVariant]:
    variants: list[RustVariant] = []
    serde: Attrs = {}
    is_default = False
    for offset, raw in enumerate(body):
        text = raw.strip()
        if not text or text.startswith("//"):
            continue
        if text == "#[default]":
            is_default = True
        elif text.startswith("#[serde(") and text.endswith(")]"):
            serde = parse_attr_args(text[8:-2])
        elif text.startswith("#["):
            continue
        else:
            match = VARIANT.match(text)
            if not match or match.group(2) in ("(", "{"):
                raise GenError(f"{path}:{first_line + offset}: unsupported enum variant {text!r}")
            variants.append(RustVariant(match.group(1), first_line + offset, serde, is_default))
            serde, is_default = {}, False
    return variants


def _fn_expr(body: list[str]) -> str:
    """Return the value expression of a simple function body ('' if not a single expression)."""
    text = "\n".join(strip_line_comment(line) for line in body).strip()
    linux = LINUX_RETURN.search(text)
    if linux:
        return linux.group(1).strip()
    if ";" in text or "\n" in text.strip():
        return ""
    return text


def _default_literal(body: str) -> dict[str, str]:
    """Return {field: expr} of the ``Self { ... }`` / ``X { ... }`` literal in fn default()."""
    text = "\n".join(strip_line_comment(line) for line in body.splitlines())
    match = re.search(r"fn default\(\)\s*->\s*Self\s*\{\s*(?:Self|\w+)\s*\{", text)
    if not match:
        return {}
    inner = text[match.end() : matching_close(text, match.end() - 1)]
    result: dict[str, str] = {}
    for element in split_top_level(inner, ","):
        key, sep, value = element.partition(":")
        if sep and re.fullmatch(r"\w+", key.strip()):
            result[key.strip()] = value.strip()
    return result
