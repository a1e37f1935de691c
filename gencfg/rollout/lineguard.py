"""Refuse to switch peers to another Dragonfly line before their control plane.

Upstream supports one mixed window only: a v2.5 manager and scheduler still serve
v2.1's gRPC API (v1), so v2.1 peers keep working while the control plane is ahead; a
v2.1 control plane cannot serve the Rust client (dragonfly-api 2.0.73 against the
client's 2.2.32). ``gencfg rollout`` runs the layers in that order. What it must refuse
is a layer run on its own (``--layer peers``, runtimes, kubernetes, preheat) that would
put peers on a line whose control plane was never rolled out: each rollout that pushed
the control plane records the release it pushed, beside the VPC record
(gencfg/rollout/vpcguard.py), and a later partial rollout of a tree on another line
stops with what to run first.
"""

from __future__ import annotations

import json
from pathlib import Path

from gencfg.dragonfly import releases
from gencfg.errors import ExternalError, UserError
from gencfg.rollout import vpcguard
from gencfg.tree.manifest import tree_release

CONTROL_PLANE_FIRST = frozenset({"peers", "runtimes", "kubernetes", "preheat"})
"""Layers that must not move peers to a line their control plane is not on."""


def _record(tree: Path) -> Path:
    return vpcguard.state_file(tree).with_suffix(".control-plane.json")


def check(tree: Path, layer: str) -> None:
    """Refuse ``layer`` when it would run peers ahead of their control plane's line.

    Raises:
        UserError: the last control-plane rollout of this tree pushed another line.
    """
    if layer not in CONTROL_PLANE_FIRST:
        return
    path = _record(tree)
    try:
        pushed = str(json.loads(path.read_text(encoding="utf-8"))["release"])
    except FileNotFoundError:
        return  # never rolled out by this user: nothing to compare with
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ExternalError(f"{path}: unreadable record of the last rollout ({exc})") from exc
    now = tree_release(tree)
    line_now, line_pushed = releases.line_name(now), releases.line_name(pushed)
    if now and line_now != line_pushed:
        raise UserError(
            f"{tree} is for Dragonfly {now} ({line_now} line), but its control plane was "
            f"last rolled out with {pushed} ({line_pushed} line): peers must not switch "
            f"lines before their control plane. Roll out the control plane first "
            f"(gencfg rollout {tree} --layer control-plane), or the whole tree"
        )


def record(tree: Path, layer: str) -> None:
    """After a successful rollout that pushed the control plane, remember its release."""
    if layer not in ("rollout", "control-plane"):  # "rollout": every layer, in order
        return
    path = _record(tree)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.write_text(json.dumps({"release": tree_release(tree)}) + "\n", encoding="utf-8")
    except OSError as exc:
        raise ExternalError(f"cannot write {path} ({exc})") from exc
