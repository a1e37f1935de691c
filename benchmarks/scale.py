#!/usr/bin/env python3
"""How gencfg scales: validate + render of a synthetic inventory on both Dragonfly lines,
a no-op render, a per-stage profile, and Ansible's template module as a baseline, all
measured on this machine in one run.

    python3 benchmarks/scale.py                    # 10,000 nodes (50 VPCs), v2.1 and v2.5
    python3 benchmarks/scale.py --nodes 100000     # 100,000 nodes in 500 VPCs
    python3 benchmarks/scale.py --nodes 2000 --line v2.5 --no-growth --no-ansible

Every gencfg command runs in a fresh subprocess (``python -m gencfg``), as CI runs
it; wall time is measured around the process, CPU time and peak RSS are the child's
own (``os.wait4``), so nothing of this script is counted. Each command runs
``--repeat`` times and the fastest run counts (other jobs share the machine). The last
line of output is one JSON object with every figure and whether each target is met
(see benchmarks/README.md for the targets).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import dataclasses
import json
import os
import platform
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


LINES = {"v2.1": "v2.1.28", "v2.5": "v2.5.1"}
"""The Dragonfly release each benchmarked line's inventory pins."""
LARGE = 100_000
"""From this many nodes the default shape is 500 VPCs (a fleet that size has many VPCs)."""


@dataclass(frozen=True)
class Shape:
    """Sizes of a synthetic inventory; node groups and peer VMs are totals."""

    vpcs: int
    node_groups: int
    nodes: int
    peer_vms: int
    registries: int
    line: str = "v2.1"


class Net:
    """Addresses of VPC ``v`` (1-based): a /16 each up to 250 VPCs, a /17 each beyond."""

    def __init__(self, v: int, vpcs: int) -> None:
        if vpcs <= 250:
            self.prefix, self.base, self.bits = f"10.{v}", 0, 16
        else:
            self.prefix, self.base, self.bits = f"10.{(v - 1) // 2}", (v - 1) % 2 * 128, 17
        self.rows = 256 - 4 if self.bits == 16 else 128 - 4
        """/24s available for Kubernetes nodes (from the fifth one)."""

    def ip(self, row: int, host: int) -> str:
        return f"{self.prefix}.{self.base + row}.{host}"

    @property
    def cidr(self) -> str:
        return f"{self.ip(0, 0)}/{self.bits}"


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


def _vpc(
    v: int, net: Net, groups: list[int], *, peer_vms: int, registries: int, line: str
) -> dict[str, Any]:
    """VPC number ``v`` (1-based): its groups hold ``groups[i]`` nodes each.

    On the current line (v2.5) there is no Docker: every peer VM is containerd via nerdctl.
    """
    name = f"vpc-{v:03d}"
    node_groups = []
    for g, size in enumerate(groups):
        # Up to 250 addresses per /24, from 10.v.4.0 upwards.
        first = sum(groups[:g])
        nodes = [
            {
                "name": f"n{v:03d}-{g:02d}-{i:05d}",
                "ip": net.ip(4 + (first + i) // 250, (first + i) % 250 + 1),
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
        docker = i % 2 == 1 and line == "v2.1"
        vms.append(
            {
                "name": f"pvm-{v:03d}-{i:03d}",
                "ip": net.ip(3, 11 + i),
                "engine": "docker" if docker else "nerdctl",
                "runtimes": ["docker"] if docker else ["containerd"],
            }
        )
    runtimes: dict[str, Any] = {"nydus": {"version": "v2.2.5"}}
    if peer_vms > 1 and line == "v2.1":
        runtimes["docker"] = {
            "live_restore": True,
            "no_proxy": ["localhost", "127.0.0.1", net.cidr],
            "hijack_ca": {
                "cert": "/etc/dragonfly-ca/cacert.pem",
                "key": "/etc/dragonfly-ca/cakey.pem",
            },
        }
    return {
        "name": name,
        "cidr": net.cidr,
        "scheduler_cluster_id": 1,
        "idc": "idc-1",
        "location": f"region|zone-{v % 3}",
        "lb": {"internal_ip": net.ip(0, 10)},
        "database": {
            "mysql": {
                "host": net.ip(0, 21),
                "user": "dragonfly",
                "password": {"secret": f"vpc_{v:03d}_mysql"},
            },
            "redis": {
                "addrs": [f"{net.ip(0, 22)}:6379"],
                "password": {"secret": f"vpc_{v:03d}_redis"},
            },
        },
        "control_plane": [
            {"name": f"cp-{v:03d}-1", "ip": net.ip(1, 11)},
            {"name": f"cp-{v:03d}-2", "ip": net.ip(1, 12)},
        ],
        "node_groups": node_groups,
        "peer_vms": vms,
        "registries": _registries(registries),
        "runtimes": runtimes,
    }


def generate(shape: Shape, root: Path) -> Path:
    """Write ``root/deployment.yaml`` and one ``root/vpcs/<vpc>.yaml`` per VPC."""
    if not 1 <= shape.vpcs <= 500:
        raise SystemExit("--vpcs must be 1..500 (a /16 or /17 of 10.0.0.0/8 per VPC)")
    if shape.node_groups < shape.vpcs:
        raise SystemExit("--node-groups must be at least --vpcs (one group per VPC)")
    secrets = {"jwt_key": {}}
    for v in range(1, shape.vpcs + 1):
        secrets |= {f"vpc_{v:03d}_mysql": {}, f"vpc_{v:03d}_redis": {}}
    deployment = {
        "deployment": {
            "name": "scale",
            "dragonfly": {"version": LINES[shape.line], "image_registry": "docker.io/dragonflyoss"},
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
        net = Net(v, shape.vpcs)
        if nodes_per_vpc[v - 1] > net.rows * 250:
            raise SystemExit(f"at most {net.rows * 250} nodes per VPC in this shape")
        groups = _spread(nodes_per_vpc[v - 1], groups_per_vpc[v - 1])
        vpc = _vpc(
            v,
            net,
            groups,
            peer_vms=vms_per_vpc[v - 1],
            registries=shape.registries,
            line=shape.line,
        )
        doc = {"vpcs": [vpc]}
        (root / "vpcs" / f"vpc-{v:03d}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    return root


# --- measuring ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """One child process: wall and CPU seconds, peak RSS in MiB, exit code and stderr.

    CPU is user + system time of the child and the workers it waited for.
    """

    seconds: float
    cpu: float
    rss_mib: float
    rc: int
    err: str


def run(argv: list[str], cwd: Path = REPO, env: dict[str, str] | None = None) -> Run:
    """Run ``argv`` in a fresh process; CPU time and peak RSS are that child's (os.wait4)."""
    with tempfile.TemporaryFile() as err_file:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err_file, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err_file.seek(0)
        err = err_file.read().decode(errors="replace")
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, cpu, usage.ru_maxrss / 1024, proc.returncode, err)


def checked(argv: list[str], **kwargs: Any) -> Run:
    result = run(argv, **kwargs)
    if result.rc != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({result.rc}):\n{result.err[-3000:]}")
    return result


def best(runs: list[Run]) -> Run:
    """The fastest run; peak RSS is the largest of all (it varies little, and only up)."""
    fastest = min(runs, key=lambda r: r.seconds)
    return Run(fastest.seconds, fastest.cpu, max(r.rss_mib for r in runs), 0, "")


def snapshot(tree: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime_ns) of every file of a tree: a rewritten file changes one of them."""
    return {
        p.relative_to(tree).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in tree.rglob("*")
        if p.is_file()
    }


@dataclass(frozen=True)
class GencfgFigures:
    line: str
    nodes: int
    vpcs: int
    files: int
    validate: Run
    render: Run
    noop: Run
    noop_files_written: int

    @property
    def validate_render_s(self) -> float:
        return self.validate.seconds + self.render.seconds

    @property
    def peak_rss_mib(self) -> float:
        return max(self.validate.rss_mib, self.render.rss_mib, self.noop.rss_mib)


def measure_gencfg(shape: Shape, work: Path, repeat: int) -> GencfgFigures:
    """Validate, render into an empty tree and render again (no-op), best of ``repeat``.

    Stamps go to a cache of this run's own (``XDG_CACHE_HOME``), so a render into a
    fresh tree is a full render and the user's cache is left alone.
    """
    inventory = generate(shape, work / "inventory")
    env = {**os.environ, "XDG_CACHE_HOME": str(work / "cache")}
    validate = best(
        [checked([*GENCFG, "validate", str(inventory)], env=env) for _ in range(repeat)]
    )
    renders = []
    for i in range(repeat):
        out = work / f"rendered-{i}" / "scale"
        renders.append(checked([*GENCFG, "render", str(inventory), "--output", str(out)], env=env))
    render = best(renders)
    before = snapshot(out)
    noops = [
        checked([*GENCFG, "render", str(inventory), "--output", str(out)], env=env)
        for _ in range(repeat)
    ]
    after = snapshot(out)
    written = sum(1 for rel, stamp in after.items() if before.get(rel) != stamp)
    written += len(set(before) - set(after))
    return GencfgFigures(
        line=shape.line,
        nodes=shape.nodes,
        vpcs=shape.vpcs,
        files=len(after),
        validate=validate,
        render=render,
        noop=best(noops),
        noop_files_written=written,
    )


# --- the per-stage profile ---------------------------------------------------------------

# Runs in a child process: wraps each stage's function with a timer, then renders once
# in a single process (forked workers would hide their share), into an empty tree.
PROFILE = """
import sys, time
from pathlib import Path
start = time.process_time()
import gencfg.inventory.validate as v, gencfg.render.build as b, gencfg.render.engine as e
import gencfg.render.overrides as o, gencfg.render.yamlout as y, gencfg.tree.manifest as m
import gencfg.cli.commands.render as r, gencfg.tree.stamp as st
spent = {"startup (imports)": time.process_time() - start}
def timed(module, name, stage):
    real = getattr(module, name)
    def wrapper(*args, **kwargs):
        t = time.process_time()
        try:
            return real(*args, **kwargs)
        finally:
            spent[stage] = spent.get(stage, 0.0) + time.process_time() - t
    setattr(module, name, wrapper)
for module, name, stage in [
    (v, "load_inventory", "load (YAML, positions)"), (v, "validate_schema", "inventory schema"),
    (v, "resolve", "resolve"), (v, "run_checks", "semantic checks"), (b, "plan", "plan"),
    (e, "_template", "Jinja"), (e, "_parse", "parse-back"), (o, "apply", "merge overrides"),
    (e, "_check", "output-schema validation"), (y, "dump", "YAML emit"),
    (m, "build", "MANIFEST"), (m, "dumps", "MANIFEST"), (st, "inputs_digest", "stamp"),
    (st, "record", "stamp"), (r, "write_tree", "write (atomic tree)"),
]:
    timed(module, name, stage)
e.PARALLEL_FROM = 1 << 62
rc = r.run(inventory=Path(sys.argv[1]), output=Path(sys.argv[2]), check=False, fmt="text",
           verbose=False)
total = time.process_time() - start
spent["other (header, JSON, TOML, plumbing)"] = total - sum(spent.values())
print(repr((total, spent, rc)))
"""


@dataclass(frozen=True)
class Profile:
    total_cpu_s: float
    stages: dict[str, float]


def profile_stages(work: Path, repeat: int) -> Profile:
    """CPU seconds per stage of one single-process render, the fastest of ``repeat``."""
    env = {**os.environ, "XDG_CACHE_HOME": str(work / "cache")}
    found: list[Profile] = []
    for i in range(repeat):
        out = work / f"profiled-{i}" / "scale"
        argv = [sys.executable, "-c", PROFILE, str(work / "inventory"), str(out)]
        proc = subprocess.run(argv, check=False, cwd=REPO, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"profile failed:\n{proc.stderr[-3000:]}")
        total, stages, rc = ast.literal_eval(proc.stdout.strip().splitlines()[-1])
        if rc != 0:
            raise SystemExit(f"profiled render exited {rc}")
        found.append(Profile(total, stages))
    return min(found, key=lambda p: p.total_cpu_s)


def profile_lines(profile: Profile, files: int) -> list[str]:
    out = [
        f"  per-stage profile (one process, CPU seconds, fastest run): "
        f"{profile.total_cpu_s:.2f} s, {profile.total_cpu_s / files * 1000:.3f} ms per file"
    ]
    for stage, seconds in sorted(profile.stages.items(), key=lambda kv: -kv[1]):
        share = seconds / profile.total_cpu_s * 100
        out.append(f"    {stage:<38} {seconds:6.3f} s {share:5.1f} %")
    return out


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


# --- targets and the report -------------------------------------------------------------

# (figure, limit) per shape; a figure meets its target when it is at most the limit.
TARGETS_10K = {"validate_s": 1.0, "render_s": 1.5, "noop_render_s": 0.3, "noop_files_written": 0}
TARGETS_100K = {
    "render_s": 15.0,
    "peak_rss_mib": 1024.0,
    "noop_render_s": 2.0,
    "noop_files_written": 0,
}
ANSIBLE_TARGET = 100.0
"""gencfg renders at least this many times faster per file than Ansible's template module."""

HELM_NOTE = (
    "not measured: no helm binary on this machine; a ratio against a stand-in written "
    "here would measure the stand-in, not helm"
)


def targets_for(shape: Shape) -> dict[str, float]:
    if shape.nodes >= LARGE and shape.vpcs >= 500:
        return TARGETS_100K
    if shape.nodes == 10_000 and shape.vpcs == 50:
        return TARGETS_10K
    return {}


def report_line(g: GencfgFigures) -> str:
    return (
        f"{g.line} {g.nodes:>6} nodes {g.vpcs:>3} VPCs {g.files:>5} files  "
        f"validate {g.validate.seconds:5.2f} s (CPU {g.validate.cpu:4.2f} s)  "
        f"render {g.render.seconds:5.2f} s "
        f"(CPU {g.render.cpu:5.2f} s)  peak RSS {g.peak_rss_mib:6.1f} MiB  "
        f"no-op render {g.noop.seconds:5.2f} s (CPU {g.noop.cpu:4.2f} s, "
        f"{g.noop_files_written} written)"
    )


def figures_json(g: GencfgFigures, limits: dict[str, float]) -> dict[str, Any]:
    values: dict[str, Any] = {
        "nodes": g.nodes,
        "vpcs": g.vpcs,
        "files": g.files,
        "validate_s": round(g.validate.seconds, 3),
        "validate_cpu_s": round(g.validate.cpu, 3),
        "render_s": round(g.render.seconds, 3),
        "render_cpu_s": round(g.render.cpu, 3),
        "validate_render_s": round(g.validate_render_s, 3),
        "peak_rss_mib": round(g.peak_rss_mib, 1),
        "noop_render_s": round(g.noop.seconds, 3),
        "noop_render_cpu_s": round(g.noop.cpu, 3),
        "noop_files_written": g.noop_files_written,
        "gencfg_per_file_s": round(g.render.seconds / g.files, 6),
    }
    values["targets"] = {
        name: {"limit": limit, "value": values[name], "met": values[name] <= limit}
        for name, limit in limits.items()
    }
    return values


def machine() -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError):
        for row in Path("/proc/cpuinfo").read_text().splitlines():
            if row.startswith("model name"):
                model = row.split(":", 1)[1].strip()
                break
    return {
        "nproc": os.cpu_count(),
        "cpu": model or platform.processor(),
        "python": platform.python_version(),
    }


def measure_line(
    shape: Shape, where: Path, args: argparse.Namespace
) -> tuple[Shape, GencfgFigures, Profile | None]:
    """One line's figures, printed as they come: main shape, profile, growth series."""
    print(f"shape: {shape}", flush=True)
    figures = measure_gencfg(shape, where / "main", args.repeat)
    print(report_line(figures), flush=True)
    found = None if args.no_profile else profile_stages(where / "main", args.repeat)
    if found is not None:
        print("\n".join(profile_lines(found, figures.files)), flush=True)
    if not args.no_growth:
        print("  growth (same shape, nodes varied):")
        for nodes in GROWTH:
            grown = (
                figures
                if nodes == shape.nodes
                else measure_gencfg(
                    dataclasses.replace(shape, nodes=nodes), where / f"growth-{nodes}", 1
                )
            )
            print("    " + report_line(grown), flush=True)
    return shape, figures, found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--nodes",
        type=int,
        default=10000,
        help=f"Kubernetes nodes in total (from {LARGE:,}: 500 VPCs, 1,000 groups, 1,000 VMs)",
    )
    parser.add_argument("--vpcs", type=int, help="default: 50, or 500 from 100,000 nodes")
    parser.add_argument("--node-groups", type=int, help="in total; default: 2 per VPC")
    parser.add_argument("--peer-vms", type=int, help="in total; default: 2 per VPC")
    parser.add_argument("--registries", type=int, default=10, help="per VPC")
    parser.add_argument(
        "--line", choices=[*LINES, "both"], default="both", help="Dragonfly line(s) to measure"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per command; the best counts")
    parser.add_argument("--no-growth", action="store_true", help="skip the 1k/5k/10k series")
    parser.add_argument("--no-ansible", action="store_true", help="skip the Ansible baseline")
    parser.add_argument("--no-profile", action="store_true", help="skip the per-stage profile")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--tmpdir",
        type=Path,
        help="where the inventories and trees go (default: the system's temporary "
        "directory; /dev/shm takes the disk out of the figures)",
    )
    args = parser.parse_args()
    vpcs = args.vpcs or (500 if args.nodes >= LARGE else 50)
    lines = list(LINES) if args.line == "both" else [args.line]
    shapes = [
        Shape(
            vpcs,
            args.node_groups or 2 * vpcs,
            args.nodes,
            args.peer_vms or 2 * vpcs,
            args.registries,
            line,
        )
        for line in lines
    ]

    work = Path(tempfile.mkdtemp(prefix="gencfg-scale-", dir=args.tmpdir))
    try:
        host = machine()
        print(
            f"machine: {host['nproc']} CPUs, {host['cpu']}, Python {host['python']}; "
            f"best of {args.repeat} runs per command (in {work})",
            flush=True,
        )
        measured = [measure_line(shape, work / shape.line, args) for shape in shapes]
        ansible = None if args.no_ansible else measure_ansible(work)
        if ansible is not None:
            print(
                f"ansible: {ansible.sample} templates in {ansible.sample_s:.2f} s, "
                f"{ansible.sample - ANSIBLE_BASE} more than {ANSIBLE_BASE} cost "
                f"{ansible.sample_s - ansible.base_s:.2f} s: {ansible.per_file_s * 1000:.1f} ms "
                f"per file; gencfg's per file is the whole render command (startup and "
                f"validation included) divided by its files"
            )
        print(f"helm template: {HELM_NOTE}")
        result: dict[str, Any] = {"machine": host, "repeat": args.repeat, "lines": {}}
        for shape, figures, found in measured:
            limits = dict(targets_for(shape))
            entry = figures_json(figures, limits)
            if ansible is not None:
                ratio = round(ansible.per_file_s / (figures.render.seconds / figures.files), 1)
                entry["ansible_ratio"] = ratio
                entry["targets"]["ansible_ratio"] = {
                    "limit": f">= {ANSIBLE_TARGET:g}",
                    "value": ratio,
                    "met": ratio >= ANSIBLE_TARGET,
                }
            if found is not None:
                entry["profile_cpu_s"] = {k: round(v, 3) for k, v in found.stages.items()}
            result["lines"][shape.line] = entry
        result["ansible_per_file_s"] = None if ansible is None else round(ansible.per_file_s, 6)
        result["helm_ratio"] = None
        result["helm_note"] = HELM_NOTE
        checked_targets = [t for e in result["lines"].values() for t in e["targets"].values()]
        result["all_targets_met"] = (
            all(t["met"] for t in checked_targets) if checked_targets else None
        )
        print(json.dumps(result, sort_keys=False))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
