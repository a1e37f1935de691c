"""The example inventory renders exactly the committed tree, and every file is valid.

rendered/example/ is the golden output: regenerate it only on purpose, with
``pytest --update-golden`` (or ``gencfg render inventories/example``), and review it.
"""

from __future__ import annotations

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

EXAMPLE = REPO / "inventories" / "example"
GOLDEN = REPO / "rendered" / "example"

# MANIFEST kind -> output schema every file of that kind must satisfy.
SCHEMA_OF_KIND = {
    "manager-config": "dragonfly/v2.1/manager",
    "scheduler-config": "dragonfly/v2.1/scheduler",
    "seed-peer-config": "dragonfly/v2.1/dfget",
    "peer-config": "dragonfly/v2.1/dfget",
    "compose": "compose-spec",
    "containerd-hosts": "containerd/hosts",
    "preheat-job": "dragonfly/v2.1/preheat-job",
    "k8s-imagelistpulljob": "kruise/imagelistpulljob",
}


def _load(path: Path) -> object:
    if path.suffix == ".json":
        return json.loads(path.read_text())
    if path.suffix == ".toml":
        return tomllib.loads(path.read_text())
    return yaml.safe_load(path.read_text())


def test_example_renders_the_committed_tree(tmp_path: Path, cli, update_golden: bool) -> None:
    out = tmp_path / "example"
    result = cli("render", str(EXAMPLE), "--output", str(out))
    assert result.rc == 0, result.err
    if update_golden:
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(out, GOLDEN)
    rendered = {rel: p.read_bytes() for rel, p in existing_files(out).items()}
    golden = {rel: p.read_bytes() for rel, p in existing_files(GOLDEN).items()}
    assert sorted(rendered) == sorted(golden)
    for rel, data in rendered.items():
        assert data == golden[rel], f"{rel} differs from the committed tree"


def test_render_check_passes_on_the_committed_tree(cli) -> None:
    result = cli("render", "--check", str(EXAMPLE), "--output", str(GOLDEN))
    assert result.rc == 0, result.out + result.err


def test_manifest_describes_every_file() -> None:
    manifest = json.loads((GOLDEN / "MANIFEST.json").read_text())
    files = set(existing_files(GOLDEN)) - {"MANIFEST.json"}
    assert set(manifest["files"]) == files


@pytest.mark.parametrize("rel", sorted(existing_files(GOLDEN)), ids=str)
def test_rendered_file_is_valid_for_its_program(rel: str) -> None:
    """Independent of the render engine: parse each file and check it against its format."""
    manifest = json.loads((GOLDEN / "MANIFEST.json").read_text())
    entry = manifest["files"].get(rel)
    doc = _load(GOLDEN / rel) if not rel.endswith(".conf") else None
    if entry is None or doc is None:
        return
    schema = SCHEMA_OF_KIND.get(entry["kind"])
    if entry["kind"] == "nydusd-config":
        schema = "nydus/mirrors-hosts" if rel.endswith(".toml") else None
        if schema is None:
            family = "mirrors" if "mirrors" in json.dumps(doc) else "proxy"
            schema = f"nydus/nydusd-fusedev-{family}"
    if entry["kind"] == "k8s-configmap":
        dfget = yaml.safe_load(doc["data"]["dfget.yaml"])  # type: ignore[index]
        assert list(validator("dragonfly/v2.1/dfget").iter_errors(dfget)) == []
    if schema:
        errors = [e.message for e in validator(schema).iter_errors(doc)]
        assert errors == []


def test_compose_files_pass_the_compose_specification() -> None:
    """check-jsonschema's vendored compose-spec, run as its own CLI (offline)."""
    files = sorted(str(p) for p in GOLDEN.rglob("docker-compose.yaml"))
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


@pytest.mark.parametrize("version", ["1.25.0", "1.37.0"])
def test_kubernetes_manifests_pass_strict_validation(version: str) -> None:
    """kubernetes-validate --strict (bundled OpenAPI schemas, offline): oldest and newest."""
    files = sorted(str(p) for p in GOLDEN.glob("*/kubernetes/*/*.yaml"))
    assert files
    result = subprocess.run(
        ["kubernetes-validate", "--strict", "--quiet", "-k", version, *files],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
