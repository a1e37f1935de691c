"""What every planning target gets, and helpers shared by several targets."""

from __future__ import annotations

import dataclasses
from typing import Any, Protocol

from gencfg.dragonfly import ports
from gencfg.inventory.model import Deployment, Dfdaemon, Layer, Vpc
from gencfg.render.output import OutputFile

MANAGER_GRPC_PORT = ports.default(ports.MANAGER, "grpc")

# Paths inside the Dragonfly containers; host directories are mounted onto them.
CONTAINER_CACHE_DIR = "/var/cache/dragonfly"
CONTAINER_DATA_DIR = "/var/lib/dragonfly"
CONTAINER_LOG_DIR = "/var/log/dragonfly"


@dataclasses.dataclass(frozen=True, slots=True)
class PlanContext:
    """The model and the template line the plan is for."""

    model: Deployment
    line: str

    def template(self, name: str) -> str:
        """Template path of ``name`` in this line, e.g. ``v2.1/control-plane/manager.yaml.j2``."""
        return f"{self.line}/{name}"


class Target(Protocol):
    """A planning module: ``plan`` yields the OutputFiles of its part of the tree."""

    def plan(self, ctx: PlanContext) -> list[OutputFile]:
        """The files this target renders."""
        ...


def manager_addr(vpc: Vpc, ip: str | None = None) -> str:
    """host:port of the manager's gRPC: the given VM, or the VPC's LB."""
    return f"{ip or vpc.lb.internal_ip}:{MANAGER_GRPC_PORT}"


def common(model: Deployment) -> dict[str, Any]:
    """Context every Dragonfly config template uses (logging, metrics, images)."""
    return {
        "deployment": model,
        "console": model.console,
        "verbose": model.verbose,
        "metrics": model.metrics,
    }


def dfdaemon_context(
    settings: Dfdaemon, port_table: tuple[ports.Port, ...], layers: tuple[Layer, ...]
) -> dict[str, Any]:
    """Context of a dfget.yaml template: settings and effective ports."""
    return {
        "s": settings,
        "ports": ports.effective(port_table, layers, metrics=True),
        "cache_dir": CONTAINER_CACHE_DIR,
        "data_dir": CONTAINER_DATA_DIR,
    }


def _cpus(quantity: str) -> str:
    """Kubernetes CPU quantity -> compose cpus (``500m`` -> ``0.5``)."""
    if quantity.endswith("m"):
        return f"{int(quantity[:-1]) / 1000:g}"
    return quantity


def compose_resources(settings: Dfdaemon) -> dict[str, Any]:
    """The compose ``deploy.resources`` of a dfdaemon (memory keeps its binary unit)."""
    out: dict[str, Any] = {}
    for section, name in (("limits", "limits"), ("requests", "reservations")):
        values = getattr(settings.resources, section)
        entry = {}
        if "cpu" in values:
            entry["cpus"] = _cpus(values["cpu"])
        if "memory" in values:
            entry["memory"] = values["memory"]
        if entry:
            out[name] = entry
    return out


# Container logs are rotated: a chatty daemon must not fill the VM's disk.
COMPOSE_LOGGING = {"driver": "json-file", "options": {"max-size": "100m", "max-file": "5"}}
