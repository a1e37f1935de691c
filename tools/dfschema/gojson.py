"""Build JSON Schemas of HTTP request bodies from Go structs: encoding/json keys + gin binding tags.

The manager's REST handlers decode bodies with gin (encoding/json) and validate them with
go-playground/validator through the ``binding`` tag. This module translates both:

* key: the ``json`` tag name (``json:"-"`` skips the field; an untagged field uses the Go field
  name; an embedded struct without a tag contributes its fields);
* ``binding``: ``required`` -> JSON ``required`` (and ``minLength: 1`` for strings),
  ``oneof=a b`` -> ``enum``, ``gte``/``min`` and ``lte``/``max`` -> ``minimum``/``maximum``
  on numbers, ``minItems``/``maxItems`` on slices, ``minLength``/``maxLength`` on strings,
  ``omitempty`` -> the zero value (absent, ``0``, ``""``, ``null`` for a pointer) skips every
  other rule. Any other validator tag stops the tool.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dfschema.golang import MODULE, GoField, GoParser, GoStruct, matching_close
from dfschema.model import JSON, GenError, GitTree

INT64 = (-(2**63), 2**63 - 1)
JSON_SCALARS: dict[str, tuple[str, tuple[int, int] | None]] = {
    "string": ("string", None),
    "bool": ("boolean", None),
    "int": ("integer", INT64),
    "int64": ("integer", INT64),
    "int32": ("integer", (-(2**31), 2**31 - 1)),
    "uint": ("integer", (0, 2**64 - 1)),
    "uint64": ("integer", (0, 2**64 - 1)),
    "uint32": ("integer", (0, 2**32 - 1)),
    "float64": ("number", None),
    "time.Duration": ("integer", INT64),
}
DURATION_NOTE = (
    "time.Duration in JSON is an integer number of NANOSECONDS (encoding/json decodes it as "
    'int64; a string such as "1h" is a binding error), e.g. 3600000000000 = 1h.'
)
BOUND_KEYS = {
    "integer": ("minimum", "maximum"),
    "number": ("minimum", "maximum"),
    "string": ("minLength", "maxLength"),
    "array": ("minItems", "maxItems"),
    "object": ("minProperties", "maxProperties"),
}


@dataclass(frozen=True)
class BodyNote:
    """A hand-maintained fact about one field of a request body (cited by its evidence)."""

    note: str
    evidence: tuple[tuple[str, str], ...] = ()
    enum_consts: tuple[str, ...] = ()
    enum_scope: str = ""
    allow_empty: bool = False
    required: bool = False
    schema: JSON = field(default_factory=dict)


@dataclass(frozen=True)
class ObjectRule:
    """Extra keywords for a whole struct (e.g. if/then per type), cited by evidence."""

    note: str
    evidence: tuple[tuple[str, str], ...]
    schema: JSON


@dataclass(frozen=True)
class ExternalType:
    """A type from a module that is not in the repository: its schema and why it is not derived."""

    schema: JSON
    note: str
    evidence: tuple[tuple[str, str], ...]


@dataclass
class Binding:
    """The parsed ``binding`` tag of one field."""

    required: bool = False
    omitempty: bool = False
    enum: list[str] = field(default_factory=list)
    low: int | None = None
    high: int | None = None


def parse_binding(tag: str, where: str) -> Binding:
    """Parse a go-playground ``binding`` tag; unknown validators are an error."""
    result = Binding()
    for token in filter(None, tag.split(",")):
        name, _, arg = token.partition("=")
        if name == "required":
            result.required = True
        elif name == "omitempty":
            result.omitempty = True
        elif name == "oneof":
            result.enum = arg.split()
        elif name in ("gte", "min"):
            result.low = int(arg)
        elif name in ("lte", "max"):
            result.high = int(arg)
        else:
            raise GenError(f"{where}: unsupported binding validator {token!r}")
    return result


def apply_binding(schema: JSON, kind: str, binding: Binding, pointer: bool) -> JSON:
    """Return ``schema`` constrained by ``binding`` for a JSON value of ``kind``."""
    rules: JSON = {}
    if binding.enum:
        if kind != "string":
            raise GenError(f"oneof on a {kind} is not supported")
        rules["enum"] = list(binding.enum)
    lo_key, hi_key = BOUND_KEYS.get(kind, ("", ""))
    if (binding.low is not None or binding.high is not None) and not lo_key:
        raise GenError(f"gte/lte on a {kind} is not supported")
    if binding.low is not None:
        rules[lo_key] = binding.low
    if binding.high is not None:
        rules[hi_key] = binding.high
    if binding.required and kind == "string" and "enum" not in rules:
        rules.setdefault("minLength", 1)
    if not binding.omitempty or pointer or kind not in ("integer", "string") or not rules:
        return {**schema, **rules}
    # omitempty on a non-pointer scalar: the zero value skips every other validator.
    if kind == "integer" and "enum" not in rules and rules.get("minimum", 0) <= 1:
        rules["minimum"] = min(rules.get("minimum", 0), 0)
        return {**schema, **rules}
    if kind == "string" and "enum" in rules:
        return {**schema, "enum": [*rules["enum"], ""]}
    zero = 0 if kind == "integer" else ""
    return {**schema, "anyOf": [{"const": zero}, rules]}


class BodySchemaBuilder:
    """Walk request structs and collect ``$defs`` for one JSON request body."""

    def __init__(
        self,
        parser: GoParser,
        tree: GitTree,
        notes: dict[tuple[str, str, str], BodyNote],
        rules: dict[tuple[str, str], ObjectRule],
        external: dict[str, ExternalType],
    ) -> None:
        self.parser = parser
        self.tree = tree
        self.notes = notes
        self.rules = rules
        self.external = external
        self.defs: dict[str, JSON] = {}
        self.used: set[object] = set()

    def cite(self, evidence: tuple[tuple[str, str], ...]) -> str:
        """Return 'file:line, ...' for evidence (file, regex); fail when a regex is stale."""
        return ", ".join(f"{path}:{self.tree.find_line(path, rx)}" for path, rx in evidence)

    def check_all_used(self) -> None:
        """Fail on notes, rules or external types that matched nothing."""
        stale = [k for k in (*self.notes, *self.rules, *self.external) if k not in self.used]
        if stale:
            raise GenError(f"request-body facts that match no field: {sorted(map(str, stale))}")

    # ---- structs ---------------------------------------------------------------------------

    def struct(self, pkg: str, name: str) -> GoStruct:
        """Return a parsed struct or fail."""
        found = self.parser.package(pkg).structs.get(name)
        if found is None or found.problem:
            raise GenError(f"struct {pkg}.{name}: {found.problem if found else 'not found'}")
        return found

    def object_schema(self, struct: GoStruct) -> JSON:
        """Return the strict object schema of a struct (additionalProperties: false)."""
        properties: dict[str, JSON] = {}
        required: list[str] = []
        self._collect(struct, properties, required)
        schema: JSON = {"type": "object", "additionalProperties": False}
        if required:
            schema["required"] = required
        schema["properties"] = properties
        rule = self.rules.get((struct.pkg, struct.name))
        if rule is not None:
            self.used.add((struct.pkg, struct.name))
            schema.update(rule.schema)
            text = f"Go struct {struct.name} ({struct.file}:{struct.line}). {rule.note}"
            return {"description": f"{text} See {self.cite(rule.evidence)}.", **schema}
        return schema

    def _collect(self, struct: GoStruct, properties: dict[str, JSON], required: list[str]) -> None:
        for fld in struct.fields:
            key = self.json_key(fld)
            if key is None:
                continue
            if fld.embedded and not fld.tags.get("json"):
                pkg, name = self._struct_target(fld.type_expr.lstrip("*"), fld.file)
                self._collect(self.struct(pkg, name), properties, required)
                continue
            if any(k.lower() == key.lower() for k in properties):
                raise GenError(f"{fld.file}:{fld.line}: duplicate json key {key!r}")
            prop, is_required = self.field_schema(struct, fld)
            properties[key] = prop
            if is_required:
                required.append(key)

    @staticmethod
    def json_key(fld: GoField) -> str | None:
        """Return the encoding/json key of a field, or None when it is not decoded."""
        name = fld.tags.get("json", "").split(",")[0]
        if name == "-" or not fld.name[:1].isupper():
            return None
        return name or fld.name

    # ---- fields ----------------------------------------------------------------------------

    def field_schema(self, struct: GoStruct, fld: GoField) -> tuple[JSON, bool]:
        """Return (schema, required) of one field, with its binding and hand facts applied."""
        where = f"{fld.file}:{fld.line}"
        binding = parse_binding(fld.tags.get("binding", ""), where)
        pointer = fld.type_expr.startswith("*")
        schema, kind, extra = self.type_schema(fld.type_expr, fld.file)
        schema = apply_binding(schema, kind, binding, pointer)
        tag = fld.tags.get("binding", "")
        parts = [f"Go: {struct.name}.{fld.name} ({where}), {fld.type_expr}"]
        parts[0] += f', binding:"{tag}".' if tag else "."
        parts += extra
        required = binding.required
        note = self.notes.get((struct.pkg, struct.name, fld.name))
        if note is not None:
            self.used.add((struct.pkg, struct.name, fld.name))
            schema, note_required = self._apply_note(schema, note)
            parts.append(note.note + (f" See {self.cite(note.evidence)}." if note.evidence else ""))
            required = required or note_required
        if fld.doc:
            parts.append(f"Upstream comment: {fld.doc}")
        return {"description": " ".join(parts), **schema}, required

    def _apply_note(self, schema: JSON, note: BodyNote) -> tuple[JSON, bool]:
        from dfschema.goeval import Evaluator  # noqa: PLC0415

        values: list[Any] = []
        for const in note.enum_consts:
            value = Evaluator(self.parser).evaluate(const, note.enum_scope)
            if value.kind != "string":
                raise GenError(f"enum constant {const} did not evaluate to a string")
            values.append(value.value)
        schema = {k: v for k, v in schema.items() if not (values and k == "minLength")}
        if len(values) == 1 and not note.allow_empty:
            schema = {k: v for k, v in schema.items() if k != "type"} | {"const": values[0]}
        elif values:
            schema["enum"] = [*values, *([""] if note.allow_empty else [])]
        return {**schema, **note.schema}, note.required

    def type_schema(self, type_expr: str, scope: str) -> tuple[JSON, str, list[str]]:
        """Return (schema, JSON kind, description parts) of a Go type written in ``scope``."""
        expr = type_expr.strip()
        pointer = expr.startswith("*")
        expr = expr.lstrip("*")
        if expr.startswith("[]"):
            items, _, extra = self.type_schema(expr[2:], scope)
            return {"type": "array", "items": items}, "array", extra
        if expr.startswith("map["):
            close = matching_close(expr, 3)
            if expr[4:close] != "string":
                raise GenError(f"unsupported map key in {type_expr!r}")
            values, _, extra = self.type_schema(expr[close + 1 :], scope)
            return {"type": "object", "additionalProperties": values}, "object", extra
        if expr in JSON_SCALARS:
            kind, bounds = JSON_SCALARS[expr]
            schema: JSON = {"type": [kind, "null"] if pointer else kind}
            if bounds is not None:
                schema["minimum"], schema["maximum"] = bounds
            return schema, kind, [DURATION_NOTE] if expr == "time.Duration" else []
        return self._named_schema(expr, scope, pointer)

    def _named_schema(self, expr: str, scope: str, pointer: bool) -> tuple[JSON, str, list[str]]:
        qualified = self._qualified(expr, scope)
        if qualified in self.external:
            self.used.add(qualified)
            ext = self.external[qualified]
            return dict(ext.schema), "object", [f"{ext.note} See {self.cite(ext.evidence)}."]
        pkg, name = self._struct_target(expr, scope)
        def_name = name[:1].lower() + name[1:]
        if def_name not in self.defs:
            self.defs[def_name] = {}
            self.defs[def_name] = self.object_schema(self.struct(pkg, name))
        ref: JSON = {"$ref": f"#/$defs/{def_name}"}
        return ({"anyOf": [ref, {"type": "null"}]} if pointer else ref), "struct", []

    def _qualified(self, expr: str, scope: str) -> str:
        pkg = scope.rsplit("/", 1)[0]
        if "." not in expr:
            return f"{pkg}.{expr}"
        alias, name = expr.split(".", 1)
        imports = self.parser.package(pkg).imports.get(scope, {})
        if alias not in imports:
            raise GenError(f"{scope}: unknown import alias in {expr!r}")
        return f"{imports[alias]}.{name}"

    def _struct_target(self, expr: str, scope: str) -> tuple[str, str]:
        qualified = self._qualified(expr, scope)
        path, name = qualified.rsplit(".", 1)
        in_repo = "." not in expr or path.startswith(MODULE + "/")
        if not in_repo:
            raise GenError(
                f"{scope}: {expr} comes from {path}, which is not in the repository; add an "
                "ExternalType entry with evidence"
            )
        pkg = path.removeprefix(MODULE + "/")
        if name not in self.parser.package(pkg).structs:
            raise GenError(f"{scope}: no schema for Go type {expr!r}")
        return pkg, name
