"""The example inventories render exactly the committed trees, and every file is valid.

rendered/example/ (the v2.1 line) and rendered/example-current/ (the current line:
v2.5 and the Rust client) are the golden outputs: regenerate them only on purpose, with
``pytest --update-golden`` (or ``gencfg render inventories/<name>``), and review them.
"""

from __future__ import annotations

import configparser
import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from gencfg.render.outschema import validator
from gencfg.tree.writer import existing_files
from tests.conftest import REPO

# Example name -> (its line, the file name of its peer config).
EXAMPLES = {"example": ("v2.1", "dfget"), "example-current": ("v2.5", "dfdaemon")}
NAMES = sorted(EXAMPLES)


def schema_of_kind(name: str) -> dict[str, str]:
    """MANIFEST kind -> output schema every file of that kind must satisfy."""
    line, peer = EXAMPLES[name]
    return {
        "manager-config": f"dragonfly/{line}/manager",
        "scheduler-config": f"dragonfly/{line}/scheduler",
        "seed-peer-config": f"dragonfly/{line}/{peer}",
        "peer-config": f"dragonfly/{line}/{peer}",
        "compose": "compose-spec",
        "containerd-hosts": "containerd/hosts",
        "preheat-job": f"dragonfly/{line}/preheat-job",
        "k8s-imagelistpulljob": "kruise/imagelistpulljob",
    }


def _load(path: Path) -> object:
    if path.suffix == ".json":
        return json.loads(path.read_text())
    if path.suffix == ".toml":
        return tomllib.loads(path.read_text())
    if path.suffix == ".cfg":  # ansible.cfg: INI
        parser = configparser.ConfigParser(interpolation=None)
        parser.read_string(path.read_text())
        return {section: dict(parser[section]) for section in parser.sections()}
    return yaml.safe_load(path.read_text())


@pytest.mark.parametrize("name", NAMES)
def test_example_renders_the_committed_tree(
    name: str, tmp_path: Path, cli, update_golden: bool
) -> None:
    golden = REPO / "rendered" / name
    out = tmp_path / name
    result = cli("render", str(REPO / "inventories" / name), "--output", str(out))
    assert result.rc == 0, result.err
    if update_golden:
        shutil.rmtree(golden, ignore_errors=True)
        shutil.copytree(out, golden)
    rendered = {rel: p.read_bytes() for rel, p in existing_files(out).items()}
    committed = {rel: p.read_bytes() for rel, p in existing_files(golden).items()}
    assert sorted(rendered) == sorted(committed)
    for rel, data in rendered.items():
        assert data == committed[rel], f"{rel} differs from the committed tree"


@pytest.mark.parametrize("name", NAMES)
def test_render_check_passes_on_the_committed_tree(name: str, cli) -> None:
    inventory, golden = REPO / "inventories" / name, REPO / "rendered" / name
    result = cli("render", "--check", str(inventory), "--output", str(golden))
    assert result.rc == 0, result.out + result.err


@pytest.mark.parametrize("name", NAMES)
def test_manifest_describes_every_file(name: str) -> None:
    golden = REPO / "rendered" / name
    manifest = json.loads((golden / "MANIFEST.json").read_text())
    files = set(existing_files(golden)) - {"MANIFEST.json"}
    assert set(manifest["files"]) == files


@pytest.mark.parametrize(
    ("name", "rel"),
    [(n, rel) for n in NAMES for rel in sorted(existing_files(REPO / "rendered" / n))],
    ids=str,
)
def test_rendered_file_is_valid_for_its_program(name: str, rel: str) -> None:
    """Independent of the render engine: parse each file and check it against its format."""
    golden = REPO / "rendered" / name
    manifest = json.loads((golden / "MANIFEST.json").read_text())
    entry = manifest["files"].get(rel)
    doc = _load(golden / rel) if not rel.endswith(".conf") else None
    if entry is None or doc is None:
        return
    line, peer = EXAMPLES[name]
    schema = schema_of_kind(name).get(entry["kind"])
    if entry["kind"] == "nydusd-config":
        schema = "nydus/mirrors-hosts" if rel.endswith(".toml") else None
        if schema is None:
            family = "mirrors" if "mirrors" in json.dumps(doc) else "proxy"
            schema = f"nydus/nydusd-fusedev-{family}"
    if entry["kind"] == "k8s-configmap":
        embedded = yaml.safe_load(doc["data"][f"{peer}.yaml"])  # type: ignore[index]
        assert list(validator(f"dragonfly/{line}/{peer}").iter_errors(embedded)) == []
    if schema:
        errors = [e.message for e in validator(schema).iter_errors(doc)]
        assert errors == []


@pytest.mark.parametrize("name", NAMES)
def test_compose_files_pass_the_compose_specification(name: str) -> None:
    """check-jsonschema's vendored compose-spec, run as its own CLI (offline)."""
    files = sorted(str(p) for p in (REPO / "rendered" / name).rglob("docker-compose.yaml"))
    assert files
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            *files,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("version", ["1.25.0", "1.37.0"])
def test_kubernetes_manifests_pass_strict_validation(name: str, version: str) -> None:
    """kubernetes-validate --strict (bundled OpenAPI schemas, offline): oldest and newest."""
    files = sorted(str(p) for p in (REPO / "rendered" / name).glob("*/kubernetes/*/*.yaml"))
    assert files
    result = subprocess.run(
        ["kubernetes-validate", "--strict", "--quiet", "-k", version, *files],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
