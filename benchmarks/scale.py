#!/usr/bin/env python3
"""How gencfg scales: validate + render of a synthetic inventory, a no-op render, and
Ansible's template module as a baseline, all measured on this machine in one run.

    python3 benchmarks/scale.py                    # 10,000 nodes (50 VPCs x 200 nodes)
    python3 benchmarks/scale.py --nodes 2000 --no-growth --no-ansible

Every gencfg command runs in a fresh subprocess (``python -m gencfg``), as CI runs
it; wall time is measured around the process and peak RSS is the child's own
(``os.wait4``), so nothing of this script is counted. The last line of output is one
JSON object with every figure (see benchmarks/README.md). Targets, on a 2-core
machine: validate + render of 10,000 nodes < 5 s and < 500 MiB, a no-op render < 1 s
that writes no file, rendering >= 100x faster per file than Ansible's template module.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
GENCFG = [sys.executable, "-m", "gencfg"]
ANSIBLE_SAMPLE = 50
"""Templates Ansible renders for the baseline (a loop over one template task)."""
ANSIBLE_BASE = 5
"""The small run subtracted from the sample run, to remove ansible-playbook's startup."""
GROWTH = (1000, 5000, 10000)
REGISTRY_HOSTS = ("docker.io", "ghcr.io", "quay.io", "registry.k8s.io", "nvcr.io")


# --- the synthetic inventory -------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """Sizes of a synthetic inventory; node groups and peer VMs are totals."""

    vpcs: int
    node_groups: int
    nodes: int
    peer_vms: int
    registries: int


def _spread(total: int, buckets: int) -> list[int]:
    """``total`` split over ``buckets`` as evenly as possible (earlier buckets get more)."""
    return [total // buckets + (1 if i < total % buckets else 0) for i in range(buckets)]


def _registries(count: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i in range(count):
        host = REGISTRY_HOSTS[i] if i < len(REGISTRY_HOSTS) else f"registry-{i}.example.internal"
        entry: dict[str, Any] = {"host": host}
        if host == "docker.io":
            entry["upstream"] = "https://index.docker.io"
        elif host.endswith(".internal"):
            entry["upstream"] = f"https://{host}"
        out.append(entry)
    return out


def _vpc(v: int, groups: list[int], peer_vms: int, registries: int) -> dict[str, Any]:
    """VPC number ``v`` (1-based): its groups hold ``groups[i]`` nodes each."""
    net = f"10.{v}"
    name = f"vpc-{v:03d}"
    node_groups = []
    for g, size in enumerate(groups):
        # Up to 250 addresses per /24, from 10.v.4.0 upwards.
        first = sum(groups[:g])
        nodes = [
            {
                "name": f"n{v:03d}-{g:02d}-{i:05d}",
                "ip": f"{net}.{4 + (first + i) // 250}.{(first + i) % 250 + 1}",
            }
            for i in range(size)
        ]
        group: dict[str, Any] = {
            "name": f"ng-{v:03d}-{g:02d}",
            "node_selector": {"example.com/pool": f"pool-{g}"},
            "runtimes": ["containerd", "nydus"] if g == 0 else ["containerd"],
            "nodes": nodes,
        }
        node_groups.append(group)
    vms = []
    for i in range(peer_vms):
        docker = i % 2 == 1
        vms.append(
            {
                "name": f"pvm-{v:03d}-{i:03d}",
                "ip": f"{net}.3.{11 + i}",
                "engine": "docker" if docker else "nerdctl",
                "runtimes": ["docker"] if docker else ["containerd"],
            }
        )
    runtimes: dict[str, Any] = {"nydus": {"version": "v2.2.5"}}
    if peer_vms > 1:
        runtimes["docker"] = {
            "live_restore": True,
            "no_proxy": ["localhost", "127.0.0.1", f"{net}.0.0/16"],
            "hijack_ca": {
                "cert": "/etc/dragonfly-ca/cacert.pem",
                "key": "/etc/dragonfly-ca/cakey.pem",
            },
        }
    return {
        "name": name,
        "cidr": f"{net}.0.0/16",
        "scheduler_cluster_id": 1,
        "idc": "idc-1",
        "location": f"region|zone-{v % 3}",
        "lb": {"internal_ip": f"{net}.0.10"},
        "database": {
            "mysql": {
                "host": f"{net}.0.21",
                "user": "dragonfly",
                "password": {"secret": f"vpc_{v:03d}_mysql"},
            },
            "redis": {"addrs": [f"{net}.0.22:6379"], "password": {"secret": f"vpc_{v:03d}_redis"}},
        },
        "control_plane": [
            {"name": f"cp-{v:03d}-1", "ip": f"{net}.1.11"},
            {"name": f"cp-{v:03d}-2", "ip": f"{net}.1.12"},
        ],
        "node_groups": node_groups,
        "peer_vms": vms,
        "registries": _registries(registries),
        "runtimes": runtimes,
    }


def generate(shape: Shape, root: Path) -> Path:
    """Write ``root/deployment.yaml`` and one ``root/vpcs/<vpc>.yaml`` per VPC."""
    if not 1 <= shape.vpcs <= 250:
        raise SystemExit("--vpcs must be 1..250 (one 10.<n>.0.0/16 per VPC)")
    if shape.node_groups < shape.vpcs:
        raise SystemExit("--node-groups must be at least --vpcs (one group per VPC)")
    secrets = {"jwt_key": {}}
    for v in range(1, shape.vpcs + 1):
        secrets |= {f"vpc_{v:03d}_mysql": {}, f"vpc_{v:03d}_redis": {}}
    deployment = {
        "deployment": {
            "name": "scale",
            "dragonfly": {"version": "v2.1.28", "image_registry": "docker.io/dragonflyoss"},
            "jwt_key": {"secret": "jwt_key"},
            "metrics": True,
            "kubernetes": {"namespace": "dragonfly-system"},
            "rollout": {"canary": 1, "batch_size": "10%", "max_fail_percentage": 0},
        },
        "secrets": secrets,
    }
    (root / "vpcs").mkdir(parents=True)
    (root / "deployment.yaml").write_text(yaml.safe_dump(deployment, sort_keys=False))
    groups_per_vpc = _spread(shape.node_groups, shape.vpcs)
    nodes_per_vpc = _spread(shape.nodes, shape.vpcs)
    vms_per_vpc = _spread(shape.peer_vms, shape.vpcs)
    for v in range(1, shape.vpcs + 1):
        groups = _spread(nodes_per_vpc[v - 1], groups_per_vpc[v - 1])
        doc = {"vpcs": [_vpc(v, groups, vms_per_vpc[v - 1], shape.registries)]}
        (root / "vpcs" / f"vpc-{v:03d}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    return root


# --- measuring ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """One child process: wall seconds, peak RSS in MiB, exit code and stderr."""

    seconds: float
    rss_mib: float
    rc: int
    err: str


def run(argv: list[str], cwd: Path = REPO, env: dict[str, str] | None = None) -> Run:
    """Run ``argv`` in a fresh process; peak RSS is that child's (os.wait4)."""
    with tempfile.TemporaryFile() as err_file:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err_file, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err_file.seek(0)
        err = err_file.read().decode(errors="replace")
    return Run(seconds, usage.ru_maxrss / 1024, proc.returncode, err)


def checked(argv: list[str], **kwargs: Any) -> Run:
    result = run(argv, **kwargs)
    if result.rc != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({result.rc}):\n{result.err[-3000:]}")
    return result


def snapshot(tree: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime_ns) of every file of a tree: a rewritten file changes one of them."""
    return {
        p.relative_to(tree).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in tree.rglob("*")
        if p.is_file()
    }


@dataclass(frozen=True)
class GencfgFigures:
    nodes: int
    files: int
    validate_s: float
    render_s: float
    peak_rss_mib: float
    noop_render_s: float
    noop_files_written: int

    @property
    def validate_render_s(self) -> float:
        return self.validate_s + self.render_s


def measure_gencfg(shape: Shape, work: Path) -> GencfgFigures:
    inventory = generate(shape, work / "inventory")
    out = work / "rendered" / "scale"
    validate = checked([*GENCFG, "validate", str(inventory)])
    render = checked([*GENCFG, "render", str(inventory), "--output", str(out)])
    before = snapshot(out)
    noop = checked([*GENCFG, "render", str(inventory), "--output", str(out)])
    after = snapshot(out)
    written = sum(1 for rel, stamp in after.items() if before.get(rel) != stamp)
    written += len(set(before) - set(after))
    return GencfgFigures(
        nodes=shape.nodes,
        files=len(after),
        validate_s=validate.seconds,
        render_s=render.seconds,
        peak_rss_mib=max(validate.rss_mib, render.rss_mib),
        noop_render_s=noop.seconds,
        noop_files_written=written,
    )


# --- the Ansible baseline ----------------------------------------------------------------

# A dfget.yaml much like templates/v2.1/peers/dfget.yaml.j2 renders (same size and
# structure), written as a plain Jinja template as an Ansible role would have it.
DFGET_TEMPLATE = """\
# {{ ansible_managed }}
aliveTime: 0s
gcInterval: 1m0s
keepStorage: true
cacheDir: /var/cache/dragonfly
dataDir: /var/lib/dragonfly
logDir: /var/log/dragonfly
console: false
verbose: false
pprof-port: -1
metrics: ":8000"
host:
  idc: {{ peer.idc }}
  location: "{{ peer.location }}"
  advertiseIP: {{ peer.ip }}
scheduler:
  manager:
    enable: true
    netAddrs:
{% for addr in peer.managers %}
      - type: tcp
        addr: {{ addr }}:65003
{% endfor %}
    refreshInterval: 10m
    seedPeer:
      enable: false
  scheduleTimeout: 30s
download:
  calculateDigest: true
  totalRateLimit: {{ peer.total_rate_limit }}
  perPeerRateLimit: {{ peer.per_peer_rate_limit }}
  peerGRPC:
    security:
      insecure: true
    tcpListen:
      port: 65000
upload:
  rateLimit: {{ peer.upload_rate_limit }}
  tcpListen:
    port: 65002
storage:
  taskExpireTime: 6h
  strategy: io.d7y.storage.v2.simple
  multiplex: true
health:
  path: /server/ping
  tcpListen:
    port: 40901
proxy:
  defaultFilter: "Expires&Signature&ns"
  tcpListen:
    listen: 127.0.0.1
    port: 65001
  registryMirror:
    dynamic: true
    url: {{ peer.registry }}
  proxies:
{% for rule in peer.proxy_rules %}
    - regx: "{{ rule }}"
{% endfor %}
"""

PLAYBOOK = """\
- name: Render dfget.yaml files with the template module
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    peer:
      idc: idc-1
      location: region|zone-1
      ip: 10.1.3.11
      managers: [10.1.0.10]
      total_rate_limit: 2048Mi
      per_peer_rate_limit: 1024Mi
      upload_rate_limit: 2048Mi
      registry: https://index.docker.io
      proxy_rules: ["blobs/sha256.*", "oss-cn-.*\\\\.aliyuncs\\\\.com"]
  tasks:
    - name: Render one dfget.yaml per item
      ansible.builtin.template:
        src: dfget.yaml.j2
        dest: "{{ out }}/{{ item }}.yaml"
        mode: "0644"
      loop: "{{ range(count | int) | list }}"
"""


@dataclass(frozen=True)
class AnsibleFigures:
    sample: int
    sample_s: float
    base_s: float

    @property
    def per_file_s(self) -> float:
        """Marginal cost of one more file (ansible-playbook's startup excluded)."""
        return (self.sample_s - self.base_s) / (self.sample - ANSIBLE_BASE)


def measure_ansible(work: Path) -> AnsibleFigures | None:
    playbook_cmd = shutil.which("ansible-playbook")
    if playbook_cmd is None:
        return None
    root = work / "ansible"
    root.mkdir()
    (root / "dfget.yaml.j2").write_text(DFGET_TEMPLATE)
    (root / "render.yml").write_text(PLAYBOOK)
    env = {
        **os.environ,
        "ANSIBLE_LOCALHOST_WARNING": "false",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
        "ANSIBLE_HOME": str(root / ".ansible"),
        "ANSIBLE_LOCAL_TEMP": str(root / ".ansible" / "tmp"),
    }

    def playbook(count: int) -> float:
        out = root / f"out-{count}"
        out.mkdir()
        extra = f"out={out} count={count} ansible_python_interpreter={sys.executable}"
        argv = [playbook_cmd, "-i", "localhost,", "render.yml", "-e", extra]
        result = checked(argv, cwd=root, env=env)
        assert len(list(out.iterdir())) == count
        return result.seconds

    playbook(1)  # warm the filesystem cache and Ansible's own caches
    return AnsibleFigures(ANSIBLE_SAMPLE, playbook(ANSIBLE_SAMPLE), playbook(ANSIBLE_BASE))


# --- the report --------------------------------------------------------------------------


def report_line(g: GencfgFigures) -> str:
    return (
        f"{g.nodes:>6} nodes {g.files:>5} files  validate {g.validate_s:5.2f} s  "
        f"render {g.render_s:5.2f} s  validate+render {g.validate_render_s:5.2f} s  "
        f"peak RSS {g.peak_rss_mib:6.1f} MiB  no-op render {g.noop_render_s:5.2f} s "
        f"({g.noop_files_written} written)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vpcs", type=int, default=50)
    parser.add_argument("--node-groups", type=int, default=100, help="in total")
    parser.add_argument("--nodes", type=int, default=10000, help="Kubernetes nodes in total")
    parser.add_argument("--peer-vms", type=int, default=100, help="in total")
    parser.add_argument("--registries", type=int, default=10, help="per VPC")
    parser.add_argument("--no-growth", action="store_true", help="skip the 1k/5k/10k series")
    parser.add_argument("--no-ansible", action="store_true", help="skip the Ansible baseline")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--tmpdir",
        type=Path,
        help="where the inventories and trees go (default: the system's temporary "
        "directory; /dev/shm takes the disk out of the figures)",
    )
    args = parser.parse_args()
    shape = Shape(args.vpcs, args.node_groups, args.nodes, args.peer_vms, args.registries)

    work = Path(tempfile.mkdtemp(prefix="gencfg-scale-", dir=args.tmpdir))
    try:
        print(f"shape: {shape} (in {work})", flush=True)
        main_figures = measure_gencfg(shape, work / "main")
        print(report_line(main_figures), flush=True)
        if not args.no_growth:
            print("growth (same shape, nodes varied):")
            for nodes in GROWTH:
                figures = (
                    main_figures
                    if nodes == shape.nodes
                    else measure_gencfg(
                        Shape(
                            shape.vpcs, shape.node_groups, nodes, shape.peer_vms, shape.registries
                        ),
                        work / f"growth-{nodes}",
                    )
                )
                print("  " + report_line(figures), flush=True)
        ansible = None if args.no_ansible else measure_ansible(work)
        gencfg_per_file = main_figures.render_s / main_figures.files
        result: dict[str, Any] = {
            "nodes": main_figures.nodes,
            "files": main_figures.files,
            "validate_s": round(main_figures.validate_s, 3),
            "render_s": round(main_figures.render_s, 3),
            "validate_render_s": round(main_figures.validate_render_s, 3),
            "peak_rss_mib": round(main_figures.peak_rss_mib, 1),
            "noop_render_s": round(main_figures.noop_render_s, 3),
            "noop_files_written": main_figures.noop_files_written,
            "gencfg_per_file_s": round(gencfg_per_file, 6),
            "ansible_per_file_s": None,
            "ansible_ratio": None,
        }
        if ansible is not None:
            print(
                f"ansible: {ansible.sample} templates in {ansible.sample_s:.2f} s, "
                f"{ansible.sample - ANSIBLE_BASE} more than {ANSIBLE_BASE} cost "
                f"{ansible.sample_s - ansible.base_s:.2f} s: {ansible.per_file_s * 1000:.1f} ms "
                f"per file; gencfg {gencfg_per_file * 1000:.3f} ms per file (whole render "
                f"command, startup and validation included)"
            )
            result["ansible_per_file_s"] = round(ansible.per_file_s, 6)
            result["ansible_ratio"] = round(ansible.per_file_s / gencfg_per_file, 1)
        print(json.dumps(result, sort_keys=False))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
