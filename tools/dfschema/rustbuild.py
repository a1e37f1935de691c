"""Build a JSON Schema from serde-annotated Rust structs (serde_yaml semantics)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from dfschema.model import JSON, SCHEMA_DIALECT, GenError, GitTree, schema_id
from dfschema.profiles import Line, RustProfile
from dfschema.rust import RustEnum, RustField, RustFile, RustReader, RustStruct
from dfschema.rustleaves import RUST_LEAVES

PRIMITIVES = {"bool", "String", "u8", "u16", "u32", "u64", "usize", "i32", "i64", "f64"}
SKIP_FLAGS = ("skip", "skip_deserializing")
RUNTIME = object()
BYTE_UNITS = {
    "b": (1, ""),
    "kb": (1000, "KB"),
    "mb": (1000**2, "MB"),
    "gb": (1000**3, "GB"),
    "tb": (1000**4, "TB"),
    "kib": (1024, "KiB"),
    "mib": (1024**2, "MiB"),
    "gib": (1024**3, "GiB"),
    "tib": (1024**4, "TiB"),
}


def split_generic_args(text: str) -> list[str]:
    """Split generic arguments on top-level commas (angle brackets nest)."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        depth += {"<": 1, ">": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(text[start:index].strip())
            start = index + 1
    return [*parts, text[start:].strip()]


def camel_case(name: str) -> str:
    """serde rename_all = "camelCase" for a snake_case field name."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def format_secs(millis: int) -> str:
    """Format a Duration for humantime: whole seconds as "Ns", else "Nms"."""
    return f"{millis // 1000}s" if millis % 1000 == 0 else f"{millis}ms"


@dataclass(frozen=True)
class Ty:
    """A resolved Rust type."""

    kind: str  # leaf | struct | enum | option | vec | map
    name: str = ""
    struct: RustStruct | None = None
    enum: RustEnum | None = None
    elem: Ty | None = None


class RustSchemaBuilder:
    """Build the schema of one serde config file."""

    def __init__(self, tree: GitTree, profile: RustProfile, line: Line) -> None:
        self.tree = tree
        self.profile = profile
        self.line = line
        self.reader = RustReader(tree)
        self.defs: dict[str, JSON] = {}
        self.validated: dict[str, bool] = {}

    # ---- resolution ------------------------------------------------------------------------

    def _module_file(self, path: str, scope: str) -> str:
        """Map a Rust module path (crate::a::b or other_crate::a::b) to its file."""
        crate_src = scope.split("/src/", maxsplit=1)[0] + "/src"
        parts = path.split("::")
        if parts[0] == "crate":
            base, mods = crate_src, parts[1:]
        else:
            base, mods = f"{parts[0].replace('_', '-')}/src", parts[1:]
        if not mods:
            return f"{base}/lib.rs"
        for candidate in (f"{base}/{'/'.join(mods)}.rs", f"{base}/{'/'.join(mods)}/mod.rs"):
            try:
                self.tree.show(candidate)
            except Exception:
                continue
            return candidate
        raise GenError(f"module {path} not found (from {scope})")

    def _lookup(self, name: str, scope: str) -> tuple[str, RustFile | None, str]:
        """Return (qualified name, file declaring it or None, local name)."""
        file = self.reader.file(scope)
        if "::" not in name and (name in file.structs or name in file.enums):
            return f"{scope}::{name}", file, name
        full = name if "::" in name else file.uses.get(name, name)
        module, _, local = full.rpartition("::")
        if (module and module.split("::")[0] in ("crate",)) or module.startswith("dragonfly_"):
            target = self.reader.file(self._module_file(module, scope))
            if local in target.structs or local in target.enums or local in target.fns:
                return full, target, local
        return full, None, local

    def resolve(self, type_expr: str, scope: str) -> Ty:
        """Resolve a type expression written in file ``scope``."""
        expr = type_expr.strip()
        generic = re.fullmatch(r"([\w:]+)<(.+)>", expr)
        if generic:
            outer, args = generic.group(1), split_generic_args(generic.group(2))
            if outer == "Option" and len(args) == 1:
                return Ty("option", elem=self.resolve(args[0], scope))
            if outer == "Vec" and len(args) == 1:
                return Ty("vec", elem=self.resolve(args[0], scope))
            if outer == "HashMap" and len(args) == 2 and args[0] == "String":
                return Ty("map", elem=self.resolve(args[1], scope))
            raise GenError(f"{scope}: unsupported generic type {expr!r}")
        if expr in PRIMITIVES:
            return Ty("leaf", name=expr)
        full, file, local = self._lookup(expr, scope)
        if file is not None and local in file.structs:
            return Ty("struct", name=full, struct=file.structs[local])
        if file is not None and local in file.enums:
            return Ty("enum", name=full, enum=file.enums[local])
        return Ty("leaf", name=full)

    # ---- keys ------------------------------------------------------------------------------

    @staticmethod
    def keys(struct: RustStruct, fld: RustField) -> tuple[str, list[str]] | None:
        """Return (key, aliases) of a field, or None when serde never reads it."""
        if any(flag in fld.serde for flag in SKIP_FLAGS):
            return None
        if "rename" in fld.serde:
            key = fld.serde["rename"][-1]
        elif struct.serde.get("rename_all") == ["camelCase"]:
            key = camel_case(fld.name)
        elif "rename_all" in struct.serde:
            raise GenError(f"{struct.file}:{struct.line}: unsupported rename_all")
        else:
            key = fld.name
        return key, list(fld.serde.get("alias", []))

    # ---- building --------------------------------------------------------------------------

    def build(self) -> JSON:
        """Build the whole schema document."""
        root_file = self.reader.file(self.profile.root_file)
        if self.profile.root_type not in root_file.structs:
            raise GenError(f"root struct {self.profile.root_type} not found")
        root = root_file.structs[self.profile.root_type]
        validate_line = self.tree.find_line(self.profile.root_file, r"config\.validate\(\)")
        yaml_line = self.tree.find_line("Cargo.toml", r"^serde_yaml\s*=")
        properties = self.struct_properties(root, validated=True)
        return {
            "$schema": SCHEMA_DIALECT,
            "$id": schema_id(self.line.name, self.profile.name),
            "title": f"{self.profile.title}, client {self.tree.tag}",
            "description": (
                f"Generated by tools/gen_dragonfly_schemas.py from {self.line.client_repo} "
                f"{self.tree.tag} (commit {self.tree.commit()}), the client pinned by the "
                f"{self.line.repo} {self.line.name} release; root struct {root.name} "
                f"({root.file}:{root.line}). Default path {self.profile.config_path}. Decoded "
                f"by serde_yaml 0.9 (Cargo.toml:{yaml_line}), then validated "
                f"({root.file}:{validate_line}). Keys are CASE-SENSITIVE (exact names only). "
                "serde ignores unknown keys (no deny_unknown_fields); additionalProperties:false "
                "here rejects them. A struct section must be a mapping: null is a fatal decode "
                "error. Only Option<T> fields accept null."
            ),
            "type": "object",
            "additionalProperties": False,
            "properties": properties,
            "$defs": dict(sorted(self.defs.items())),
        }

    def struct_properties(self, struct: RustStruct, validated: bool) -> dict[str, JSON]:
        """Return the properties of a struct (aliases included, flatten merged)."""
        if "deny_unknown_fields" in struct.serde:
            raise GenError(f"{struct.file}:{struct.line}: deny_unknown_fields not modelled")
        properties: dict[str, JSON] = {}
        for fld in struct.fields:
            names = self.keys(struct, fld)
            if names is None:
                continue
            ty = self.resolve(fld.type_expr, struct.file)
            nested = validated and any(v == "validate" or "nested" in v for v in fld.validate)
            if "flatten" in fld.serde:
                if ty.struct is None:
                    raise GenError(f"{struct.file}:{fld.line}: flatten of a non-struct")
                properties.update(self.struct_properties(ty.struct, nested))
                continue
            key, aliases = names
            prop = self.property_schema(struct, fld, ty, key, validated, nested)
            for name in (key, *aliases):
                if name in properties:
                    raise GenError(f"{struct.file}:{fld.line}: duplicate key {name!r}")
                properties[name] = prop
            for alias in aliases:
                properties[alias] = {
                    **prop,
                    "description": f"serde alias of {key!r} (same field). " + prop["description"],
                }
        return properties

    def property_schema(  # noqa: PLR0917
        self, struct: RustStruct, fld: RustField, ty: Ty, key: str, validated: bool, nested: bool
    ) -> JSON:
        """Return the schema of one property."""
        with_ = fld.serde.get("with", [""])[-1]
        prop = self.type_schema(ty, with_, nested, f"{struct.file}:{fld.line}")
        parts = [f"Rust: {struct.name}.{fld.name} ({struct.file}:{fld.line}), {fld.type_expr}."]
        if with_:
            parts.append(f"serde with = {with_}.")
        parts.extend(self._default_text(struct, fld, ty, prop))
        parts.extend(self._validation(fld, prop, validated))
        if fld.doc:
            parts.append(f"Upstream comment: {fld.doc}")
        return {"description": " ".join(parts), **prop}

    def type_schema(self, ty: Ty, with_: str, nested: bool, where: str) -> JSON:
        """Return the schema of a resolved type (no description)."""
        if ty.kind == "option" and ty.elem is not None:
            return {"anyOf": [self.type_schema(ty.elem, with_, nested, where), {"type": "null"}]}
        if ty.kind in ("vec", "map") and ty.elem is not None:
            items = self.type_schema(ty.elem, with_, nested, where)
            if ty.kind == "vec":
                return {"type": "array", "items": items}
            return {"type": "object", "additionalProperties": items}
        if ty.kind == "enum" and ty.enum is not None:
            return {"$ref": f"#/$defs/{self._enum_def(ty.enum)}"}
        if ty.kind == "struct" and ty.struct is not None:
            return {"$ref": f"#/$defs/{self._struct_def(ty.struct, nested)}"}
        qualified = ty.name
        entry = RUST_LEAVES.get((qualified, with_))
        if entry is None:
            raise GenError(
                f"{where}: no schema for Rust type {ty.name!r} with serde with={with_!r}"
            )
        self.defs.setdefault(entry[0], entry[1])
        return {"$ref": f"#/$defs/{entry[0]}"}

    def _struct_def(self, struct: RustStruct, validated: bool) -> str:
        name = struct.name
        if self.validated.get(name, validated) != validated:
            raise GenError(f"{struct.name} is reached both with and without #[validate]")
        self.validated[name] = validated
        if name in self.defs:
            return name
        if "Deserialize" not in struct.derives:
            raise GenError(f"{struct.file}:{struct.line}: {name} does not derive Deserialize")
        self.defs[name] = {}
        container_default = "default" in struct.serde
        self.defs[name] = {
            "type": "object",
            "additionalProperties": False,
            "description": (
                f"Rust struct {name} ({struct.file}:{struct.line}); a mapping, null is rejected."
                + (" #[serde(default)]: every key is optional." if container_default else "")
            ),
            "properties": self.struct_properties(struct, validated),
        }
        return name

    def _enum_def(self, enum: RustEnum) -> str:
        if enum.name not in self.defs:
            if enum.serde:
                raise GenError(f"{enum.file}:{enum.line}: enum container attributes not modelled")
            values = [v.serde.get("rename", [v.name])[-1] for v in enum.variants]
            self.defs[enum.name] = {
                "enum": values,
                "description": f"Rust enum {enum.name} ({enum.file}:{enum.line}), unit variants.",
            }
        return enum.name

    # ---- validation ------------------------------------------------------------------------

    @staticmethod
    def _validation(fld: RustField, prop: JSON, validated: bool) -> list[str]:
        texts: list[str] = []
        for attr in fld.validate:
            rng = re.fullmatch(r"validate\((range|length)\((.*)\)\)", attr)
            if attr == "validate" or "nested" in attr:
                continue
            if not rng:
                raise GenError(f"unsupported validator attribute {attr!r}")
            bounds = {k.strip(): int(v) for k, v in (p.split("=") for p in rng.group(2).split(","))}
            if not validated:
                texts.append(
                    f"Declares #[{attr}], but it is NOT enforced: the parent field has no "
                    "#[validate], so Config::validate() does not reach it."
                )
                continue
            names = (
                ("minimum", "maximum") if rng.group(1) == "range" else ("minLength", "maxLength")
            )
            for bound, schema_key in zip(("min", "max"), names, strict=True):
                if bound in bounds:
                    prop[schema_key] = bounds[bound]
            texts.append(f"Enforced by #[{attr}] (Config::validate at load).")
        return texts

    # ---- defaults --------------------------------------------------------------------------

    def _default_text(self, struct: RustStruct, fld: RustField, ty: Ty, prop: JSON) -> list[str]:
        if ty.kind == "struct":
            return []
        scope = struct.file
        if fld.serde.get("default", [""])[-1]:
            source = fld.serde["default"][-1]
            value = self._call(source, scope)
        elif "default" in fld.serde:
            source = f"{fld.type_expr}::default()"
            value = self._type_default(ty)
        elif "default" in struct.serde:
            impl = self._impl_default(struct)
            if impl is None:
                source, value = f"{fld.type_expr}::default()", self._type_default(ty)
            elif fld.name in impl:
                source = impl[fld.name]
                value = self.evaluate(source, scope)
            else:
                return []
        else:
            return ["Required by serde (no default)."]
        texts = []
        if value is RUNTIME:
            texts.append(f"Default: computed at run time ({source}).")
        else:
            prop["default"] = value
            texts.append(f"Default: {json.dumps(value)} ({source}).")
        impl = self._impl_default(struct)
        if impl and fld.name in impl and fld.serde.get("default", ["x"])[-1] == "":
            section = self.evaluate(impl[fld.name], scope)
            if section is not RUNTIME and section != value:
                texts.append(
                    f"When the whole section is absent the value is {json.dumps(section)} "
                    f"(impl Default for {struct.name}: {impl[fld.name]})."
                )
        return texts

    def _impl_default(self, struct: RustStruct) -> dict[str, str] | None:
        if "Default" in struct.derives:
            return None
        impls = self.reader.file(struct.file).default_impls
        if struct.name not in impls:
            raise GenError(f"{struct.file}:{struct.line}: no Default for {struct.name}")
        return impls[struct.name]

    def _type_default(self, ty: Ty) -> Any:
        if ty.kind == "option":
            return None
        if ty.kind in ("vec", "map"):
            return [] if ty.kind == "vec" else {}
        if ty.kind == "enum" and ty.enum is not None:
            chosen = [v for v in ty.enum.variants if v.is_default]
            if len(chosen) != 1:
                raise GenError(f"{ty.enum.name}: no single #[default] variant")
            return chosen[0].serde.get("rename", [chosen[0].name])[-1]
        simple = {"bool": False, "String": ""}
        if ty.name in simple:
            return simple[ty.name]
        if ty.name in PRIMITIVES:
            return 0
        return RUNTIME

    def _call(self, path: str, scope: str) -> Any:
        """Evaluate the function ``path`` (a default = "..." value) declared in ``scope``."""
        name = path.rsplit("::", 1)[-1]
        if "::" in path and not path.startswith(("crate::", "dragonfly_")):
            return RUNTIME
        if "::" in path:
            file = self.reader.file(self._module_file(path.rsplit("::", 1)[0], scope))
        else:
            _, found, _ = self._lookup(name, scope)
            file = found or self.reader.file(scope)
        if name not in file.fns:
            return RUNTIME
        return self.evaluate(file.fns[name][0], file.path)

    def evaluate(self, expr: str, scope: str) -> Any:  # noqa: C901
        """Evaluate the small subset of Rust default expressions; RUNTIME if not possible."""
        expr = expr.strip()
        if re.fullmatch(r"-?[0-9][0-9_]*", expr):
            return int(expr.replace("_", ""))
        if expr in ("true", "false"):
            return expr == "true"
        if expr == "None":
            return None
        if re.fullmatch(r"[0-9_]+(\s*\*\s*[0-9_]+)+", expr):
            total = 1
            for factor in expr.split("*"):
                total *= int(factor.strip().replace("_", ""))
            return total
        if m := re.fullmatch(r'"([^"\\]*)"(?:\.to_string\(\)|\.into\(\))?', expr):
            return m.group(1)
        if m := re.fullmatch(r'(?:String|PathBuf)::from\("([^"\\]*)"\)', expr):
            return m.group(1)
        if m := re.fullmatch(r"Some\((.*)\)", expr):
            return self.evaluate(m.group(1), scope)
        if m := re.fullmatch(r"Duration::from_(secs|millis)\((.*)\)", expr):
            amount = self.evaluate(m.group(2), scope)
            if not isinstance(amount, int):
                return RUNTIME
            return format_secs(amount * (1000 if m.group(1) == "secs" else 1))
        if m := re.fullmatch(r"ByteSize::(\w+)\(([0-9_]*)\)", expr):
            if m.group(1) == "default" and not m.group(2):
                return 0
            if m.group(1) in BYTE_UNITS and m.group(2):
                return f"{int(m.group(2).replace('_', ''))}{BYTE_UNITS[m.group(1)][1] or 'B'}"
            return RUNTIME
        if m := re.fullmatch(r"(\w+)::(\w+)", expr):
            _, file, _ = self._lookup(m.group(1), scope)
            if file is not None and m.group(1) in file.enums:
                for variant in file.enums[m.group(1)].variants:
                    if variant.name == m.group(2):
                        return variant.serde.get("rename", [variant.name])[-1]
            return RUNTIME
        if m := re.fullmatch(r"(.+)\.join\((\w+|\"[^\"]*\")\)", expr):
            base = self.evaluate(m.group(1), scope)
            arg = self.reader.file(scope).consts.get(m.group(2), m.group(2))
            leaf = self.evaluate(arg, scope)
            if isinstance(base, str) and isinstance(leaf, str):
                return f"{base.rstrip('/')}/{leaf}"
            return RUNTIME
        if m := re.fullmatch(r"([\w:]+)\(\)", expr):
            return self._call(m.group(1), scope)
        return RUNTIME
