"""Each linter of ``gencfg lint`` catches a defect planted in a copy of the example tree.

Expected lines are found by searching the planted text, not hard-coded, so the tests
follow the templates when they change.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from gencfg.lint import LINTERS, all_codes
from gencfg.problem import Level
from tests.support.planted import (
    GOLDEN,
    PEER,
    add_file,
    found,
    kind_files,
    line_of,
    lint,
    plant,
)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A private copy of the committed example tree."""
    root = tmp_path / "example"
    shutil.copytree(GOLDEN, root)
    return root


def test_the_committed_example_lints_clean() -> None:
    assert lint(GOLDEN) == []


def test_the_example_lints_clean_for_the_oldest_kubernetes_too() -> None:
    assert lint(GOLDEN, "1.25") == []


def test_codes_are_unique_documented_and_in_the_gc6xx_range() -> None:
    codes = all_codes()
    assert all(re.fullmatch(r"GC6\d\d", code) for code in codes)
    seen = [code for linter in LINTERS.values() for code in linter.CODES]
    assert len(seen) == len(set(seen))
    for linter in LINTERS.values():
        assert f"ID: ``{linter.ID}``" in (linter.__doc__ or ""), linter.ID


def test_docs_list_every_code() -> None:
    docs = (GOLDEN.parent.parent / "docs" / "lint.md").read_text()
    for code, (linter_id, meaning) in all_codes().items():
        assert f"| {code} | `{linter_id}` | {meaning} |" in docs, code


# --- yamllint ---------------------------------------------------------------------------


def test_yamllint_catches_inconsistent_indentation(tree: Path) -> None:
    block = re.search(r"^storage:\n(?:  .*\n)+", (tree / PEER).read_text(), re.MULTILINE)
    assert block, PEER
    plant(tree, PEER, block.group(0), block.group(0).replace("\n  ", "\n    "))
    line, col = line_of(tree, PEER, block.group(0).splitlines()[1].strip())
    problems = lint(tree)
    assert found(problems, PEER) == [("GC610", line, col)]
    assert problems[0].message.endswith("(indentation)")


def test_yamllint_catches_an_ambiguous_truthy_value(tree: Path) -> None:
    plant(tree, PEER, "console: false", "console: no")
    line, col = line_of(tree, PEER, "console: no")
    col += len("console: ")
    problems = lint(tree)
    assert found(problems, PEER) == [("GC610", line, col)]
    assert problems[0].level is Level.ERROR
    assert "(truthy)" in problems[0].message


def test_a_file_that_does_not_parse_is_reported_once(tree: Path) -> None:
    plant(tree, PEER, "aliveTime: 0s", "aliveTime: [0s")
    problems = lint(tree)
    assert [p.code for p in problems] == ["GC605"]
    assert problems[0].path.endswith(PEER)


# --- Kubernetes -------------------------------------------------------------------------


def test_kubernetes_strict_catches_an_unknown_field(tree: Path) -> None:
    rel = kind_files(tree, "k8s-daemonset")[0]
    plant(tree, rel, "imagePullPolicy:", "imagePullPolice:")
    line, col = line_of(tree, rel, "imagePullPolice")
    problems = lint(tree)
    assert found(problems, rel) == [("GC620", line, col)]
    assert "did you mean 'imagePullPolicy'?" in problems[0].message


def test_kubernetes_catches_an_unknown_api_version(tree: Path) -> None:
    rel = kind_files(tree, "k8s-daemonset")[0]
    plant(tree, rel, "apiVersion: apps/v1", "apiVersion: apps/v2")
    assert found(lint(tree), rel) == [("GC622", *line_of(tree, rel, "apps/v2"))]


IMAGELISTPULLJOB = """\
apiVersion: apps.kruise.io/v1alpha1
kind: ImageListPullJob
metadata:
  name: prepull-gpu-a-0123abcd
  namespace: dragonfly-system
spec:
  images:
    - ghcr.io/example/trainer:2024.06
  parallelism: 10
  pullPolicy:
    timeoutSeconds: 3600
    backoffLimit: 3
  completionPolicy:
    type: Always
    activeDeadlineSeconds: 14400
"""


def test_an_imagelistpulljob_is_checked_against_the_kruise_schema(tree: Path) -> None:
    rel = "vpc-a/kubernetes/gpu-a/test-imagelistpulljob.yaml"
    add_file(tree, rel, IMAGELISTPULLJOB, "k8s-imagelistpulljob")
    assert lint(tree) == []  # kubernetes-validate has no schema for it; ours does
    plant(tree, rel, "  parallelism: 10", "  parallelism: ten\n  paralelism: 10")
    assert found(lint(tree), rel) == [
        ("GC621", *line_of(tree, rel, "ten")),
        ("GC620", *line_of(tree, rel, "paralelism")),
    ]


# --- Compose ----------------------------------------------------------------------------


def test_compose_spec_catches_an_unknown_service_key(tree: Path) -> None:
    rel = kind_files(tree, "compose")[0]
    plant(tree, rel, "    restart:", "    restrat:")
    problems = lint(tree)
    assert found(problems, rel) == [("GC630", *line_of(tree, rel, "restrat"))]
    assert "did you mean 'restart'?" in problems[0].message


# --- containerd hosts.toml --------------------------------------------------------------

HUB = "vpc-a/runtime/containerd/certs.d/docker.io/hosts.toml"
_PROXY_TABLE = re.compile(r'\[host\."http://127\.0\.0\.1:\d+"\]')


def _proxy_table(root: Path, rel: str) -> str:
    match = _PROXY_TABLE.search((root / rel).read_text())
    assert match, rel
    return match.group(0)


def test_hosts_toml_whose_first_host_is_not_the_proxy(tree: Path) -> None:
    plant(tree, HUB, _proxy_table(tree, HUB), '[host."https://mirror.example.com"]')
    line, _ = line_of(tree, HUB, "mirror.example.com")
    assert found(lint(tree), HUB) == [("GC643", line, 1)]


def test_hosts_toml_without_any_host(tree: Path) -> None:
    text = (tree / HUB).read_text()
    plant(tree, HUB, text[text.index("[host.") :], "")
    assert [code for code, *_ in found(lint(tree), HUB)] == ["GC642"]


def test_hosts_toml_whose_header_names_another_registry(tree: Path) -> None:
    plant(
        tree,
        HUB,
        'X-Dragonfly-Registry = ["https://index.docker.io"]',
        'X-Dragonfly-Registry = ["https://quay.io"]',
    )
    line, col = line_of(tree, HUB, "X-Dragonfly-Registry")
    assert found(lint(tree), HUB) == [("GC644", line, col)]


def test_hosts_toml_for_docker_io_with_server_docker_io(tree: Path) -> None:
    plant(tree, HUB, 'server = "https://index.docker.io"', 'server = "https://docker.io"')
    plant(tree, HUB, '["https://index.docker.io"]', '["https://docker.io"]')
    assert found(lint(tree), HUB) == [("GC645", *line_of(tree, HUB, "server ="))]


def test_hosts_toml_with_a_nested_host_table(tree: Path) -> None:
    text = (tree / HUB).read_text()
    plant(tree, HUB, text, text + '\n[host.mirror.example.com]\n  capabilities = ["pull"]\n')
    problems = lint(tree)
    assert found(problems, HUB) == [("GC646", *line_of(tree, HUB, "[host.mirror"))]
    assert '[host."https://mirror.example.com"]' in problems[0].message


def test_hosts_toml_with_an_unknown_key_and_a_syntax_error(tree: Path) -> None:
    plant(tree, HUB, "  capabilities =", "  capabilitie =")
    assert found(lint(tree), HUB) == [("GC640", *line_of(tree, HUB, "capabilitie ="))]
    plant(tree, HUB, "  capabilitie =", "  capabilities = [")
    assert [code for code, *_ in found(lint(tree), HUB)] == ["GC605"]


# --- Dragonfly --------------------------------------------------------------------------


def test_dfget_with_a_misspelt_key(tree: Path) -> None:
    plant(tree, PEER, "keepStorage:", "keepStroage:")
    problems = lint(tree)
    assert found(problems, PEER) == [("GC650", *line_of(tree, PEER, "keepStroage"))]
    assert "did you mean 'keepStorage'?" in problems[0].message


def test_dfget_embedded_in_a_configmap_is_located_in_the_configmap(tree: Path) -> None:
    rel = kind_files(tree, "k8s-configmap")[0]
    plant(tree, rel, "    gcInterval:", "    gcIntervall:")
    plant(tree, rel, "      enable: true", "      enable: 3")
    assert found(lint(tree), rel) == [
        ("GC650", *line_of(tree, rel, "gcIntervall")),
        ("GC651", *line_of(tree, rel, "3")),
    ]


def test_scheduler_with_a_bad_value(tree: Path) -> None:
    rel = kind_files(tree, "scheduler-config")[0]
    text = (tree / rel).read_text()
    key = re.search(r"^( *port): \d+$", text, re.MULTILINE)
    assert key, rel
    plant(tree, rel, key.group(0), f"{key.group(1)}: many")
    line, _ = line_of(tree, rel, "many")
    assert [(c, ln) for c, ln, _ in found(lint(tree), rel)] == [("GC651", line)]


# --- nydus ------------------------------------------------------------------------------


def _nydus_config(root: Path, family: str) -> str:
    for rel in kind_files(root, "nydusd-config"):
        if rel.endswith(".json"):
            config = json.loads((root / rel).read_text())["device"]["backend"]["config"]
            if family in config:
                return rel
    raise AssertionError(f"no {family} nydusd config in the example")


def test_nydus_mirrors_in_a_proxy_family_config(tree: Path) -> None:
    rel = _nydus_config(tree, "proxy")
    mirrors = '"mirrors": [{"host": "http://127.0.0.1:65001"}],\n        "proxy": {'
    plant(tree, rel, '"proxy": {', mirrors)
    problems = lint(tree)
    assert found(problems, rel) == [("GC662", *line_of(tree, rel, '"mirrors"'))]
    assert "v2.3.5" in problems[0].message


def test_nydus_mirrors_family_with_an_unknown_key(tree: Path) -> None:
    rel = _nydus_config(tree, "mirrors")
    plant(tree, rel, '"failure_limit"', '"failure_limits"')
    assert found(lint(tree), rel) == [("GC660", *line_of(tree, rel, '"failure_limits"'))]


def test_nydus_mirror_hosts_toml_with_an_unknown_key(tree: Path) -> None:
    rel = next(r for r in kind_files(tree, "nydusd-config") if r.endswith(".toml"))
    plant(tree, rel, "  ping_url =", "  ping_urll =")
    assert found(lint(tree), rel) == [("GC660", *line_of(tree, rel, "ping_urll"))]


def test_nydus_json_that_does_not_parse(tree: Path) -> None:
    rel = _nydus_config(tree, "proxy")
    plant(tree, rel, '"mode": "direct",', '"mode": "direct"')
    assert [code for code, *_ in found(lint(tree), rel)] == ["GC605"]


# --- integrity --------------------------------------------------------------------------


def test_a_hand_edited_file_differs_from_the_manifest(tree: Path) -> None:
    plant(tree, PEER, "verbose: false", "verbose: true", keep_manifest=True)
    assert found(lint(tree), PEER) == [("GC600", 0, 0)]


def test_a_file_missing_from_the_manifest_and_an_entry_without_file(tree: Path) -> None:
    (tree / "vpc-a" / "notes.txt").write_text("hand-written\n")
    (tree / PEER).unlink()
    problems = lint(tree)
    assert [(p.code, p.path.split("/example/")[1]) for p in problems] == [
        ("GC601", "vpc-a/notes.txt"),
        ("GC602", PEER),
    ]
