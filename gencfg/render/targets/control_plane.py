"""Control-plane VMs: manager.yaml, scheduler.yaml, seed-peer/dfget.yaml, docker-compose.yaml.

Rendered to ``<vpc>/control-plane/<vm>/``; pushed to ``<compose_dir>`` on the VM.
"""

from __future__ import annotations

from gencfg.dragonfly import ports
from gencfg.inventory.model import ControlPlaneVm, Vpc
from gencfg.render.output import OutputFile
from gencfg.render.targets.base import (
    COMPOSE_LOGGING,
    PlanContext,
    common,
    compose_resources,
    dfdaemon_context,
    manager_addr,
)


def _vm_files(ctx: PlanContext, vpc: Vpc, vm: ControlPlaneVm) -> list[OutputFile]:
    model = ctx.model
    base = f"{vpc.name}/control-plane/{vm.name}"
    config_dir = f"{vm.compose_dir}/config"
    shared = {**common(model), "vpc": vpc, "vm": vm}
    mgr = manager_addr(vpc, vm.ip if vm.manager_address == "self" else None)
    effective = {
        target: ports.effective(ports.BY_TARGET[target], vm.overrides.get(target, ()), metrics=True)
        for target in ("manager", "scheduler", "seed_peer")
    }
    files = []
    if vm.runs("manager"):
        assert model.jwt_key is not None  # the manager-auth check requires it
        files.append(
            OutputFile(
                path=f"{base}/manager.yaml",
                kind="manager-config",
                template=ctx.template("control-plane/manager.yaml.j2"),
                context={
                    **shared,
                    "ports": effective["manager"],
                    "jwt_key": model.jwt_key.placeholder,
                },
                fmt="yaml",
                source=vm.path,
                owners=(vm.name,),
                dest=f"{config_dir}/manager.yaml",
                restart="manager",
                schema=f"dragonfly/{ctx.line}/manager",
                overrides=vm.overrides.get("manager", ()),
            )
        )
    if vm.runs("scheduler"):
        files.append(
            OutputFile(
                path=f"{base}/scheduler.yaml",
                kind="scheduler-config",
                template=ctx.template("control-plane/scheduler.yaml.j2"),
                context={**shared, "ports": effective["scheduler"], "manager_addr": mgr},
                fmt="yaml",
                source=vm.path,
                owners=(vm.name,),
                dest=f"{config_dir}/scheduler.yaml",
                restart="scheduler",
                schema=f"dragonfly/{ctx.line}/scheduler",
                overrides=vm.overrides.get("scheduler", ()),
            )
        )
    if vm.runs("seed_peer"):
        files.append(
            OutputFile(
                path=f"{base}/seed-peer/dfget.yaml",
                kind="seed-peer-config",
                template=ctx.template("control-plane/seed-peer/dfget.yaml.j2"),
                context={
                    **shared,
                    **dfdaemon_context(
                        vm.seed_peer, ports.SEED_PEER, vm.overrides.get("seed_peer", ())
                    ),
                    "manager_addr": mgr,
                    "advertise_ip": vm.ip,
                    "proxy_rules": list(vm.seed_peer.proxy_rules),
                    "hijack": None,
                    "mirror_insecure": False,
                    "mirror_certs": [],
                },
                fmt="yaml",
                source=vm.path,
                owners=(vm.name,),
                dest=f"{config_dir}/seed-peer/dfget.yaml",
                restart="seed-peer",
                schema=f"dragonfly/{ctx.line}/dfget",
                overrides=vm.overrides.get("seed_peer", ()),
            )
        )
    files.append(
        OutputFile(
            path=f"{base}/docker-compose.yaml",
            kind="compose",
            template=ctx.template("control-plane/docker-compose.yaml.j2"),
            context={
                **shared,
                "manager_ports": effective["manager"],
                "scheduler_ports": effective["scheduler"],
                "seed_peer_ports": effective["seed_peer"],
                "seed_peer_resources": compose_resources(vm.seed_peer),
                "logging": COMPOSE_LOGGING,
            },
            fmt="yaml",
            source=vm.path,
            owners=(vm.name,),
            dest=f"{vm.compose_dir}/docker-compose.yaml",
            restart="compose",
            schema="compose-spec",
        )
    )
    return files


def plan(ctx: PlanContext) -> list[OutputFile]:
    """Files of every control-plane VM of every VPC."""
    return [
        f for vpc in ctx.model.vpcs for vm in vpc.control_plane for f in _vm_files(ctx, vpc, vm)
    ]
