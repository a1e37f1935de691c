"""Runtime integration files of a VPC, shared by all its hosts using that runtime.

``<vpc>/runtime/containerd/certs.d/<registry>/hosts.toml``, ``<vpc>/runtime/docker/
http-proxy.conf`` and ``<vpc>/runtime/nydus/nydusd-config.fusedev.json`` are rendered
once per VPC and mapped to their hosts in the MANIFEST: a VPC of 10,000 nodes is still
one file per registry to review.
"""

from __future__ import annotations

from gencfg.dragonfly import nydus, ports
from gencfg.inventory.model import RuntimeName, Vpc
from gencfg.render.output import OutputFile
from gencfg.render.targets.base import PlanContext


def owners(vpc: Vpc, runtime: RuntimeName) -> tuple[str, ...]:
    """Hosts of the VPC whose ``runtime`` pulls through Dragonfly."""
    names = [vm.name for vm in vpc.peer_vms if runtime in vm.runtimes]
    names += [n.name for g in vpc.node_groups if runtime in g.runtimes for n in g.nodes]
    return tuple(sorted(names))


def _peer_port(ctx: PlanContext, vpc: Vpc, name: str) -> int:
    """A port of the VPC's peers (runtime files are per VPC: one proxy port per VPC)."""
    peers = vpc.peers()
    layers = peers[0].overrides.get("peer", ()) if peers else ()
    return ports.effective(ctx.ports("peer"), layers, metrics=False)[name]


def proxy_url(ctx: PlanContext, vpc: Vpc) -> str:
    """The local peer's proxy the VPC's runtimes use (65001 on v2.1, 4001 on the client)."""
    return f"http://127.0.0.1:{_peer_port(ctx, vpc, 'proxy')}"


def ping_url(ctx: PlanContext, vpc: Vpc) -> str:
    """The local peer's health endpoint (HTTP 200 when up)."""
    return f"http://127.0.0.1:{_peer_port(ctx, vpc, 'health')}{ctx.spec.health_path}"


def _uses(vpc: Vpc, runtime: RuntimeName) -> bool:
    return bool(vpc.peers_using(runtime))


def _containerd(ctx: PlanContext, vpc: Vpc) -> list[OutputFile]:
    hosts = owners(vpc, "containerd")  # the same for every registry's file
    return [
        OutputFile(
            path=f"{vpc.name}/runtime/containerd/certs.d/{registry.host}/hosts.toml",
            kind="containerd-hosts",
            template=ctx.template("runtime/containerd/hosts.toml.j2"),
            context={
                "registry": registry,
                "proxy": proxy_url(ctx, vpc),
                "fallback": vpc.runtimes.fallback_to_origin,
            },
            fmt="toml",
            source=registry.path,
            owners=hosts,
            dest=f"{vpc.runtimes.certs_dir}/{registry.host}/hosts.toml",
            restart="none",
            schema="containerd/hosts",
        )
        for registry in vpc.registries
    ]


def _docker(ctx: PlanContext, vpc: Vpc) -> list[OutputFile]:
    no_proxy = vpc.runtimes.docker_no_proxy or ("localhost", "127.0.0.1")
    return [
        OutputFile(
            path=f"{vpc.name}/runtime/docker/http-proxy.conf",
            kind="docker-proxy",
            template=ctx.template("runtime/docker/http-proxy.conf.j2"),
            context={"proxy": proxy_url(ctx, vpc), "no_proxy": no_proxy},
            fmt="text",
            source=(*vpc.path, "runtimes", "docker"),
            owners=owners(vpc, "docker"),
            dest="/etc/systemd/system/docker.service.d/http-proxy.conf",
            restart="dockerd",
        )
    ]


def _nydus(ctx: PlanContext, vpc: Vpc) -> list[OutputFile]:
    version = vpc.runtimes.nydus_version
    assert version is not None  # the runtime-settings check requires it
    fam = nydus.family(version)
    hubs = [r.upstream for r in vpc.registries if r.host == "docker.io"]
    upstreams = hubs or [r.upstream for r in vpc.registries] or ["https://index.docker.io"]
    context = {
        "proxy": proxy_url(ctx, vpc),
        "ping_url": ping_url(ctx, vpc),
        "family": fam,
        "default_upstream": upstreams[0],
    }
    source = (*vpc.path, "runtimes", "nydus")
    hosts = owners(vpc, "nydus")
    files = [
        OutputFile(
            path=f"{vpc.name}/runtime/nydus/nydusd-config.fusedev.json",
            kind="nydusd-config",
            template=ctx.template("runtime/nydus/nydusd-config.fusedev.json.j2"),
            context=context,
            fmt="json",
            source=source,
            owners=hosts,
            dest=vpc.runtimes.nydus_config_path,
            restart="nydus-snapshotter",
            schema=f"nydus/nydusd-fusedev-{fam}",
        )
    ]
    if fam == "mirrors":
        files += [
            OutputFile(
                path=f"{vpc.name}/runtime/nydus/certs.d/{registry.host}/hosts.toml",
                kind="nydusd-config",
                template=ctx.template("runtime/nydus/hosts.toml.j2"),
                context={**context, "registry": registry},
                fmt="toml",
                source=registry.path,
                owners=hosts,
                dest=f"{vpc.runtimes.nydus_mirrors_dir}/{registry.host}/hosts.toml",
                restart="nydus-snapshotter",
                schema="nydus/mirrors-hosts",
            )
            for registry in vpc.registries
        ]
    return files


def plan(ctx: PlanContext) -> list[OutputFile]:
    """Runtime files of every VPC whose hosts use that runtime."""
    files: list[OutputFile] = []
    for vpc in ctx.model.vpcs:
        if _uses(vpc, "containerd"):
            files += _containerd(ctx, vpc)
        if _uses(vpc, "docker"):
            files += _docker(ctx, vpc)
        if _uses(vpc, "nydus"):
            files += _nydus(ctx, vpc)
    return files
