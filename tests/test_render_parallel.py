"""Rendering in forked workers gives exactly what rendering in one process gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gencfg.problem import Problem
from gencfg.render import engine
from gencfg.render.build import validate_and_render
from gencfg.render.output import OutputFile
from gencfg.render.outschema import TemplateBugError
from tests.conftest import REPO
from tests.support.inventories import inventory, write

EXAMPLE = REPO / "inventories" / "example"
SEQUENTIAL = 10**9


def _render(
    monkeypatch: pytest.MonkeyPatch, root: Path, parallel_from: int
) -> tuple[dict[str, bytes] | None, list[Problem]]:
    monkeypatch.setattr(engine, "PARALLEL_FROM", parallel_from)
    _, built, problems = validate_and_render(root)
    return (built.files if built else None), problems


def test_the_example_renders_the_same_bytes_in_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    files, problems = _render(monkeypatch, EXAMPLE, SEQUENTIAL)
    assert files is not None
    assert _render(monkeypatch, EXAMPLE, 1) == (files, problems)


def test_override_problems_are_the_same_in_workers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cp = {"name": "cp-1", "ip": "127.0.0.2", "overrides": {"scheduler": {"sever": {"port": 1}}}}
    root = write(tmp_path / "inv", inventory(vpc={"control_plane": [cp]}))
    files, problems = _render(monkeypatch, root, SEQUENTIAL)
    assert files is None
    assert [p.code for p in problems] == ["GC401"]
    assert _render(monkeypatch, root, 1) == (None, problems)


def test_a_template_bug_in_a_worker_is_raised_in_the_parent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = engine.render_one

    def broken(plan: OutputFile, *args: Any) -> Any:
        if plan.path.endswith("/manager.yaml"):
            raise TemplateBugError(f"{plan.path}: broken")
        return real(plan, *args)

    monkeypatch.setattr(engine, "render_one", broken)  # inherited by the forked workers
    monkeypatch.setattr(engine, "PARALLEL_FROM", 1)
    # The first bug in plan order, whichever worker met it first.
    with pytest.raises(TemplateBugError, match=r"^vpc-a/control-plane/cp-a-1/manager.yaml: "):
        validate_and_render(EXAMPLE)
