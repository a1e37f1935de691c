"""The current line's rendered files use only keys of the pinned upstream structs.

Every rendered manager.yaml, scheduler.yaml and dfdaemon.yaml (ConfigMaps included) is
checked key by key against schemas/dragonfly/v2.5/, which tools/dfschema derives from
Dragonfly v2.5.1's Go structs and client v1.4.2's serde structs: exact case, matching
types, no null sections. Values are checked in the client's formats too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from gencfg.dragonfly import concepts, releases
from gencfg.render.outschema import load_schema
from tests.conftest import REPO

TREE = REPO / "rendered" / "example-current"
SCHEMAS = {
    "manager-config": "manager",
    "scheduler-config": "scheduler",
    "seed-peer-config": "dfdaemon",
    "peer-config": "dfdaemon",
}


def _configs() -> list[tuple[str, str, Any]]:
    manifest = json.loads((TREE / "MANIFEST.json").read_text())
    out = []
    for rel, entry in sorted(manifest["files"].items()):
        if entry["kind"] in SCHEMAS:
            out.append((rel, SCHEMAS[entry["kind"]], yaml.safe_load((TREE / rel).read_text())))
        elif entry["kind"] == "k8s-configmap":
            text = yaml.safe_load((TREE / rel).read_text())["data"]["dfdaemon.yaml"]
            out.append((rel, "dfdaemon", yaml.safe_load(text)))
    return out


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].removeprefix("#/$defs/")]
    return node


def _walk(schema: dict[str, Any], node: dict[str, Any], doc: Any, where: str) -> list[str]:
    """Keys of ``doc`` that the schema node does not name exactly; sections that are null."""
    node = _resolve(schema, node)
    if not isinstance(doc, dict):
        return []
    known = node.get("properties", {})
    wrong = []
    for key, value in doc.items():
        if key not in known:
            wrong.append(f"{where}{key}")
        elif value is None and "null" not in json.dumps(_resolve(schema, known[key])):
            wrong.append(f"{where}{key}: null")
        else:
            wrong += _walk(schema, known[key], value, f"{where}{key}.")
    return wrong


CONFIGS = _configs()


def test_the_tree_has_every_kind_of_config() -> None:
    kinds = {name for _, name, _ in CONFIGS}
    assert kinds == {"manager", "scheduler", "dfdaemon"}
    assert len(CONFIGS) >= 10


@pytest.mark.parametrize(("rel", "name", "doc"), CONFIGS, ids=[c[0] for c in CONFIGS])
def test_every_key_exists_in_the_pinned_struct_with_its_exact_case(
    rel: str, name: str, doc: Any
) -> None:
    schema = load_schema(f"dragonfly/v2.5/{name}")
    assert _walk(schema, schema, doc, "") == []


def test_the_schemas_are_derived_from_the_pinned_tags() -> None:
    for name, tag in (("manager", "v2.5.1"), ("scheduler", "v2.5.1"), ("dfdaemon", "v1.4.2")):
        schema = load_schema(f"dragonfly/v2.5/{name}")
        assert tag in schema["title"] + schema["description"], name
    assert str(releases.VERIFIED_CLIENT) == "v1.4.2"
    assert releases.default_client("v2.5.1") == "v1.4.2"


def test_client_durations_and_sizes_are_in_the_clients_formats() -> None:
    """humantime strings (never bare integers); sizes with an explicit binary unit."""
    for rel, name, doc in CONFIGS:
        if name != "dfdaemon":
            continue
        download = doc["download"]
        assert re.fullmatch(r"[0-9]+s", download["pieceTimeout"]), rel
        assert re.fullmatch(r"[0-9]+(KiB|MiB|GiB|TiB)", download["bandwidthLimit"]), rel
        assert "rules" in doc["proxy"] and doc["proxy"]["rules"], rel


def test_the_large_image_profile_sets_the_clients_piece_timeouts() -> None:
    """vpc-a preheats a 24Gi image: >= 600s on its seed clients and peers (not vpc-b)."""
    for rel, name, doc in CONFIGS:
        if name == "dfdaemon":
            want = "600s" if rel.startswith("vpc-a/") else "360s"
            assert doc["download"]["pieceTimeout"] == want, rel
            assert doc["download"]["collectedPieceTimeout"] == want, rel


def test_every_concept_lands_where_the_table_says() -> None:
    """The templates and gencfg/dragonfly/concepts.py agree on each key's place."""
    doc = next(d for r, n, d in CONFIGS if r.endswith("peers/build-a-1/dfdaemon.yaml"))
    for concept in concepts.CONCEPTS:
        key = concept.key("v2.5")
        if not key or concept.name.startswith("disk_gc"):  # disk_gc_*: only when set
            continue
        value: Any = doc
        for part in key:
            value = value[part]
        assert value is not None, concept.name


def test_client_pairing_table_matches_the_reference() -> None:
    line = releases.V2_5
    assert line.pairing(releases.Release(2, 5, 1)) == (
        releases.Release(1, 4, 2),
        releases.Release(1, 4, 99),
    )
    assert line.pairing(releases.Release(2, 5, 0))[0] == releases.Release(1, 4, 0)  # type: ignore[index]


def test_seed_clients_are_super_seed_peers_of_the_vpcs_cluster() -> None:
    for rel, _name, doc in CONFIGS:
        if "seed-client" in rel:
            assert doc["seedPeer"] == {"enable": True, "type": "super"}
            assert doc["host"]["schedulerClusterID"] == 1
            assert doc["manager"]["addr"].startswith("http://")


def test_no_file_of_the_tree_is_a_v21_file() -> None:
    names = {p.name for p in Path(TREE).rglob("*")}
    assert "dfget.yaml" not in names and "http-proxy.conf" not in names
