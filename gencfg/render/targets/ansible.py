"""The generated Ansible inventory: hosts, group variables and Ansible's settings.

``ansible/hosts.yaml``, ``ansible/group_vars/all.yaml`` and ``ansible/ansible.cfg`` (what
makes a rollout fast: pipelining, SSH ControlPersist, forks, no interpreter discovery;
``gencfg rollout`` points ANSIBLE_CONFIG at it).

Groups: ``gencfg_control_plane``, ``gencfg_peer_vms``, ``gencfg_k8s_nodes`` (by role),
``gencfg_containerd`` / ``gencfg_docker`` / ``gencfg_nydus`` (runtimes that pull through
Dragonfly), ``vpc_<name>`` (one per VPC, for ``--limit``) and an empty
``gencfg_decommission`` (hosts to take out of the fleet: never the tree's own). A VM's
own files are its host variable ``gencfg_files``; files shared by a VPC's hosts (runtime
configs) are the VPC group's ``gencfg_runtime_files``, so a node costs one line, not a
file list. Files a VM's play assembles from the VM's own content (the manager's preheat
CA bundle) are its ``gencfg_ca_bundles``, present only when there is one.
"""

from __future__ import annotations

from typing import Any

from gencfg.dragonfly import nydus, ports, releases
from gencfg.inventory.model import ControlPlaneVm, Deployment, PeerVm, Vpc
from gencfg.render.output import OutputFile
from gencfg.render.targets import control_plane, preheat, prepull
from gencfg.render.targets.base import PlanContext
from gencfg.units import parse_duration

RUNTIME_OF_KIND = {
    "containerd-hosts": "containerd",
    "docker-proxy": "docker",
    "nydusd-config": "nydus",
}


DECOMMISSION_GROUP = "gencfg_decommission"
"""Hosts the playbooks take out of the fleet (playbooks/decommission.yml)."""


# Objects gencfg created carry this label (value: the deployment's name); the
# Kubernetes layer deletes those of the deployment that the tree no longer names.
OWNER_LABEL = "gencfg.io/deployment"
DEFAULT_FORKS = 20
"""Hosts Ansible works on at once: Ansible's 5 leaves a 2-core controller idle, waiting on
SSH; 20 keeps it busy without running out of memory (gencfg rollout --forks N)."""
INTERPRETER = "/usr/bin/python3"
"""Fixed, not discovered: discovery costs a round trip per host and picked a shim."""
KRUISE_CRD = "imagelistpulljobs.apps.kruise.io"
# MANIFEST kind -> the resource kubectl lists and deletes (Namespaces are never deleted).
OBJECT_KIND = {
    "k8s-configmap": "configmap",
    "k8s-daemonset": "daemonset.apps",
    "k8s-imagelistpulljob": "imagelistpulljob.apps.kruise.io",
    prepull.SECRET_KIND: "secret",
}


def _objects(files: list[OutputFile], kind: str) -> list[dict[str, str]]:
    """The objects of one kind a layer applies by name: file, name and namespace."""
    return [
        {"file": f.path, "name": _object_name(f), "namespace": f.context["group"].namespace}
        for f in files
        if f.kind == kind
    ]


def _object_name(f: OutputFile) -> str:
    return str(f.context["name"])


def group_name(vpc: Vpc) -> str:
    """Ansible group of a VPC (group names take no '-')."""
    return "vpc_" + vpc.name.replace("-", "_")


def _health(ctx: PlanContext, host: ControlPlaneVm | PeerVm) -> list[dict[str, Any]]:
    """What the playbooks probe after a push, on the ports the host's configs use."""
    spec = ctx.spec

    def port(target: str, name: str) -> int:
        layers = host.overrides.get(target, ())  # type: ignore[call-overload]
        return ports.effective(ctx.ports(target), layers, metrics=False)[name]

    if isinstance(host, PeerVm):
        url = f"http://{host.ip}:{port('peer', 'health')}{spec.health_path}"
        return [{"service": "dfdaemon", "url": url}]
    checks: list[dict[str, Any]] = []
    if host.runs("manager"):
        checks.append(
            {"service": "manager", "url": f"http://{host.ip}:{port('manager', 'rest')}/healthy"}
        )
    if host.runs("scheduler"):
        checks.append({"service": "scheduler", "host": host.ip, "port": port("scheduler", "grpc")})
    if host.runs("seed_peer"):
        url = f"http://{host.ip}:{port('seed_peer', 'health')}{spec.health_path}"
        checks.append({"service": spec.seed_dir, "url": url})
    return checks


def _retired_dirs(ctx: PlanContext, vm: ControlPlaneVm) -> list[str]:
    """Host directories of the other line's seed that this VM's seed does not use.

    After a change of line (seed peer -> seed client, or back) the old seed's default
    cache, data and log directories hold nothing anything reads: the control-plane
    play removes them once the VM is healthy. A directory the inventory names for the
    current seed is never among them.
    """
    if not vm.runs("seed_peer"):
        return []
    other = next(ln for ln in releases.LINES if ln.name != ctx.line).seed_dir
    s = vm.seed_peer
    used = {s.cache_dir, s.data_dir, s.log_dir}
    candidates = [f"{vm.data_dir}/{other}", f"{vm.data_dir}/log/{other}"]
    return [d for d in candidates if not any(u == d or u.startswith(f"{d}/") for u in used)]


def _control_plane_vars(
    ctx: PlanContext, vpc: Vpc, vm: ControlPlaneVm, files: list[dict[str, Any]]
) -> dict[str, Any]:
    """A control-plane VM's host variables."""
    host: dict[str, Any] = {
        "ansible_host": vm.ip,
        "gencfg_vpc": vpc.name,
        "gencfg_compose_dir": vm.compose_dir,
        "gencfg_files": files,
        "gencfg_health": _health(ctx, vm),
        "gencfg_retired_dirs": _retired_dirs(ctx, vm),
    }
    bundles = control_plane.ca_bundles(vpc, vm)
    if bundles:
        host["gencfg_ca_bundles"] = bundles
    return host


def _entry(f: OutputFile) -> dict[str, Any]:
    return {"src": f.path, "dest": f.dest, "restart": f.restart}


def _requirements(vpc: Vpc) -> dict[str, Any]:
    """What the preflight checks on the VPC's runtime hosts before anything is pushed.

    Read by playbooks/library/gencfg_prereq.py: where each runtime must look for the
    files gencfg writes, and the releases the rendered formats were chosen for.
    """
    rt = vpc.runtimes
    out: dict[str, Any] = {}
    if vpc.peers_using("containerd"):
        out["containerd"] = {
            "certs_dir": rt.certs_dir,
            "registries": [r.host for r in vpc.registries],
            "version": rt.containerd_version,
        }
    if vpc.peers_using("docker") and rt.docker_hijack_ca is not None:
        # Docker verifies TLS (now the proxy's, signed by this CA) only for HTTPS registries.
        out["docker"] = {
            "hijack_ca": rt.docker_hijack_ca.cert,
            "registries": [r.host for r in vpc.registries if r.upstream.startswith("https://")],
        }
    if vpc.peers_using("nydus") and rt.nydus_version is not None:
        mirrors = nydus.family(rt.nydus_version) == "mirrors"
        out["nydus"] = {
            "version": rt.nydus_version,
            "config_path": rt.nydus_config_path,
            "mirrors_dir": rt.nydus_mirrors_dir if mirrors else None,
        }
    return out


def _hosts(ctx: PlanContext, files: list[OutputFile]) -> dict[str, Any]:
    own: dict[str, list[dict[str, Any]]] = {}
    shared: dict[str, list[dict[str, Any]]] = {}
    for f in files:
        if f.dest is None:
            continue
        runtime = RUNTIME_OF_KIND.get(f.kind)
        if runtime is not None:
            vpc_name = f.path.split("/", 1)[0]
            shared.setdefault(vpc_name, []).append({**_entry(f), "runtime": runtime})
        else:
            for owner in f.owners:
                own.setdefault(owner, []).append(_entry(f))
    roles: dict[str, dict[str, Any]] = {
        "gencfg_control_plane": {},
        "gencfg_peer_vms": {},
        "gencfg_k8s_nodes": {},
    }
    runtimes: dict[str, dict[str, Any]] = {
        "gencfg_containerd": {},
        "gencfg_docker": {},
        "gencfg_nydus": {},
    }
    vpcs: dict[str, Any] = {}
    for vpc in ctx.model.vpcs:
        members: dict[str, None] = {}
        for vm in vpc.control_plane:
            roles["gencfg_control_plane"][vm.name] = _control_plane_vars(
                ctx, vpc, vm, own.get(vm.name, [])
            )
            members[vm.name] = None
        for pvm in vpc.peer_vms:
            roles["gencfg_peer_vms"][pvm.name] = {
                "ansible_host": pvm.ip,
                "gencfg_vpc": vpc.name,
                "gencfg_compose_dir": pvm.compose_dir,
                "gencfg_engine": pvm.engine,
                "gencfg_files": own.get(pvm.name, []),
                "gencfg_health": _health(ctx, pvm),
            }
            members[pvm.name] = None
            for runtime in pvm.runtimes:
                runtimes[f"gencfg_{runtime}"][pvm.name] = None
        for group in vpc.node_groups:
            for node in group.nodes:
                roles["gencfg_k8s_nodes"][node.name] = {
                    "ansible_host": node.ip,
                    "gencfg_node_group": group.name,
                }
                members[node.name] = None
                for runtime in group.runtimes:
                    runtimes[f"gencfg_{runtime}"][node.name] = None
        vpcs[group_name(vpc)] = {
            "hosts": members,
            "vars": {
                "gencfg_vpc": vpc.name,
                "gencfg_runtime_files": shared.get(vpc.name, []),
                "gencfg_docker_live_restore": bool(vpc.runtimes.docker_live_restore),
                "gencfg_runtime_requirements": _requirements(vpc),
            },
        }
    children = {name: {"hosts": hosts} for name, hosts in {**roles, **runtimes}.items()}
    # Always empty here: `gencfg rollout` fills it from its record of removed hosts with an
    # inventory of its own (playbooks/decommission.yml); declared so the play's pattern
    # matches a group, and so its name is found where the others are.
    children[DECOMMISSION_GROUP] = {"hosts": {}}
    return {"all": {"children": {**children, **vpcs}}}


def _preheat(model: Deployment, files: list[OutputFile]) -> dict[str, Any]:
    """Where ``gencfg preheat`` submits each VPC's jobs (VPCs with preheat jobs only)."""
    jobs: dict[str, list[str]] = {}
    for f in files:
        if f.kind == preheat.KIND:
            jobs.setdefault(f.path.split("/", 1)[0], []).append(f.path)
    return {
        vpc.name: {
            "manager": preheat.manager_url(vpc),
            "token_secret": vpc.preheat.token.name if vpc.preheat.token else None,
            "timeout": int(parse_duration(vpc.preheat.timeout)),
            "interval": max(1, int(parse_duration(vpc.preheat.interval))),
            "jobs": sorted(jobs[vpc.name]),
            # Registry passwords the jobs carry as placeholders (args.password).
            "secrets": sorted(
                {
                    r.credentials.password.name
                    for r in vpc.registries
                    if r.credentials is not None and r.preheat
                }
            ),
        }
        for vpc in model.vpcs
        if vpc.name in jobs
    }


def _managers(ctx: PlanContext) -> dict[str, Any]:
    """Each VPC's manager REST URLs, for the preflight's check of upstream's defaults."""
    out: dict[str, Any] = {}
    for vpc in ctx.model.vpcs:
        urls = [
            c["url"].removesuffix("/healthy")
            for vm in vpc.control_plane
            for c in _health(ctx, vm)
            if c["service"] == "manager"
        ]
        if urls:
            # v2.1's /api/v1/jobs and /preheats take no credentials at all.
            out[vpc.name] = {"urls": urls, "open_job_api": not ctx.spec.rust_client}
    return out


def _variables(model: Deployment, files: list[OutputFile]) -> dict[str, Any]:
    policy = model.rollout
    by_vpc: dict[str, list[OutputFile]] = {}  # Kubernetes files by VPC, in one pass
    for f in files:
        if f.kind.startswith("k8s-"):
            by_vpc.setdefault(f.path.split("/", 1)[0], []).append(f)
    kubernetes = {}
    for vpc in model.vpcs:
        if not vpc.node_groups:
            continue
        mine = by_vpc.get(vpc.name, [])
        kubernetes[vpc.name] = {
            "kubeconfig": vpc.kubernetes.kubeconfig,
            "context": vpc.kubernetes.context,
            # kubectl applies files in the order given and does not reorder: the
            # Namespaces go first, in a call of their own.
            "namespaces": sorted(f.path for f in mine if f.kind == "k8s-namespace"),
            "manifests": sorted(
                f.path
                for f in mine
                if f.kind not in ("k8s-namespace", prepull.KIND, prepull.SECRET_KIND)
            ),
            # Pull Secrets hold password placeholders: only the preheat layer applies
            # them, filled in memory, before the jobs that name them.
            "pull_secrets": _objects(mine, prepull.SECRET_KIND),
            # Pre-pull jobs, one per image in inventory order: the preheat layer applies
            # them after preheat succeeded, one at a time (tasks/prepull.yml).
            "prepull": _objects(mine, prepull.KIND),
            "crds": sorted({KRUISE_CRD for f in mine if f.kind == prepull.KIND}),
            # What the tree names, so what the cluster holds beyond it can be deleted.
            "objects": sorted(
                f"{OBJECT_KIND[f.kind]}/{f.context['group'].namespace}/{_object_name(f)}"
                for f in mine
                if f.kind in OBJECT_KIND
            ),
            "selector": f"{OWNER_LABEL}={model.name}",
        }
    retry = {}
    if policy.retry is not None:  # absent: the playbooks fail fast
        retry["gencfg_retry"] = {
            "max_duration": int(parse_duration(policy.retry.max_duration)),
            "interval": int(parse_duration(policy.retry.interval)),
        }
    return {
        "gencfg_deployment": model.name,
        "gencfg_root": "/",
        "gencfg_serial": [policy.canary, policy.batch_size] if policy.canary else policy.batch_size,
        "gencfg_max_fail_percentage": policy.max_fail_percentage,
        "gencfg_health_timeout": int(parse_duration(policy.health_timeout)),
        "gencfg_health_interval": max(1, int(parse_duration(policy.health_interval))),
        **retry,
        "gencfg_restart_docker_without_live_restore": policy.restart_docker_without_live_restore,
        "gencfg_secret_names": sorted(model.secrets),
        "gencfg_kubernetes": kubernetes,
        "gencfg_preheat": _preheat(model, files),
        "ansible_user": policy.ssh_user,
        "ansible_port": policy.ssh_port,
        "ansible_become": policy.become,
    }


def plan(ctx: PlanContext, files: list[OutputFile]) -> list[OutputFile]:
    """The Ansible inventory of the planned ``files``."""
    source = ("deployment",)
    return [
        OutputFile(
            path="ansible/hosts.yaml",
            kind="ansible-inventory",
            template=ctx.template("ansible/hosts.yaml.j2"),
            context={"inventory": _hosts(ctx, files)},
            fmt="yaml",
            source=source,
        ),
        OutputFile(
            path="ansible/group_vars/all.yaml",
            kind="ansible-vars",
            template=ctx.template("ansible/group_vars/all.yaml.j2"),
            context={
                "variables": {**_variables(ctx.model, files), "gencfg_managers": _managers(ctx)}
            },
            fmt="yaml",
            source=source,
        ),
        OutputFile(
            path="ansible/ansible.cfg",
            kind="ansible-config",
            template=ctx.template("ansible/ansible.cfg.j2"),
            context={"forks": DEFAULT_FORKS, "interpreter_python": INTERPRETER},
            fmt="text",
            source=source,
        ),
    ]
