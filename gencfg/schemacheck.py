"""Whether a document is valid against a JSON Schema, answered fast.

jsonschema's validators walk a schema through generic machinery (a new validator
object per descent, a registry lookup per keyword): on a 100,000-node inventory that
was 2.5 s of a render that must fit in 15 s, for a document that is almost always
valid. So the common question, "is it valid?", is answered by a function compiled
once per schema from plain closures; only a document that is not valid is handed to
jsonschema, whose ``iter_errors`` produces the errors users see, exactly as before.

The compiled function must give jsonschema's answer, never a different one: each
keyword here does what jsonschema 4's Draft 2020-12 implementation does (same type
rules, ``re.search`` for patterns, the format checker's own ``conforms``), and a
subschema using anything else (``$ref``, ``unevaluatedProperties``, ``prefixItems``,
``patternProperties``, an ``enum`` of non-strings ...) is answered by jsonschema
itself, through the root validator, so references resolve as they would.
tests/test_schemacheck.py compares both answers on every schema gencfg ships, with
documents mutated at random.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Mapping, Sized
from typing import Any

import jsonschema

Check = Callable[[Any], bool]
_DEFS = "#/$defs/"
_OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])"
_DOTTED_QUAD = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")
_jsonschema_ipv4 = jsonschema.FormatChecker().checkers.get("ipv4", (None,))[0]

# Keywords that never affect validity.
_ANNOTATIONS = frozenset(
    {
        "description",
        "title",
        "$comment",
        "default",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
        "$schema",
        "$id",
        "$defs",
        "definitions",
    }
)


def _number(x: Any) -> bool:
    """Jsonschema's "number": any numbers.Number except a bool."""
    t = type(x)
    return t is int or t is float or (isinstance(x, numbers.Number) and t is not bool)


def _is_type(name: str, x: Any) -> bool | None:
    """Draft 2020-12's type rules for the Python types a loaded document holds.

    None for any other Python type (a TOML date): jsonschema's type checker decides.
    """
    t = type(x)
    if t is str:
        return name == "string"
    if t is dict:
        return name == "object"
    if t is list:
        return name == "array"
    if t is bool:
        return name == "boolean"
    if x is None:
        return name == "null"
    if t is int:
        return name in ("integer", "number")
    if t is float:
        return name == "number" or (name == "integer" and x.is_integer())
    return None


def _length(kind: type[Sized], most: bool) -> Callable[[Any], Check]:
    def build(n: Any) -> Check:
        if most:
            return lambda x: not (isinstance(x, kind) and len(x) > n)
        return lambda x: not (isinstance(x, kind) and len(x) < n)

    return build


def _required(v: Any) -> Check:
    names = list(v)
    return lambda x: not isinstance(x, dict) or all(n in x for n in names)


# jsonschema's own comparisons (not their complements: NaN compares false both ways)
def _minimum(v: Any) -> Check:
    return lambda x: not (_number(x) and x < v)


def _maximum(v: Any) -> Check:
    return lambda x: not (_number(x) and x > v)


def _exclusive_minimum(v: Any) -> Check:
    return lambda x: not (_number(x) and x <= v)


def _exclusive_maximum(v: Any) -> Check:
    return lambda x: not (_number(x) and x >= v)


def _pattern(v: Any) -> Check:
    search = re.compile(v).search  # jsonschema: re.search(pattern, instance)
    return lambda x: not isinstance(x, str) or search(x) is not None


def _enum(v: Any) -> Check:
    options = frozenset(v)  # all strings or all integers (_simple_values)
    if all(isinstance(o, str) for o in options):
        return lambda x: isinstance(x, str) and x in options
    # jsonschema's equal(): a bool never equals a number; 1.0 equals 1
    return lambda x: type(x) is not bool and _number(x) and x in options


def _const(v: Any) -> Check:
    return lambda x: isinstance(x, str) and x == v


_SIMPLE: dict[str, Callable[[Any], Check]] = {
    "required": _required,
    "minItems": _length(list, most=False),
    "maxItems": _length(list, most=True),
    "minLength": _length(str, most=False),
    "maxLength": _length(str, most=True),
    "minProperties": _length(dict, most=False),
    "maxProperties": _length(dict, most=True),
    "minimum": _minimum,
    "maximum": _maximum,
    "exclusiveMinimum": _exclusive_minimum,
    "exclusiveMaximum": _exclusive_maximum,
    "pattern": _pattern,
    "enum": _enum,
    "const": _const,
}
"""Keywords whose check depends on their value alone."""

_METHODS = {
    "type": "_type",
    "properties": "_properties",
    "additionalProperties": "_additional",
    "items": "_items",
    "format": "_format",
    "uniqueItems": "_unique",
    "propertyNames": "_property_names",
    "allOf": "_all_of",
    "anyOf": "_any_of",
    "oneOf": "_one_of",
    "not": "_not",
    "if": "_if",
    "$ref": "_ref",
    "patternProperties": "_pattern_properties",
    "unevaluatedProperties": "_unevaluated",
}
"""Keywords that compile subschemas or read the root validator: _Compiler's methods."""

_HANDLED = frozenset(_SIMPLE) | frozenset(_METHODS) | {"then", "else"}


class _Compiler:
    def __init__(self, root: jsonschema.protocols.Validator) -> None:
        self._root = root
        schema = root.schema
        self._definitions: dict[str, Any] = (
            dict(schema.get("$defs", {})) if isinstance(schema, Mapping) else {}
        )
        self._cache: dict[int, Check] = {}
        self._keep: list[Any] = []  # schemas whose id() keys the cache stay alive

    def jsonschema_check(self, schema: Any) -> Check:
        """Jsonschema's own answer, with the root's resolver and format checker."""
        return self._root.evolve(schema=schema).is_valid

    def compile(self, schema: Any) -> Check:
        found = self._cache.get(id(schema))
        if found is None:
            self._keep.append(schema)
            found = self._cache[id(schema)] = self._compile(schema)
        return found

    def _compile(self, schema: Any) -> Check:
        if schema is True:
            return lambda x: True
        if schema is False:
            return lambda x: False
        if not isinstance(schema, dict):
            return self.jsonschema_check(schema)
        keywords = {k for k in schema if k not in _ANNOTATIONS and not k.startswith("x-")}
        if (
            not keywords <= _HANDLED
            or not self._simple_values(schema)
            or self._rebases(schema)
            or ("unevaluatedProperties" in schema and self._evaluated(schema, top=True) is None)
        ):
            return self.jsonschema_check(schema)
        checks = [c for k in sorted(keywords) if (c := self._keyword(k, schema)) is not None]
        if not checks:
            return lambda x: True
        if len(checks) == 1:
            return checks[0]
        return lambda x: all(c(x) for c in checks)

    def _rebases(self, schema: dict[str, Any]) -> bool:
        """A nested ``$id`` changes what its references mean: jsonschema resolves them."""
        return "$id" in schema and schema is not self._root.schema

    def _simple_values(self, schema: dict[str, Any]) -> bool:
        """Keyword values this module evaluates exactly as jsonschema does."""
        options = schema.get("enum", [])
        if not (all(type(v) is str for v in options) or all(type(v) is int for v in options)):
            return False
        if "const" in schema and type(schema["const"]) is not str:
            return False
        ref = schema.get("$ref")
        if ref is not None and not (
            isinstance(ref, str)
            and ref.removeprefix(_DEFS) in self._definitions
            and ref.startswith(_DEFS)
        ):
            return False
        for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if key in schema and not _number(schema[key]):
                return False
        return ("then" not in schema and "else" not in schema) or "if" in schema

    def _keyword(self, key: str, s: dict[str, Any]) -> Check | None:
        build = _SIMPLE.get(key)
        if build is not None:
            return build(s[key])
        if key in ("then", "else"):
            return None  # evaluated with their "if"
        method: Callable[[Any, dict[str, Any]], Check | None] = getattr(self, _METHODS[key])
        return method(s[key], s)

    def _ref(self, v: Any, s: dict[str, Any]) -> Check:
        """A local definition, compiled on first use (definitions may be recursive)."""
        target = self._definitions[v.removeprefix(_DEFS)]
        compiled: list[Check] = []

        def check(x: Any) -> bool:
            if not compiled:
                compiled.append(self.compile(target))
            return compiled[0](x)

        return check

    def _pattern_properties(self, v: Any, s: dict[str, Any]) -> Check:
        patterns = [(re.compile(p).search, self.compile(sub)) for p, sub in v.items()]

        def check(x: Any) -> bool:
            if not isinstance(x, dict):
                return True
            for search, sub in patterns:
                for key, value in x.items():
                    if search(key) is not None and not sub(value):
                        return False
            return True

        return check

    def _unevaluated(self, v: Any, s: dict[str, Any]) -> Check | None:
        names, searches = self._evaluated(s, top=True) or (frozenset(), ())
        if v is True:
            return None
        other = self.compile(v)

        def check(x: Any) -> bool:
            if not isinstance(x, dict):
                return True
            for key, value in x.items():
                if key in names or any(search(key) for search in searches):
                    continue
                if not other(value):
                    return False
            return True

        return check

    def _evaluated(
        self, schema: Any, top: bool = False, seen: frozenset[int] = frozenset()
    ) -> tuple[frozenset[str], tuple[Callable[[str], Any], ...]] | None:
        """The keys ``schema`` evaluates, when they do not depend on the document.

        True of properties and patternProperties reached through allOf and $ref: their
        members must all be valid for the document to be, so every one counts (jsonschema
        counts the valid ones). Any other in-place applicator makes it depend on which
        branches hold: None, and jsonschema judges that schema.
        """
        if schema is True or schema is False:
            return frozenset(), ()
        if not isinstance(schema, dict) or id(schema) in seen:
            return None
        dynamic = {
            "additionalProperties",
            "dependentSchemas",
            "oneOf",
            "anyOf",
            "if",
            "$dynamicRef",
        }
        if dynamic & schema.keys() or (not top and "unevaluatedProperties" in schema):
            return None
        names = set(schema.get("properties", {}))
        searches: list[Callable[[str], Any]] = [
            re.compile(p).search for p in schema.get("patternProperties", {})
        ]
        parts = list(schema.get("allOf", []))
        ref = schema.get("$ref")
        if ref is not None:
            if not (isinstance(ref, str) and ref.startswith(_DEFS)):
                return None
            parts.append(self._definitions.get(ref.removeprefix(_DEFS)))
        for part in parts:
            found = self._evaluated(part, seen=seen | {id(schema)})
            if found is None:
                return None
            names |= found[0]
            searches += found[1]
        return frozenset(names), tuple(searches)

    def _items(self, v: Any, s: dict[str, Any]) -> Check:
        item = self.compile(v)
        return lambda x: not isinstance(x, list) or all(item(i) for i in x)

    def _property_names(self, v: Any, s: dict[str, Any]) -> Check:
        name = self.compile(v)
        return lambda x: not isinstance(x, dict) or all(name(k) for k in x)

    def _not(self, v: Any, s: dict[str, Any]) -> Check:
        inner = self.compile(v)
        return lambda x: not inner(x)

    def _if(self, v: Any, s: dict[str, Any]) -> Check:
        cond = self.compile(v)
        then = self.compile(s.get("then", True))
        other = self.compile(s.get("else", True))
        return lambda x: then(x) if cond(x) else other(x)

    def _all_of(self, v: Any, s: dict[str, Any]) -> Check:
        subs = [self.compile(sub) for sub in v]
        return lambda x: all(c(x) for c in subs)

    def _any_of(self, v: Any, s: dict[str, Any]) -> Check:
        subs = [self.compile(sub) for sub in v]
        return lambda x: any(c(x) for c in subs)

    def _one_of(self, v: Any, s: dict[str, Any]) -> Check:
        subs = [self.compile(sub) for sub in v]
        return lambda x: sum(1 for c in subs if c(x)) == 1

    def _type(self, v: Any, s: dict[str, Any]) -> Check:
        names = [v] if isinstance(v, str) else list(v)
        fallback = self._root.is_type

        def check(x: Any) -> bool:
            for name in names:
                ok = _is_type(name, x)
                if ok is None:
                    ok = fallback(x, name)
                if ok:
                    return True
            return False

        return check

    def _properties(self, v: Any, s: dict[str, Any]) -> Check:
        compiled = {name: self.compile(sub) for name, sub in v.items()}

        def check(x: Any) -> bool:
            if not isinstance(x, dict):
                return True
            for name, value in x.items():
                sub = compiled.get(name)
                if sub is not None and not sub(value):
                    return False
            return True

        return check

    def _additional(self, v: Any, s: dict[str, Any]) -> Check | None:
        known = set(s.get("properties", {}))
        # jsonschema: a key matching any pattern (joined with "|") is not additional
        joined = "|".join(s.get("patternProperties", {}))
        if joined:
            search = re.compile(joined).search
            if v is True:
                return None
            extra = self.compile(v)
            return lambda x: (
                not isinstance(x, dict)
                or all(extra(x[k]) for k in x if k not in known and search(k) is None)
            )
        if v is True:
            return None
        if v is False:
            return lambda x: not isinstance(x, dict) or all(k in known for k in x)
        extra = self.compile(v)
        return lambda x: not isinstance(x, dict) or all(extra(x[k]) for k in x if k not in known)

    def _format(self, v: Any, s: dict[str, Any]) -> Check | None:
        checker = getattr(self._root, "format_checker", None)
        if checker is None:
            return None  # jsonschema does not assert formats without a checker
        conforms = checker.conforms
        if v == "ipv4" and checker.checkers.get("ipv4", (None,))[0] is _jsonschema_ipv4:
            # ipaddress parses each address in about 8 us, and an inventory has one per
            # node; a dotted quad of decimal octets 0-255 without leading zeros is what it
            # accepts, anything else is left to it.
            quad = _DOTTED_QUAD.fullmatch
            return lambda x: (isinstance(x, str) and quad(x) is not None) or bool(conforms(x, v))
        return lambda x: bool(conforms(x, v))

    def _unique(self, v: Any, s: dict[str, Any]) -> Check | None:
        if not v:
            return None
        whole = self.jsonschema_check({"uniqueItems": True})

        def check(x: Any) -> bool:
            if not isinstance(x, list):
                return True
            if all(isinstance(i, str) for i in x):
                return len(set(x)) == len(x)
            return bool(whole(x))

        return check


def compile_check(root: jsonschema.protocols.Validator) -> Check:
    """A function answering ``root.is_valid(document)``, compiled from ``root.schema``."""
    return _Compiler(root).compile(root.schema)
