"""The inventory reference, generated from schemas/inventory.schema.json (its one source)."""

from __future__ import annotations

from typing import Any

from gencfg.checks import all_codes
from gencfg.dragonfly import concepts, releases
from gencfg.inventory.schema import inventory_schema

Schema = dict[str, Any]


def _deref(schema: Schema, root: Schema) -> tuple[Schema, str | None]:
    """Follow a local $ref; keep a description written next to the $ref."""
    ref = schema.get("$ref")
    if not ref:
        return schema, None
    name = ref.rsplit("/", 1)[-1]
    target = dict(root["$defs"][name])
    if "description" in schema:
        target["description"] = schema["description"]
    return target, name


def _type(schema: Schema, root: Schema) -> str:
    schema, _ = _deref(schema, root)
    if "enum" in schema:
        return " \\| ".join(f"`{v}`" for v in schema["enum"])
    if "oneOf" in schema:
        return " or ".join(_type(s, root) for s in schema["oneOf"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"list of {_type(schema.get('items', {}), root)}"
    if kind == "object" and "properties" not in schema:
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and extra.get("properties"):
            return "mapping"
        return "mapping" if extra is not False else "object"
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    return str(kind)


def _objects(
    schema: Schema, root: Schema, title: str, out: list[tuple[str, Schema]], seen: set[str]
) -> None:
    """Collect every object schema reachable from ``schema``, with a dotted title."""
    schema, _ = _deref(schema, root)
    if schema.get("type") == "array":
        _objects(schema.get("items", {}), root, f"{title}[]", out, seen)
        return
    if "properties" not in schema or title in seen:
        return
    seen.add(title)
    out.append((title, schema))
    for key, sub in schema["properties"].items():
        _objects(sub, root, f"{title}.{key}" if title else key, out, seen)


def _releases() -> list[str]:
    """The supported lines, their verified releases and client pairings."""
    lines = [
        "## Supported Dragonfly releases",
        "",
        "| line | releases | verified against | peers and seeds | client pairing |",
        "|---|---|---|---|---|",
    ]
    for line in releases.LINES:
        pairs = (
            ", ".join(
                f"{dragonfly} -> {pin} (and v{pin.major}.{pin.minor}.x from it on)"
                for dragonfly, (pin, _) in sorted(line.clients.items())
            )
            or "none: dfdaemon has Dragonfly's version"
        )
        verified = str(line.verified)
        if line.rust_client:
            verified += f" with client {releases.VERIFIED_CLIENT}"
        lines.append(
            f"| {line.name} | {line.first} to {line.last} | {verified} | {line.client} | {pairs} |"
        )
    return [*lines, ""]


def _concepts() -> list[str]:
    """Where each peer and seed setting lands in each line's file."""
    lines = [
        "## Peer and seed settings in each line",
        "",
        "One key per concept; gencfg writes it to each line's own key "
        "(gencfg/dragonfly/concepts.py). A concept with no counterpart is an error "
        "on that line (GC323).",
        "",
        "| key | v2.1 `dfget.yaml` | current line `dfdaemon.yaml` |",
        "|---|---|---|",
    ]

    def where(c: concepts.Concept, key: tuple[str, ...] | None) -> str:
        if key is None:
            return f"none: {c.missing}"
        return f"`{'.'.join(key)}`" if key else c.outside

    for c in concepts.CONCEPTS:
        v21, v25 = where(c, c.v21), where(c, c.v25)
        lines.append(f"| `{c.name}` | {v21} | {v25} |")
    return [*lines, ""]


def markdown() -> str:
    """The whole reference as Markdown."""
    root = inventory_schema()
    lines = [
        "# Inventory reference",
        "",
        "Generated from `schemas/inventory.schema.json` by `gencfg reference`; do not edit.",
        "",
        root["description"],
        "",
        *_releases(),
        *_concepts(),
    ]
    objects: list[tuple[str, Schema]] = []
    _objects(root, root, "", objects, set())
    for title, schema in objects:
        lines += [f"## `{title or '(top level)'}`", ""]
        if schema.get("description") and title:
            lines += [schema["description"], ""]
        lines += ["| key | type | required | description |", "|---|---|---|---|"]
        required = set(schema.get("required", []))
        for key, sub in schema["properties"].items():
            target, _ = _deref(sub, root)
            text = " ".join(target.get("description", "").split()).replace("|", "\\|")
            mark = "yes" if key in required else ""
            lines.append(f"| `{key}` | {_type(sub, root)} | {mark} | {text} |")
        lines.append("")
    lines += [
        "## Diagnostic codes of the semantic checks",
        "",
        "| code | check | meaning |",
        "|---|---|---|",
    ]
    for code, (check_id, meaning) in sorted(all_codes().items()):
        lines.append(f"| {code} | `{check_id}` | {meaning} |")
    return "\n".join(lines) + "\n"
