"""What every planning target gets, and helpers shared by several targets."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, Protocol

from gencfg.dragonfly import concepts, ports, releases
from gencfg.inventory.model import Deployment, Dfdaemon, Layer, ProxyRule, Vpc
from gencfg.render.output import OutputFile

MANAGER_GRPC_PORT = ports.default(ports.MANAGER, "grpc")

# Paths inside the Dragonfly containers; host directories are mounted onto them.
CONTAINER_CACHE_DIR = "/var/cache/dragonfly"
CONTAINER_DATA_DIR = "/var/lib/dragonfly"
CONTAINER_LOG_DIR = "/var/log/dragonfly"
# The Rust client's own defaults (server.cacheDir, storage.dir, --log-dir).
CLIENT_CACHE_DIR = "/var/cache/dragonfly/dfdaemon"
CLIENT_DATA_DIR = "/var/lib/dragonfly"
CLIENT_LOG_DIR = "/var/log/dragonfly/dfdaemon"
CLIENT_PROBE = ["/bin/grpc_health_probe", "-addr=unix:///var/run/dragonfly/dfdaemon.sock"]


@dataclasses.dataclass(frozen=True, slots=True)
class PlanContext:
    """The model and the template line the plan is for."""

    model: Deployment
    spec: releases.Line
    """The facts of the line (file names, images, health endpoint), looked up once."""

    @property
    def line(self) -> str:
        """The line's name, e.g. ``v2.5`` (its templates' and schemas' directory)."""
        return self.spec.name

    def template(self, name: str) -> str:
        """Template path of ``name`` in this line, e.g. ``v2.1/control-plane/manager.yaml.j2``."""
        return f"{self.line}/{name}"

    def ports(self, target: str) -> tuple[ports.Port, ...]:
        """The port table of ``target`` (manager, scheduler, peer, seed_peer) in this line."""
        return ports.BY_LINE[self.line][target]

    def schema(self, name: str) -> str:
        """Output schema id of a Dragonfly file of this line (``peer``: the peer config's)."""
        return self.spec.schema(name)


class Target(Protocol):
    """A planning module: ``plan`` yields the OutputFiles of its part of the tree."""

    def plan(self, ctx: PlanContext) -> list[OutputFile]:
        """The files this target renders."""
        ...


def manager_addr(vpc: Vpc, ip: str | None = None) -> str:
    """host:port of the manager's gRPC: the given VM, or the VPC's LB."""
    return f"{ip or vpc.lb.internal_ip}:{MANAGER_GRPC_PORT}"


def manager_url(vpc: Vpc, ip: str | None = None) -> str:
    """The manager's gRPC as the Rust client dials it: a URL with a scheme."""
    return f"http://{manager_addr(vpc, ip)}"


def common(model: Deployment) -> dict[str, Any]:
    """Context every Dragonfly config template uses (logging, metrics, images)."""
    return {
        "deployment": model,
        "console": model.console,
        "verbose": model.verbose,
        "metrics": model.metrics,
    }


def client_args(model: Deployment) -> list[str]:
    """Command-line flags of the Rust client: its logging is not in dfdaemon.yaml."""
    args = [f"--log-level={'debug' if model.verbose else 'info'}"]
    return [*args, "--console"] if model.console else args


def dfdaemon_context(
    ctx: PlanContext,
    settings: Dfdaemon,
    target: str,
    layers: tuple[Layer, ...],
    rules: Sequence[ProxyRule] | None = None,
) -> dict[str, Any]:
    """Context of a peer or seed config template: settings and effective ports.

    On the current line ``t`` holds the settings in the Rust client's value formats,
    with ``rules`` as its proxy rules when given.
    """
    out: dict[str, Any] = {
        "s": settings,
        "ports": ports.effective(ctx.ports(target), layers, metrics=True),
        "cache_dir": CONTAINER_CACHE_DIR,
        "data_dir": CONTAINER_DATA_DIR,
    }
    if ctx.spec.rust_client:
        out |= {
            "t": concepts.client_values(settings, rules),
            "cache_dir": CLIENT_CACHE_DIR,
            "data_dir": CLIENT_DATA_DIR,
            "log_dir": CLIENT_LOG_DIR,
            "client_args": client_args(ctx.model),
            "probe": CLIENT_PROBE,
        }
    return out


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
