"""Evaluate the small subset of Go constant expressions used by default configs."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from dfschema.golang import MODULE, GoParser, split_top_level


@dataclass(frozen=True)
class GoValue:
    """A statically evaluated Go expression."""

    kind: str  # duration | int | bytes | float | string | bool | list | runtime
    value: Any
    source: str


TIME_UNITS = {
    "time.Nanosecond": 1,
    "time.Microsecond": 1_000,
    "time.Millisecond": 1_000_000,
    "time.Second": 1_000_000_000,
    "time.Minute": 60_000_000_000,
    "time.Hour": 3_600_000_000_000,
}
BYTE_UNITS = {
    f"unit.{name}": 1024**power for power, name in enumerate(["B", "KB", "MB", "GB", "TB", "PB"])
}
CONVERSIONS = re.compile(
    r"^(?:rate\.Limit|types\.PEMContent|time\.Duration|StoreStrategy|float64|int|uint)\((.*)\)$"
)


class Evaluator:
    """Evaluate the small subset of Go constant expressions used by the default configs."""

    def __init__(self, parser: GoParser) -> None:
        self.parser = parser

    def evaluate(self, expr: str, scope: str) -> GoValue:
        """Evaluate ``expr`` as written in file ``scope``; unknown things become 'runtime'."""
        expr = expr.strip()
        conv = CONVERSIONS.match(expr)
        if conv:
            return self.evaluate(conv.group(1), scope)
        literal = self._literal(expr)
        if literal is not None:
            return literal
        if expr in TIME_UNITS:
            return GoValue("duration", TIME_UNITS[expr], expr)
        if expr in BYTE_UNITS:
            return GoValue("bytes", BYTE_UNITS[expr], expr)
        factors = split_top_level(expr, "*")
        if len(factors) > 1:
            return self._product(factors, scope, expr)
        if expr.startswith("[]string{"):
            items = split_top_level(expr[len("[]string{") : -1], ",")
            return GoValue("list", [json.loads(item) for item in items], expr)
        return self._identifier(expr, scope)

    @staticmethod
    def _literal(expr: str) -> GoValue | None:
        if expr.startswith('"'):
            return GoValue("string", json.loads(expr), expr)
        if expr in ("true", "false"):
            return GoValue("bool", expr == "true", expr)
        if re.fullmatch(r"-?\d+", expr):
            return GoValue("int", int(expr), expr)
        if re.fullmatch(r"-?\d+\.\d*", expr):
            return GoValue("float", float(expr), expr)
        return None

    def _product(self, factors: list[str], scope: str, expr: str) -> GoValue:
        kind = "int"
        total = 1
        for factor in factors:
            value = self.evaluate(factor, scope)
            if value.kind not in ("int", "duration", "bytes"):
                return GoValue("runtime", None, expr)
            kind = value.kind if value.kind != "int" else kind
            total *= int(value.value)
        return GoValue(kind, total, expr)

    def _identifier(self, expr: str, scope: str) -> GoValue:
        pkg_path = scope.rsplit("/", 1)[0]
        target_pkg, name = pkg_path, expr
        if "." in expr:
            alias, name = expr.split(".", 1)
            import_path = self._import_path(pkg_path, scope, alias)
            if not import_path.startswith(MODULE + "/"):
                return GoValue("runtime", None, expr)
            target_pkg = import_path.removeprefix(MODULE + "/")
        consts = self.parser.package(target_pkg).consts
        if name not in consts:
            return GoValue("runtime", None, expr)
        const_expr, const_file = consts[name]
        inner = self.evaluate(const_expr, const_file)
        return GoValue(inner.kind, inner.value, expr)

    def _import_path(self, pkg_path: str, scope: str, alias: str) -> str:
        """Return the import path of ``alias`` in file ``scope`` (else in any file of the package).

        The package-wide fallback is only needed for the enum constants of FIELD_NOTES, which are
        written relative to the package of the struct, not to one file.
        """
        imports = self.parser.package(pkg_path).imports
        if alias in imports.get(scope, {}):
            return imports[scope][alias]
        candidates = {paths[alias] for paths in imports.values() if alias in paths}
        return candidates.pop() if len(candidates) == 1 else ""


def format_duration(ns: int) -> str:
    """Format nanoseconds compactly in Go duration syntax (e.g. 48h, 1h30m, 200ms)."""
    if ns == 0:
        return "0s"
    sign = "-" if ns < 0 else ""
    ns = abs(ns)
    hours, rest = divmod(ns, 3_600_000_000_000)
    minutes, rest = divmod(rest, 60_000_000_000)
    seconds, rest = divmod(rest, 1_000_000_000)
    out = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
    if rest and not (hours or minutes or seconds):
        for unit, size in (("ms", 1_000_000), ("us", 1_000), ("ns", 1)):
            if rest % size == 0:
                return f"{sign}{rest // size}{unit}"
    if rest:
        return f"{sign}{out}{seconds}.{rest:09d}".rstrip("0") + "s"
    return sign + out + (f"{seconds}s" if seconds else "")


def format_bytes(size: int) -> str:
    """Format a byte count with the largest exact binary unit (e.g. 512Mi, 1Gi)."""
    for suffix, power in (("Ti", 4), ("Gi", 3), ("Mi", 2), ("Ki", 1)):
        if size and size % 1024**power == 0:
            return f"{size // 1024**power}{suffix}"
    return str(size)
