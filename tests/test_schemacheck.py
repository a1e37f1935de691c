"""The compiled validity check gives jsonschema's answer on every schema gencfg ships.

Documents: every rendered document of both example inventories with its output schema,
and every example inventory (valid and invalid) with the inventory schema; each is
checked as it is and after random changes (a value replaced by one of another type or
range, a key removed or added), always against jsonschema's own ``is_valid``.
"""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from gencfg import schemacheck
from gencfg.inventory import schema as inventory_schema
from gencfg.inventory.loader import load_inventory
from gencfg.inventory.validate import validate
from gencfg.render import engine, outschema
from gencfg.render.plan import plan
from tests.conftest import REPO

REPLACEMENTS: list[Any] = [
    0,
    1,
    -1,
    1.5,
    -0.5,
    float("nan"),
    2**40,
    2**70,
    "x",
    "",
    " ",
    "10s",
    "1h",
    "-1s",
    "2048Mi",
    "10.0.0.1",
    "10.0.0.0/8",
    "256.1.1.1",
    "a b",
    "UPPER",
    "https://x",
    None,
    True,
    False,
    [],
    {},
    ["x"],
    ["x", "x"],
    [1],
    {"unknownKey": 1},
    {"name": "x"},
]


def _output_documents() -> list[tuple[str, Any]]:
    docs = []
    for name in ("example", "example-current"):
        inv, _ = validate(REPO / "inventories" / name)
        assert inv is not None
        for p in plan(inv.model):
            if p.schema and not p.embeds:
                docs.append((p.schema, engine._parse(p, engine._template(p, None))))
    return docs


def _inventories() -> list[Any]:
    roots = [REPO / "inventories" / n for n in ("example", "example-current")]
    for kind in ("valid", "invalid"):
        roots += sorted(p for p in (REPO / "tests" / "examples" / kind).iterdir() if p.is_dir())
    found = []
    for root in roots:
        loaded, problems = load_inventory(_inventory_root(root))
        if not problems and loaded.data is not None:
            found.append(loaded.data)
    return found


def _inventory_root(folder: Path) -> Path:
    single = folder / "inventory.yaml"
    return single if single.exists() else folder


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _paths(item, (*path, i))
    return found


def _changed(doc: Any, rng: random.Random) -> Any:
    out = copy.deepcopy(doc)
    path = rng.choice(_paths(out))
    if not path:
        return rng.choice(REPLACEMENTS)
    parent = out
    for step in path[:-1]:
        parent = parent[step]
    action = rng.random()
    if action < 0.15 and isinstance(parent, dict):
        del parent[path[-1]]
    elif action < 0.3 and isinstance(parent, dict):
        parent[rng.choice(["sever", "host", "x", "nme", path[-1] + "s"])] = rng.choice(REPLACEMENTS)
    else:
        parent[path[-1]] = copy.deepcopy(rng.choice(REPLACEMENTS))
    return out


OUTPUTS = _output_documents()
INVENTORIES = _inventories()


def _agree(validator: jsonschema.protocols.Validator, doc: Any, seed: int, rounds: int) -> None:
    check = schemacheck.compile_check(validator)
    assert check(doc) == validator.is_valid(doc)
    rng = random.Random(seed)
    for _ in range(rounds):
        changed = _changed(doc, rng)
        assert check(changed) == validator.is_valid(changed), changed


@pytest.mark.parametrize("index", range(len(OUTPUTS)))
def test_rendered_documents_and_their_changes(index: int) -> None:
    schema_id, doc = OUTPUTS[index]
    _agree(outschema.validator(schema_id), doc, seed=index, rounds=60)


@pytest.mark.parametrize("index", range(len(INVENTORIES)))
def test_inventories_and_their_changes(index: int) -> None:
    _agree(inventory_schema._validator(), INVENTORIES[index], seed=index, rounds=40)


def test_every_shipped_schema_compiles() -> None:
    """Every schema, including those no example renders (the compose spec's $refs)."""
    ids = [
        str(p.relative_to(REPO / "schemas")).removesuffix(".schema.json")
        for p in (REPO / "schemas").rglob("*.schema.json")
        if p.name != "inventory.schema.json"
    ]
    for schema_id in [*ids, "compose-spec"]:
        v = outschema.validator(schema_id)
        check = schemacheck.compile_check(v)
        for value in REPLACEMENTS:
            assert check(value) == v.is_valid(value), (schema_id, value)


UNEVALUATED = {
    "$defs": {"a": {"properties": {"p": {}}, "patternProperties": {"^x-": {}}}},
    "allOf": [{"$ref": "#/$defs/a"}],
    "properties": {"q": {}},
    "unevaluatedProperties": False,
}


@pytest.mark.parametrize(
    ("schema", "instance"),
    [
        ({"type": "integer"}, 1.0),  # an integral float is an integer in 2020-12
        ({"type": "integer"}, True),  # a bool is not
        ({"minimum": 0}, float("nan")),  # NaN compares false: jsonschema accepts it
        ({"enum": ["a", 1]}, 1),  # enums of other types are jsonschema's to judge
        ({"enum": [1, 2]}, True),  # a bool never equals a number
        ({"enum": [1, 2]}, 1.0),  # an integral float does
        ({"$defs": {"a": {"type": "string"}}, "$ref": "#/$defs/a", "minLength": 2}, "x"),
        ({"uniqueItems": True}, [1, True]),
        ({"oneOf": [{"type": "string"}, {"minLength": 1}]}, "x"),
        ({"if": {"type": "string"}, "then": {"minLength": 2}, "else": {"minimum": 3}}, 2),
        ({"format": "ipv4"}, "1.2.3"),
        ({"format": "ipv4"}, "255.255.255.255"),
        ({"format": "ipv4"}, "01.2.3.4"),  # a leading zero: ipaddress refuses it
        ({"format": "ipv4"}, "1.2.3.4\n"),
        ({"format": "ipv4"}, "1.2.3.256"),
        ({"format": "ipv4"}, "\u0661.2.3.4"),  # a non-ASCII digit
        ({"patternProperties": {"^x": {"type": "integer"}}}, {"xa": "s"}),
        ({"not": {"type": "null"}}, None),
        (UNEVALUATED, {"p": 1, "q": 2, "x-y": 3}),
        (UNEVALUATED, {"p": 1, "r": 2}),
        ({**UNEVALUATED, "anyOf": [{"properties": {"r": {}}}, True]}, {"r": 2}),
        ({**UNEVALUATED, "unevaluatedProperties": {"type": "string"}}, {"r": "s"}),
    ],
)
def test_edge_cases_match_jsonschema(schema: dict[str, Any], instance: Any) -> None:
    cls = jsonschema.validators.validator_for(
        {"$schema": inventory_schema.inventory_schema()["$schema"]}
    )
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    assert schemacheck.compile_check(validator)(instance) == validator.is_valid(instance)


def test_a_missing_vendored_schema_package_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outschema.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(outschema.GencfgError, match="check_jsonschema is not installed"):
        outschema.load_schema("compose-spec")
