"""Peer VMs: ``<vpc>/peers/<vm>/<peer config>`` and ``docker-compose.yaml``.

The peer config is ``dfget.yaml`` on v2.1 and ``dfdaemon.yaml`` on the current line.
Also the peer config's context shared with the Kubernetes node groups.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from gencfg.dragonfly import nydus
from gencfg.inventory.model import NodeGroup, PeerVm, ProxyRule, Vpc
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

# Docker Hub as Docker itself dials it: the API host and the CDN its blobs redirect to.
DOCKER_HUB_HOSTS = ("registry-1.docker.io", "index.docker.io", "production.cloudflare.docker.com")


def upstream_host(url: str) -> str:
    """``https://harbor.example:8443/v2`` -> ``harbor.example:8443``."""
    return url.split("://", 1)[-1].split("/", 1)[0]


def hijack(vpc: Vpc, owner: NodeGroup | PeerVm) -> dict[str, Any] | None:
    """proxy.hijackHTTPS for hosts whose Docker pulls through the proxy (proxy mode).

    Docker sends CONNECT <registry>:443; only hijacked hosts reach the proxy rules,
    anything else is tunnelled untouched (and not accelerated).
    """
    ca = vpc.runtimes.docker_hijack_ca
    if "docker" not in owner.runtimes or ca is None:
        return None
    hosts = []
    for registry in vpc.registries:
        names = (
            DOCKER_HUB_HOSTS
            if registry.host == "docker.io"
            else (upstream_host(registry.upstream),)
        )
        for host in names:
            regx = f"^{re.escape(host)}" + ("$" if ":" in host else "(:443)?$")
            # Per host: the one place v2.1 can skip verification for one registry only.
            hosts.append(
                {"regx": regx, "certs": list(registry.ca), "insecure": registry.skip_verify}
            )
    return {"cert": ca.cert, "key": ca.key, "hosts": hosts}


def nydus_proxy_mode(vpc: Vpc, owner: NodeGroup | PeerVm) -> bool:
    """Whether the owner's nydusd reaches the proxy as an HTTP proxy (nydus v2.3.5+)."""
    version = vpc.runtimes.nydus_version
    return "nydus" in owner.runtimes and version is not None and nydus.family(version) == "proxy"


def proxy_rules(vpc: Vpc, owner: NodeGroup | PeerVm, *, rust: bool = False) -> list[ProxyRule]:
    """The proxy rules of a peer; adapted when its nydusd reaches it in proxy mode.

    With nydus v2.3.5+ (or v2.1.0) nydusd uses the proxy as an HTTP proxy with
    use_http, so blob URLs arrive as http://<registry>/...: the rules must fetch the
    origin over https (useHTTPS; the Rust client's useTLS), and on v2.1 everything else
    (token requests) goes straight to the origin over https. The Rust client has no
    direct rules: what matches no rule is forwarded as it came.
    """
    rules = list(owner.peer.proxy_rules)
    if not nydus_proxy_mode(vpc, owner):
        return rules
    adapted = [
        dataclasses.replace(r, use_https=True) if not (r.direct or r.redirect) else r for r in rules
    ]
    return adapted if rust else [*adapted, ProxyRule(regx=".*", use_https=True, direct=True)]


# Where the Go dfdaemon's container sees the registries' private CAs. They are added to
# the system roots (SSL_CERT_DIR), never given as proxy.registryMirror.certs: in v2.1
# that list *replaces* the roots for every registry behind the mirror
# (client/config/peerhost.go, RegistryMirror.TLSConfig), so Docker Hub and ghcr.io
# would fail TLS as soon as one registry has a private CA.
REGISTRY_CA_DIR = "/etc/dragonfly-registry-ca"
SSL_CERT_DIR = f"/etc/ssl/certs:{REGISTRY_CA_DIR}"


def registry_cas(vpc: Vpc) -> list[dict[str, str]]:
    """The VPC's registry CA files: ``{"host": path on the host, "path": in the container}``."""
    files = sorted({path for registry in vpc.registries for path in registry.ca})
    return [
        {"host": path, "path": f"{REGISTRY_CA_DIR}/{i}-{path.rsplit('/', 1)[-1]}"}
        for i, path in enumerate(files, 1)
    ]


def mirror_insecure(vpc: Vpc) -> bool:
    """v2.1 ``proxy.registryMirror.insecure``: only when *every* registry skips verification.

    The dynamic mirror has one TLS config for every registry it serves
    (client/config/peerhost.go RegistryMirror.TLSConfig at v2.1.28), so one registry's
    ``skip_verify`` would turn verification off for all of them (the ``registries``
    check warns, GC515).
    """
    return bool(vpc.registries) and all(r.skip_verify for r in vpc.registries)


def read_only_files(vpc: Vpc, owner: NodeGroup | PeerVm) -> list[str]:
    """Host files the dfdaemon container sees at their own path: the hijack CA."""
    ca = hijack(vpc, owner)
    return sorted({ca["cert"], ca["key"]}) if ca else []


# nerdctl compose ignores services.*.healthcheck and deploy.resources.reservations
# (its docs/compose.md, "Unimplemented YAML fields"): a file that says more than the
# engine does would mislead its reader. The playbook checks the peer's health itself.
ENGINE_HONOURS_HEALTHCHECK = frozenset({"docker"})
ENGINE_HONOURS_RESERVATIONS = frozenset({"docker"})


def engine_resources(vm: PeerVm) -> dict[str, Any]:
    """The compose ``deploy.resources`` the VM's compose engine applies."""
    resources = compose_resources(vm.peer)
    if vm.engine not in ENGINE_HONOURS_RESERVATIONS:
        resources.pop("reservations", None)
    return resources


def peer_dfget(
    ctx: PlanContext, vpc: Vpc, owner: NodeGroup | PeerVm, path: str, **fields: Any
) -> OutputFile:
    """The config of a peer VM or of a node group's pods (``fields``: dest, restart...)."""
    layers = owner.overrides.get("peer", ())
    rules = proxy_rules(vpc, owner, rust=True) if ctx.spec.rust_client else None
    context = dfdaemon_context(ctx, owner.peer, "peer", layers, rules)
    return OutputFile(
        path=path,
        kind="peer-config",
        template=ctx.template(f"peers/{ctx.spec.peer_config}.j2"),
        context={
            **common(ctx.model),
            **context,
            "vpc": vpc,
            "manager_addr": manager_addr(vpc),
            "manager_url": manager_url(vpc),
            "prefetch": "nydus" in owner.runtimes,
            "advertise_ip": owner.ip if isinstance(owner, PeerVm) else None,
            "proxy_rules": proxy_rules(vpc, owner),
            "hijack": hijack(vpc, owner),
            "mirror_insecure": mirror_insecure(vpc),
        },
        fmt="yaml",
        source=owner.path,
        owners=(owner.name,) if isinstance(owner, PeerVm) else (),
        schema=ctx.schema("peer"),
        overrides=layers,
        **fields,
    )


def _vm_files(ctx: PlanContext, vpc: Vpc, vm: PeerVm) -> list[OutputFile]:
    base = f"{vpc.name}/peers/{vm.name}"
    name = ctx.spec.peer_config
    dfget = peer_dfget(
        ctx,
        vpc,
        vm,
        f"{base}/{name}",
        dest=f"{vm.compose_dir}/config/{name}",
        restart="dfdaemon",
    )
    compose = OutputFile(
        path=f"{base}/docker-compose.yaml",
        kind="compose",
        template=ctx.template("peers/docker-compose.yaml.j2"),
        context={
            **common(ctx.model),
            **dfdaemon_context(ctx, vm.peer, "peer", vm.overrides.get("peer", ())),
            "resources": engine_resources(vm),
            "healthcheck": vm.engine in ENGINE_HONOURS_HEALTHCHECK,
            "logging": COMPOSE_LOGGING,
            "ro_files": read_only_files(vpc, vm),
            "registry_cas": registry_cas(vpc),
            "ssl_cert_dir": SSL_CERT_DIR,
        },
        fmt="yaml",
        source=vm.path,
        owners=(vm.name,),
        dest=f"{vm.compose_dir}/docker-compose.yaml",
        restart="compose",
        schema="compose-spec",
    )
    return [dfget, compose]


def plan(ctx: PlanContext) -> list[OutputFile]:
    """Files of every peer VM."""
    return [f for vpc in ctx.model.vpcs for vm in vpc.peer_vms for f in _vm_files(ctx, vpc, vm)]
