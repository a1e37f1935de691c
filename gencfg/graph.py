"""A Mermaid diagram of the deployment's topology, to paste into a pull request."""

from __future__ import annotations

import re

from gencfg.inventory.model import Deployment, Vpc

_LABELS = {"manager": "manager", "scheduler": "scheduler", "seed_peer": "seed peer"}


def _id(*parts: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", "_".join(parts))


def _vpc(vpc: Vpc, lines: list[str], seed_label: str) -> None:
    v = _id(vpc.name)
    lines.append(
        f'  subgraph {v}["{vpc.name} · {vpc.cidr} · scheduler cluster {vpc.scheduler_cluster_id}"]'
    )
    lb = _id(v, "lb")
    public = f"<br/>public {vpc.lb.public_ip}" if vpc.lb.public_ip else ""
    lines.append(f'    {lb}[/"LB {vpc.lb.internal_ip}{public}"/]')
    db = _id(v, "db")
    lines.append(f'    {db}[("MySQL {vpc.mysql.host}<br/>Redis {", ".join(vpc.redis.addrs)}")]')
    for vm in vpc.control_plane:
        node = _id(v, "cp", vm.name)
        labels = {**_LABELS, "seed_peer": seed_label}
        roles = " · ".join(label for key, label in labels.items() if vm.runs(key))  # type: ignore[arg-type]
        lines.append(f'    {node}["{vm.name} {vm.ip}<br/>{roles}"]')
        lines.append(f"    {lb} --> {node}")
        lines.append(f"    {node} --> {db}")
    for group in vpc.node_groups:
        node = _id(v, "ng", group.name)
        count = f"{len(group.nodes)} listed nodes" if group.nodes else "DaemonSet"
        lines.append(
            f'    {node}{{{{"node group {group.name}<br/>{count} · {", ".join(group.runtimes)}"}}}}'
        )
        lines.append(f"    {node} -- manager --> {lb}")
    for pvm in vpc.peer_vms:
        node = _id(v, "vm", pvm.name)
        lines.append(
            f'    {node}["{pvm.name} {pvm.ip}<br/>peer ({pvm.engine}) · {", ".join(pvm.runtimes)}"]'
        )
        lines.append(f"    {node} -- manager --> {lb}")
    lines.append("  end")
    for registry in vpc.registries:
        lines.append(f"  {v} -. pulls .-> {_id('reg', registry.host)}")


def mermaid(model: Deployment) -> str:
    """The topology as a Mermaid flowchart (one subgraph per VPC: peers stay inside it)."""
    lines = ["flowchart LR"]
    seed_label = model.line.seed_label
    registries = sorted({(r.host, r.upstream) for vpc in model.vpcs for r in vpc.registries})
    for host, upstream in registries:
        lines.append(f'  {_id("reg", host)}(("{host}<br/>{upstream}"))')
    for vpc in model.vpcs:
        _vpc(vpc, lines, seed_label)
    return "\n".join(lines) + "\n"
