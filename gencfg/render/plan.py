"""The plan stage: which files the inventory renders, from the registered targets."""

from __future__ import annotations

from gencfg.dragonfly import releases
from gencfg.errors import GencfgError
from gencfg.inventory.model import Deployment
from gencfg.render.output import OutputFile
from gencfg.render.targets import (
    ansible,
    control_plane,
    kubernetes,
    peers,
    preheat,
    prepull,
    runtimes,
)
from gencfg.render.targets.base import PlanContext, Target

TARGETS: tuple[Target, ...] = (control_plane, peers, kubernetes, prepull, runtimes, preheat)


def plan(model: Deployment) -> list[OutputFile]:
    """Every file the inventory renders, in a stable order."""
    release = releases.parse(model.version)
    line = releases.line_for(release) if release else None
    if line is None:  # the pinned-version check rejects this first
        raise GencfgError(f"no template line for Dragonfly {model.version}")
    ctx = PlanContext(model, line)
    files = [f for target in TARGETS for f in target.plan(ctx)]
    files += ansible.plan(ctx, [f for f in files if not f.intermediate])
    return sorted(files, key=lambda f: f.path)
