"""Build one JSON Schema document from Go structs (viper/mapstructure keys)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from dfschema.goeval import Evaluator, GoValue, format_bytes, format_duration
from dfschema.golang import (
    MODULE,
    GoField,
    GoParser,
    GoStruct,
    LitNode,
    matching_close,
    read_default_literal,
)
from dfschema.goleaves import BUILTIN_LEAVES, QUALIFIED_LEAVES, leaf_schema
from dfschema.model import JSON, SCHEMA_DIALECT, GenError, GitTree, schema_id
from dfschema.model import nullable as _nullable
from dfschema.notes import FieldNote
from dfschema.profiles import GoProfile, Line

# Struct types whose yaml tag and mapstructure tag legitimately differ and how to explain it.
TAG_MISMATCH_NOTE = (
    "The yaml tag says {ytag!r} but the mapstructure tag says {mtag!r}; viper/mapstructure is "
    "what the binary uses, so the key is {mtag!r} and {ytag!r} is silently ignored."
)


def go_mod_version(tree: GitTree, module: str) -> str:
    """Return 'vMAJOR.MINOR' of a module required in go.mod at the tag."""
    match = re.search(rf"^\s*{re.escape(module)} (v\d+\.\d+)\.", tree.show("go.mod"), re.M)
    if not match:
        raise GenError(f"{module} not found in go.mod at {tree.tag}")
    return match.group(1)


@dataclass(frozen=True)
class Resolved:
    """A resolved Go type: a leaf def, a struct, an array or a map."""

    kind: str  # leaf | struct | array | map
    leaf: str = ""
    struct: GoStruct | None = None
    elem: Resolved | None = None
    go_name: str = ""


@dataclass
class Ctx:
    """Where we are while walking the struct tree."""

    go_path: tuple[str, ...]
    key_path: tuple[str, ...]
    squashed_into: str = ""


class SchemaBuilder:
    """Build one JSON Schema document for a profile."""

    def __init__(self, parser: GoParser, tree: GitTree, profile: GoProfile, line: Line) -> None:
        self.parser = parser
        self.tree = tree
        self.profile = profile
        self.line = line
        self.evaluator = Evaluator(parser)
        self.defaults = read_default_literal(tree, profile.defaults_file, profile.defaults_marker)
        self.cobra_defaults = self._cobra_defaults()
        self.defs: dict[str, JSON] = {}
        self.struct_uses: dict[tuple[str, str], int] = {}
        self.notes_used: set[tuple[str, str, str]] = set()

    # ---- type resolution -------------------------------------------------------------------

    def resolve(self, type_expr: str, scope: str) -> Resolved:
        """Resolve a Go type expression written in file ``scope``."""
        expr = type_expr.strip().lstrip("*")
        if expr.startswith("[]"):
            return Resolved("array", elem=self.resolve(expr[2:], scope), go_name=expr)
        if expr.startswith("map["):
            close = matching_close(expr, 3)
            if expr[4:close] != "string":
                raise GenError(f"unsupported map key in {type_expr!r}")
            return Resolved("map", elem=self.resolve(expr[close + 1 :], scope), go_name=expr)
        if expr in BUILTIN_LEAVES:
            return Resolved("leaf", leaf=BUILTIN_LEAVES[expr], go_name=expr)
        target_pkg, name, in_repo = self._qualify(expr, scope)
        qualified = f"{target_pkg}.{name}"
        if qualified in QUALIFIED_LEAVES:
            return Resolved("leaf", leaf=QUALIFIED_LEAVES[qualified], go_name=expr)
        if not in_repo:
            raise GenError(f"external type {qualified!r} has no entry in the leaf table")
        pkg = self.parser.package(target_pkg)
        if name in pkg.structs:
            if pkg.structs[name].problem:
                raise GenError(pkg.structs[name].problem)
            return Resolved("struct", struct=pkg.structs[name], go_name=expr)
        if name in pkg.named:
            return self.resolve(*pkg.named[name])
        raise GenError(f"type {qualified!r} not found")

    def _qualify(self, expr: str, scope: str) -> tuple[str, str, bool]:
        """Return (package dir or import path, type name, declared in this repository?)."""
        pkg_path = scope.rsplit("/", 1)[0]
        if "." not in expr:
            return pkg_path, expr, True
        alias, name = expr.split(".", 1)
        import_path = self.parser.package(pkg_path).imports.get(scope, {}).get(alias)
        if import_path is None:
            raise GenError(f"unknown import alias {alias!r} in {scope}")
        if import_path.startswith(MODULE + "/"):
            return import_path.removeprefix(MODULE + "/"), name, True
        return import_path, name, False

    # ---- keys ------------------------------------------------------------------------------

    def field_key(self, fld: GoField) -> tuple[str | None, bool, str]:
        """Return (key or None if skipped, squash?, $comment) for a field."""
        if not fld.name[0].isupper():
            return None, False, ""
        m_name, _, m_opts = fld.tags.get("mapstructure", "").partition(",")
        y_name, _, y_opts = fld.tags.get("yaml", "").partition(",")
        if m_name == "-":
            return None, False, ""
        squash = "squash" in m_opts.split(",")
        if squash:
            if self.profile.yaml_strict and "inline" not in y_opts.split(","):
                raise GenError(f"{fld.file}:{fld.line}: squash without yaml inline")
            return "", True, ""
        if fld.embedded and not m_name:
            raise GenError(f"{fld.file}:{fld.line}: embedded field without squash")
        # yaml.v3 uses the lower-cased field name when there is no yaml tag; mapstructure uses
        # the field name, matched case-insensitively (and viper lower-cases every key anyway).
        y_key = y_name or fld.name.lower()
        m_key = m_name or y_key
        if m_key.lower() != y_key.lower():
            return m_key, False, TAG_MISMATCH_NOTE.format(ytag=y_key, mtag=m_key)
        if m_key != y_key:
            # Same key up to case: yaml.v3 (dfget.yaml second read) needs the yaml spelling.
            key = y_key if self.profile.yaml_strict else m_key
            return key, False, f"mapstructure tag {m_key!r}, yaml tag {y_key!r}; using {key!r}."
        return m_key, False, ""

    # ---- walking ---------------------------------------------------------------------------

    def count_uses(self, struct: GoStruct, seen: tuple[tuple[str, str], ...] = ()) -> None:
        """Count how often each struct type is reached (to decide where defaults go)."""
        key = (struct.pkg, struct.name)
        if key in seen:
            raise GenError(f"recursive struct {struct.name}")
        for fld in struct.fields:
            name, squash, _ = self.field_key(fld)
            if name is None:
                continue
            resolved = self.resolve(fld.type_expr, fld.file)
            while resolved.kind in ("array", "map") and resolved.elem is not None:
                resolved = resolved.elem
            if resolved.kind == "struct" and resolved.struct is not None:
                if not squash:
                    sub = (resolved.struct.pkg, resolved.struct.name)
                    self.struct_uses[sub] = self.struct_uses.get(sub, 0) + 1
                self.count_uses(resolved.struct, (*seen, key))

    def build(self) -> JSON:
        """Build the whole schema document."""
        root_pkg = self.parser.package(self.profile.root_pkg)
        root = root_pkg.structs[self.profile.root_type]
        self.count_uses(root)
        properties = self.struct_properties(root, Ctx((), ()))
        schema: JSON = {
            "$schema": SCHEMA_DIALECT,
            "$id": schema_id(self.line.name, self.profile.name),
            "title": f"{self.profile.title}, {self.line.product} {self.tree.tag}",
            "description": self._root_description(root),
            "type": "object",
            "additionalProperties": False,
            "properties": properties,
            "$defs": dict(sorted(self.defs.items())),
        }
        return schema

    def _root_description(self, root: GoStruct) -> str:
        viper = go_mod_version(self.tree, "github.com/spf13/viper")
        mapstructure = go_mod_version(self.tree, "github.com/mitchellh/mapstructure")
        loaded_by = f"Loaded by viper {viper} + mapstructure {mapstructure}"
        loader = (
            f"{loaded_by} (WeaklyTypedInput, unknown keys silently "
            "ignored, keys case-insensitive) and, for dfget.yaml only, decoded a SECOND time by "
            "a strict, case-sensitive yaml.v3 unmarshal into DaemonOption "
            "(client/daemon/daemon.go). Keys here use the one spelling that satisfies both."
            if self.profile.yaml_strict
            else f"{loaded_by} (WeaklyTypedInput, unknown keys "
            "silently ignored, keys case-insensitive); the key is the mapstructure tag and this "
            "schema requires its canonical spelling."
        )
        return (
            f"Generated by tools/gen_dragonfly_schemas.py from {self.line.repo} "
            f"{self.tree.tag} (commit {self.tree.commit()}), root struct {root.name} "
            f"({root.file}:{root.line}). Default path {self.profile.config_path}. {loader} "
            "additionalProperties:false on every struct means: keys the binary does not read "
            "are rejected. YAML null is accepted everywhere because both decoders treat it as "
            "'keep the code default'."
        )

    def struct_properties(self, struct: GoStruct, ctx: Ctx) -> dict[str, JSON]:
        """Return the JSON properties of a struct, with squashed fields merged in."""
        properties: dict[str, JSON] = {}
        for fld in struct.fields:
            key, squash, comment = self.field_key(fld)
            if key is None:
                continue
            resolved = self.resolve(fld.type_expr, fld.file)
            go_path = (*ctx.go_path, fld.name)
            if squash:
                if resolved.struct is None:
                    raise GenError(f"{fld.file}:{fld.line}: squash of a non-struct")
                sub_ctx = Ctx(go_path, ctx.key_path, ctx.squashed_into or struct.name)
                for sub_key, sub_schema in self.struct_properties(resolved.struct, sub_ctx).items():
                    self._add_property(properties, sub_key, sub_schema, fld)
                continue
            sub_ctx = Ctx(go_path, (*ctx.key_path, key), ctx.squashed_into)
            prop = self.property_schema(struct, fld, resolved, sub_ctx)
            if comment:
                prop["$comment"] = comment
            self._add_property(properties, key, prop, fld)
        return properties

    @staticmethod
    def _add_property(properties: dict[str, JSON], key: str, prop: JSON, fld: GoField) -> None:
        if any(existing.lower() == key.lower() for existing in properties):
            raise GenError(f"{fld.file}:{fld.line}: duplicate key {key!r}")
        properties[key] = prop

    def property_schema(self, struct: GoStruct, fld: GoField, resolved: Resolved, ctx: Ctx) -> JSON:
        """Return the schema of one property (a $ref or an inline array/map)."""
        prop = self.type_schema(resolved, ctx)
        where = f"{fld.file}:{fld.line}"
        if ctx.squashed_into:
            where += f", squashed into {ctx.squashed_into}"
        parts = [f"Go: {struct.name}.{fld.name} ({where}), {fld.type_expr}."]
        default = self.default_for(fld, resolved, ctx)
        if default is not None:
            parts.append(default[0])
            if default[1] is not None:
                prop["default"] = default[1]
        note = self.line.notes.get((struct.pkg, struct.name, fld.name))
        if note is not None:
            self.notes_used.add((struct.pkg, struct.name, fld.name))
            self._apply_note(prop, note, parts, fld.file)
        if fld.doc:
            parts.append(f"Upstream comment: {fld.doc}")
        return {"description": " ".join(parts), **prop}

    def _apply_note(self, prop: JSON, note: FieldNote, parts: list[str], scope: str) -> None:
        evidence = [f"{path}:{self.tree.find_line(path, rx)}" for path, rx in note.evidence]
        parts.append(note.note + (f" See {', '.join(evidence)}." if evidence else ""))
        values: list[str] = list(note.enum_literals)
        for const in note.enum_consts:
            value = self.evaluator.evaluate(const, scope)
            if value.kind != "string":
                raise GenError(f"enum constant {const} did not evaluate to a string")
            values.append(str(value.value))
        if values:
            prop["enum"] = [*values, *([""] if note.allow_empty else []), None]

    def type_schema(self, resolved: Resolved, ctx: Ctx) -> JSON:
        """Return the schema for a resolved type (without description)."""
        if resolved.kind == "leaf":
            self._ensure_leaf(resolved.leaf)
            return {"$ref": f"#/$defs/{resolved.leaf}"}
        if resolved.kind in ("array", "map") and resolved.elem is not None:
            item_ctx = Ctx((*ctx.go_path, "[]"), (*ctx.key_path, "[]"))
            items = self.type_schema(resolved.elem, item_ctx)
            if resolved.kind == "array":
                return {"type": _nullable("array"), "items": items}
            return {"type": _nullable("object"), "additionalProperties": items}
        if resolved.struct is None:
            raise GenError(f"cannot build schema for {resolved}")
        return {"$ref": f"#/$defs/{self._ensure_struct(resolved.struct, ctx)}"}

    def _ensure_leaf(self, name: str) -> None:
        if name not in self.defs:
            self.defs[name] = leaf_schema(name, self.profile.yaml_strict)

    def _ensure_struct(self, struct: GoStruct, ctx: Ctx) -> str:
        name = struct.name
        clash = self.defs.get(name, {}).get("x-go-type")
        if clash is not None and clash != f"{struct.pkg}.{struct.name}":
            name = f"{struct.pkg.replace('/', '_')}_{struct.name}"
        if name in self.defs:
            return name
        self.defs[name] = {}  # placeholder against recursion
        single_use = self.struct_uses.get((struct.pkg, struct.name), 0) <= 1
        walk_ctx = Ctx(ctx.go_path if single_use else ("<shared>",), ctx.key_path)
        self.defs[name] = {
            "type": _nullable("object"),
            "additionalProperties": False,
            "description": f"Go struct {struct.name} ({struct.file}:{struct.line})."
            + ("" if single_use else " Used in several places; defaults are given per use."),
            "x-go-type": f"{struct.pkg}.{struct.name}",
            "properties": self.struct_properties(struct, walk_ctx),
        }
        return name

    # ---- defaults --------------------------------------------------------------------------

    def _literal_at(self, go_path: tuple[str, ...]) -> LitNode | None:
        node: LitNode = self.defaults
        for part in go_path:
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node

    def default_for(self, fld: GoField, resolved: Resolved, ctx: Ctx) -> tuple[str, Any] | None:
        """Return (description text, JSON default or None) for a field, if known."""
        if ctx.go_path and ctx.go_path[0] == "<shared>":
            return None
        if fld.file.startswith("cmd/dependency/base/"):
            key = fld.tags.get("mapstructure", "").split(",")[0]
            if key in self.cobra_defaults:
                value = self.cobra_defaults[key]
                flags = self.line.cobra_flags_file
                return f"Default: {json.dumps(value)} (cobra root flag, {flags}).", value
        node = self._literal_at(ctx.go_path)
        if node is None:
            return None
        if resolved.kind == "struct":
            return self._struct_default(resolved, node)
        value = self._leaf_default(resolved, node, fld)
        if value is None:
            return None
        text, json_value = value
        return f"Default: {text}.", json_value

    def _struct_default(self, resolved: Resolved, node: LitNode) -> tuple[str, Any] | None:
        if resolved.struct is None or not isinstance(node, dict):
            return None
        single_use = self.struct_uses.get((resolved.struct.pkg, resolved.struct.name), 0) <= 1
        if single_use:
            return None
        value = self._struct_default_object(resolved.struct, node)
        if not value:
            return None
        return f"Default here: {json.dumps(value)}.", value

    def _struct_default_object(self, struct: GoStruct, node: dict[str, LitNode]) -> JSON:
        result: JSON = {}
        for fld in struct.fields:
            key, squash, _ = self.field_key(fld)
            if key is None or fld.name not in node:
                continue
            resolved = self.resolve(fld.type_expr, fld.file)
            sub = node[fld.name]
            if squash and resolved.struct is not None and isinstance(sub, dict):
                result.update(self._struct_default_object(resolved.struct, sub))
            elif resolved.struct is not None and isinstance(sub, dict):
                nested = self._struct_default_object(resolved.struct, sub)
                if nested:
                    result[key] = nested
            else:
                leaf = self._leaf_default(resolved, sub, fld)
                if leaf is not None and leaf[1] is not None:
                    result[key] = leaf[1]
        return result

    def _leaf_default(
        self, resolved: Resolved, node: LitNode, fld: GoField
    ) -> tuple[str, Any] | None:
        if isinstance(node, dict):
            if resolved.leaf == "tcpListenPortRange":
                pairs = {
                    k.lower(): self.evaluator.evaluate(str(v), self.profile.defaults_file)
                    for k, v in node.items()
                }
                obj = {k: v.value for k, v in pairs.items()}
                return (json.dumps(obj) if obj else "{start: 0} (port 0)"), (obj or 0)
            if len(node) == 1:
                inner = next(iter(node.values()))
                if isinstance(inner, str):
                    return self._render_value(
                        self.evaluator.evaluate(inner, self.profile.defaults_file), resolved
                    )
            return None
        return self._render_value(
            self.evaluator.evaluate(node, self.profile.defaults_file), resolved
        )

    @staticmethod
    def _render_value(value: GoValue, resolved: Resolved) -> tuple[str, Any] | None:
        if value.kind == "runtime":
            return f"computed at run time ({value.source})", None
        if value.kind == "duration":
            text = format_duration(int(value.value))
            return f"{text} ({value.source})", text
        if value.kind == "bytes":
            size = int(value.value)
            return f"{size} = {format_bytes(size)} ({value.source})", size
        if resolved.leaf == "duration" and value.kind == "int":
            text = format_duration(int(value.value))
            return f"{text} ({value.source})", text
        suffix = "" if value.source == json.dumps(value.value) else f" ({value.source})"
        return f"{json.dumps(value.value)}{suffix}", value.value

    def _cobra_defaults(self) -> dict[str, Any]:
        text = self.tree.show(self.line.cobra_flags_file)
        result: dict[str, Any] = {}
        for kind, name, expr in re.findall(
            r'flags\.(Bool|Int|String)\("([^"]+)",\s*([^,]+(?:\([^)]*\))?),', text
        ):
            if name == "config":
                continue
            if kind == "Bool":
                result[name] = expr.strip() == "true"
            elif kind == "Int":
                result[name] = int(expr)
            elif expr.startswith('"'):
                result[name] = json.loads(expr)
            else:
                # service-name: fmt.Sprintf("%s-%s", "dragonfly", cmd.Name()), cmd = root command
                result[name] = f"dragonfly-{self.profile.root_command}"
        return result
