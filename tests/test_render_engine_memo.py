"""Files that render the same text are parsed, validated and emitted once, overrides never."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from gencfg.inventory.model import Layer
from gencfg.inventory.source import format_path
from gencfg.inventory.validate import validate
from gencfg.render import engine
from gencfg.render.engine import Bodies, render_one
from gencfg.render.plan import plan
from tests.conftest import REPO
from tests.support import inventories

EXAMPLE = REPO / "inventories" / "example"


def test_one_text_is_processed_once_and_each_file_keeps_its_header(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Peer VMs alike but for their names and addresses: their compose files are the same
    # text (the control plane's are not: each probes its own VM's address).
    peers = [{"name": f"vm-{i}", "ip": f"127.0.3.{i}"} for i in range(1, 4)]
    root = inventories.write(tmp_path / "inv", inventories.inventory(vpc={"peer_vms": peers}))
    inv, _ = validate(root)
    assert inv is not None
    compose = [
        p
        for p in plan(inv.model)
        if "/peers/" in p.path and p.path.endswith("/docker-compose.yaml")
    ]
    assert len(compose) > 1
    calls: list[str] = []
    real = engine._body

    def counted(p: Any, *args: Any) -> Any:
        calls.append(p.path)
        return real(p, *args)

    monkeypatch.setattr(engine, "_body", counted)
    bodies: Bodies = {}
    shared = [render_one(p, inv.smap, "label", None, bodies)[0] for p in compose]
    alone = [render_one(p, inv.smap, "label")[0] for p in compose]
    assert shared == alone
    assert len(bodies) < len(compose)
    assert len(calls) == len(compose) + len(bodies)
    for r in shared:
        assert r is not None
        assert f"# Source: label, {format_path(r.plan.source)}\n" in r.content.decode()


def test_a_file_with_overrides_is_never_served_from_memory() -> None:
    inv, _ = validate(EXAMPLE)
    assert inv is not None
    manager = next(p for p in plan(inv.model) if p.path.endswith("/manager.yaml"))
    bodies: Bodies = {}
    assert render_one(manager, inv.smap, "label", None, bodies)[1] == []
    broken = dataclasses.replace(
        manager, overrides=(Layer({"sever": {"port": 1}}, manager.source),)
    )
    result, problems = render_one(broken, inv.smap, "label", None, bodies)
    assert result is None
    assert [p.code for p in problems] == ["GC401"]
