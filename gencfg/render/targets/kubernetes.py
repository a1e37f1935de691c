"""Kubernetes node groups: ``<vpc>/kubernetes/<group>/{namespace,configmap,daemonset}.yaml``.

The group's peer config (dfget.yaml, or the Rust client's dfdaemon.yaml) is rendered
and validated like a peer VM's, then embedded in the ConfigMap (and its digest in the
DaemonSet's pod template).
"""

from __future__ import annotations

from gencfg.inventory.model import NodeGroup, Vpc
from gencfg.render.output import OutputFile
from gencfg.render.targets.base import PlanContext, common, dfdaemon_context
from gencfg.render.targets.peers import SSL_CERT_DIR, peer_dfget, read_only_files, registry_cas


def _group_files(ctx: PlanContext, vpc: Vpc, group: NodeGroup) -> list[OutputFile]:
    base = f"{vpc.name}/kubernetes/{group.name}"
    name = f"dfdaemon-{group.name}"
    selector = {"app.kubernetes.io/name": "dfdaemon", "app.kubernetes.io/instance": group.name}
    labels = {
        **selector,
        "app.kubernetes.io/component": "peer",
        "app.kubernetes.io/part-of": "dragonfly",
        "app.kubernetes.io/version": ctx.model.version,
        "app.kubernetes.io/managed-by": "gencfg",
        "gencfg.io/deployment": ctx.model.name,
    }
    dfget_path = f"{base}/{ctx.spec.peer_config}"
    embed = ctx.spec.peer_config.removesuffix(".yaml")
    context = {
        **common(ctx.model),
        "vpc": vpc,
        "group": group,
        "name": name,
        "labels": labels,
        "selector": selector,
    }

    def manifest(kind: str, template: str, **extra: object) -> OutputFile:
        return OutputFile(
            path=f"{base}/{template.removesuffix('.j2')}",
            kind=kind,
            template=ctx.template(f"kubernetes/{template}"),
            context={**context, **extra},
            fmt="yaml",
            source=group.path,
            restart="kubectl-apply",
            embeds=((embed, dfget_path),) if kind != "k8s-namespace" else (),
        )

    return [
        peer_dfget(ctx, vpc, group, dfget_path, intermediate=True),
        manifest(
            "k8s-namespace",
            "namespace.yaml.j2",
            labels={
                "app.kubernetes.io/managed-by": "gencfg",
                "gencfg.io/deployment": ctx.model.name,
            },
        ),
        manifest("k8s-configmap", "configmap.yaml.j2"),
        manifest(
            "k8s-daemonset",
            "daemonset.yaml.j2",
            **dfdaemon_context(ctx, group.peer, "peer", group.overrides.get("peer", ())),
            resources={
                "requests": group.peer.resources.requests,
                "limits": group.peer.resources.limits,
            },
            max_unavailable=ctx.model.rollout.batch_size,
            ro_files=read_only_files(vpc, group),
            registry_cas=registry_cas(vpc),
            ssl_cert_dir=SSL_CERT_DIR,
        ),
    ]


def plan(ctx: PlanContext) -> list[OutputFile]:
    """Manifests of every node group."""
    return [
        f
        for vpc in ctx.model.vpcs
        for group in vpc.node_groups
        for f in _group_files(ctx, vpc, group)
    ]
