"""Control-plane VMs: manager.yaml, scheduler.yaml, the seed's config, docker-compose.yaml.

Rendered to ``<vpc>/control-plane/<vm>/``; pushed to ``<compose_dir>`` on the VM. The
seed is ``seed-peer/dfget.yaml`` on v2.1 and ``seed-client/dfdaemon.yaml`` on the
current line (a Rust client of type super).
"""

from __future__ import annotations

from typing import Any

from gencfg.dragonfly import ports
from gencfg.inventory.model import Component, ControlPlaneVm, Vpc
from gencfg.render.output import OutputFile
from gencfg.render.targets.base import (
    COMPOSE_LOGGING,
    PlanContext,
    common,
    compose_resources,
    dfdaemon_context,
    manager_addr,
    manager_url,
)

# The manager's preheat client trusts only job.preheat.tls.caCert when it is set (v2.1.28
# manager/job/job.go builds a new cert pool from it; v2.5.1 the same through
# nettls.PEMToCertPool), so a lone private CA there would break preheat from every
# public registry. The file it names is a bundle the control-plane play assembles on
# the VM at push time: the VM's system roots, then the registries' private CAs.
PREHEAT_CA_BUNDLE = "preheat-ca-bundle.pem"
PREHEAT_CA_PATH = f"/etc/dragonfly/{PREHEAT_CA_BUNDLE}"


def preheat_cas(vpc: Vpc) -> list[str]:
    """Private CA files (on the hosts) of the registries the manager may preheat from."""
    return sorted({path for r in vpc.registries if r.preheat for path in r.ca})


def ca_bundles(vpc: Vpc, vm: ControlPlaneVm) -> list[dict[str, Any]]:
    """The CA bundles the play assembles on ``vm``: ``{dest, restart, cas}``.

    ``restart``: the manager reads the bundle at start, so it restarts when the
    bundle's bytes change (a rotated private CA, updated system roots).
    """
    cas = preheat_cas(vpc)
    if not cas or not vm.runs("manager"):
        return []
    dest = f"{vm.compose_dir}/config/{PREHEAT_CA_BUNDLE}"
    return [{"dest": dest, "restart": "manager", "cas": cas}]


def _vm_files(ctx: PlanContext, vpc: Vpc, vm: ControlPlaneVm) -> list[OutputFile]:
    model = ctx.model
    base = f"{vpc.name}/control-plane/{vm.name}"
    config_dir = f"{vm.compose_dir}/config"
    shared = {**common(model), "vpc": vpc, "vm": vm}
    manager_ip = vm.ip if vm.manager_address == "self" else None
    mgr = manager_addr(vpc, manager_ip)
    effective = {
        target: ports.effective(ctx.ports(target), vm.overrides.get(target, ()), metrics=True)
        for target in ("manager", "scheduler", "seed_peer")
    }
    seed_dir = ctx.spec.seed_dir

    def config(component: Component, name: str, schema: str, context: dict[str, Any]) -> OutputFile:
        """One Dragonfly config of the VM: same owner, directory, restart and overrides."""
        return OutputFile(
            path=f"{base}/{name}",
            kind=f"{component.replace('_', '-')}-config",
            template=ctx.template(f"control-plane/{name}.j2"),
            context={**shared, **context},
            fmt="yaml",
            source=vm.path,
            owners=(vm.name,),
            dest=f"{config_dir}/{name}",
            restart=seed_dir if component == "seed_peer" else component,
            schema=ctx.schema(schema),
            overrides=vm.overrides.get(component, ()),
        )

    files = []
    context: dict[str, Any]
    if vm.runs("manager"):
        assert model.jwt_key is not None  # the manager-auth check requires it
        context = {
            "ports": effective["manager"],
            "jwt_key": model.jwt_key.placeholder,
            "preheat_ca": PREHEAT_CA_PATH if ca_bundles(vpc, vm) else None,
        }
        files.append(config("manager", "manager.yaml", "manager", context))
    if vm.runs("scheduler"):
        context = {"ports": effective["scheduler"], "manager_addr": mgr}
        files.append(config("scheduler", "scheduler.yaml", "scheduler", context))
    if vm.runs("seed_peer"):
        context = {
            **dfdaemon_context(ctx, vm.seed_peer, "seed_peer", vm.overrides.get("seed_peer", ())),
            "manager_addr": mgr,
            "manager_url": manager_url(vpc, manager_ip),
            "advertise_ip": vm.ip,
            "proxy_rules": list(vm.seed_peer.proxy_rules),
            "prefetch": False,
            "hijack": None,
            "mirror_insecure": False,
        }
        name = f"{seed_dir}/{ctx.spec.peer_config}"
        files.append(config("seed_peer", name, "peer", context))
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
                "preheat_ca": (
                    {"host": f"./config/{PREHEAT_CA_BUNDLE}", "path": PREHEAT_CA_PATH}
                    if ca_bundles(vpc, vm)
                    else None
                ),
                **(
                    dfdaemon_context(ctx, vm.seed_peer, "seed_peer", ())
                    if ctx.spec.rust_client
                    else {}
                ),
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
