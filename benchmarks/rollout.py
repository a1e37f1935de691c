#!/usr/bin/env python3
"""How fast ``gencfg rollout`` pushes: a first rollout and a no-op on loopback SSH hosts.

    sudo python3 benchmarks/rollout.py                  # 20 peer VMs, the tree's ansible.cfg
    sudo python3 benchmarks/rollout.py --hosts 40 --forks 40
    sudo python3 benchmarks/rollout.py --baseline       # also without the tree's ansible.cfg

The rig is the SSH tests' (tests/test_rollout_ssh.py): OpenSSH's sshd listening on
127.0.0.2 (a control-plane VM) and 127.0.0.21.. (one address per peer VM; one sshd per
15 addresses, as sshd opens at most 16 listening sockets), the real
ansible-playbook, stand-ins for docker compose / systemctl (tests/support/standin.py)
and for the health endpoints (tests/support/health.py). Every host writes under its
own root. Needs root (sshd) and ansible-core + ansible-runner.

Measured per layer that pushes to the peer VMs (``peers``, ``runtimes``), first on fresh
hosts, then again with nothing to do (the no-op); then the ``peers`` layer after a
change every peer's config has (the peers' download rate limit: one file and one
restart per host, the common fleet-wide edit). ``gencfg rollout`` runs as a
subprocess: wall time around it, controller CPU time from ``os.wait4`` (gencfg,
ansible-playbook and its forks; the ssh ControlPersist masters detach and are not
counted, nor is the sshd side, which stands for the hosts). Seconds per host per layer =
wall time of the layer / hosts it ran on. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.support import inventories, runtimehost  # noqa: E402
from tests.support.ansible import host_vars  # noqa: E402
from tests.support.health import HealthServers  # noqa: E402
from tests.support.procs import free_port  # noqa: E402
from tests.support.sshd import SshServer, start_sshd  # noqa: E402

LAYERS = ("peers", "runtimes")
NOOP_TARGET = 1.5  # seconds per host per layer, no-op, 20 hosts (issue 16)
SECRETS = {"jwt_key": "bench-jwt", "mysql_password": "bench-mysql"}


def _inventory(
    vms: dict[str, str], ports: dict[str, int], ssh_port: int, rate: str = "2048Mi"
) -> dict[str, Any]:
    return inventories.inventory(
        deployment={
            "peer": {"total_rate_limit": rate},
            "rollout": {
                "ssh_port": ssh_port,
                "canary": 1,
                "batch_size": "100%",
                "health_timeout": "10s",
                "health_interval": "1s",
            },
            "overrides": {
                "manager": {"server": {"rest": {"addr": f":{ports['manager']}"}}},
                "scheduler": {"server": {"port": ports["scheduler"]}},
                "seed_peer": {"health": {"tcpListen": {"port": ports["seed"]}}},
                "peer": {"health": {"tcpListen": {"port": ports["peer"]}}},
            },
        },
        vpc={
            "peer_vms": [
                {"name": name, "ip": ip, "engine": "docker", "runtimes": ["containerd", "docker"]}
                for name, ip in vms.items()
            ],
            "registries": [{"host": "docker.io"}, {"host": "ghcr.io"}],
            "runtimes": {"docker": {"live_restore": True}},
        },
    )


def _sshds(work: Path, addresses: list[str]) -> tuple[SshServer, list[SshServer]]:
    """sshd on every address: OpenSSH listens on at most 16 sockets per process, so one
    sshd per 15 addresses, all on one port and sharing the host and client keys."""
    chunks = [addresses[i : i + 15] for i in range(0, len(addresses), 15)]
    first = start_sshd(work / "sshd-0", chunks[0], port=free_port(addresses[0]))
    more: list[SshServer] = []
    try:
        for n, chunk in enumerate(chunks[1:], start=1):
            workdir = work / f"sshd-{n}"
            workdir.mkdir()
            for key in ("ssh_host_ed25519_key", "id_ed25519"):
                for suffix in ("", ".pub"):
                    shutil.copy2(first.workdir / (key + suffix), workdir / (key + suffix))
            more.append(start_sshd(workdir, chunk, port=first.port))
    except BaseException:
        for server in more:
            server.daemon.stop()
        first.stop()
        raise
    return first, more


def _run(argv: list[str], env: dict[str, str], log: Path) -> tuple[int, float, float]:
    """(rc, wall seconds, CPU seconds of the process and its waited-for children)."""
    start = time.monotonic()
    with log.open("ab") as out:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, wall, usage.ru_utime + usage.ru_stime


def _measure(
    label: str,
    config: Path | None,
    *,
    work: Path,
    tree: Path,
    sshd: SshServer,
    vms: list[str],
    forks: int | None,
    change: Callable[[], None],
) -> dict[str, Any] | None:
    """First rollout then no-op of each layer on fresh hosts, then ``change`` (which
    re-renders the tree) and the peers layer again; None when one failed."""
    roots = work / f"hosts-{label}"
    for name in ["cp-1", *vms]:
        runtimehost.prepare(roots / name)  # what the runtimes layer's preflight checks
    extra = host_vars(roots, work, sshd)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env |= {f"GENCFG_SECRET_{k.upper()}": v for k, v in SECRETS.items()}
    env |= {
        "ANSIBLE_SSH_CONTROL_PATH_DIR": str(sshd.control_path_dir),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_DEPRECATION_WARNINGS": "False",
        "XDG_STATE_HOME": str(work / "state"),
        "XDG_CACHE_HOME": str(work / "cache"),
    }
    if config is not None:
        env["ANSIBLE_CONFIG"] = str(config)  # Ansible's defaults: no tree settings
        env["ANSIBLE_HOST_KEY_CHECKING"] = "False"
    argv = [sys.executable, "-m", "gencfg", "rollout", str(tree), "-e", json.dumps(extra)]
    argv += ["--forks", str(forks)] if forks else []
    figures: dict[str, Any] = {}
    runs = [("first", layer) for layer in LAYERS] + [("noop", layer) for layer in LAYERS]
    for run, layer in [*runs, ("change", "peers")]:
        if run == "change":
            change()
        sshd.close_control_masters()  # each layer pays its own connections
        rc, wall, cpu = _run([*argv, "--layer", layer], env, work / "rollout.log")
        if rc != 0:
            sys.stderr.write(f"{label} {run} {layer}: exit {rc}; see the log\n")
            sys.stderr.write((work / "rollout.log").read_text()[-3000:])
            return None
        row = {
            "seconds": round(wall, 2),
            "s_per_host": round(wall / len(vms), 3),
            "cpu_s_per_host": round(cpu / len(vms), 3),
        }
        figures[f"{run}/{layer}"] = row
        print(
            f"{label:8} {run:6} {layer:9} {wall:7.1f} s  "
            f"{row['s_per_host']:6.3f} s/host  {row['cpu_s_per_host']:6.3f} CPU-s/host",
            flush=True,
        )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--hosts", type=int, default=20, help="peer VMs (default 20)")
    parser.add_argument("--forks", type=int, help="gencfg rollout --forks (default: ansible.cfg)")
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="also measure with Ansible's defaults (an empty ANSIBLE_CONFIG)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    if not 1 <= args.hosts <= 234:
        parser.error("--hosts: 1..234 (one loopback address each)")
    work = Path(tempfile.mkdtemp(prefix="gencfg-bench-rollout-"))
    cp_ip = "127.0.0.2"
    # .10-.12 are the inventory's LB and databases (tests/support/inventories.py)
    vms = {f"vm-{i:03d}": f"127.0.0.{i + 20}" for i in range(1, args.hosts + 1)}
    try:
        sshd, more_sshds = _sshds(work, [cp_ip, *vms.values()])
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    ports = {name: free_port(cp_ip) for name in ("manager", "scheduler", "seed", "peer")}
    health = HealthServers(
        {(cp_ip, ports[p]): 200 for p in ("manager", "scheduler", "seed")}
        | {(ip, ports["peer"]): 200 for ip in vms.values()}
    ).start()
    results: dict[str, Any] = {}
    try:
        inv = inventories.write(work / "inventory", _inventory(vms, ports, sshd.port))
        tree = work / "rendered" / "bench"
        gencfg = [sys.executable, "-m", "gencfg"]
        subprocess.run([*gencfg, "render", str(inv), "--output", str(tree)], check=True)

        def change(rate: str = "1024Mi") -> None:
            inventories.write(inv, _inventory(vms, ports, sshd.port, rate))
            render = [*gencfg, "render", str(inv), "--output", str(tree)]
            subprocess.run(render, check=True, stdout=subprocess.DEVNULL)

        empty_cfg = work / "empty.cfg"
        empty_cfg.write_text("[defaults]\n")
        configs = {"tree": None} | ({"baseline": empty_cfg} if args.baseline else {})
        for label, config in configs.items():
            figures = _measure(
                label,
                config,
                work=work,
                tree=tree,
                sshd=sshd,
                vms=list(vms),
                forks=args.forks,
                change=change,
            )
            change("2048Mi")  # the next configuration starts from the first tree
            if figures is None:
                args.keep = True
                return 1
            results[label] = figures
    finally:
        health.stop()
        for server in more_sshds:
            server.daemon.stop()
        sshd.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            sys.stderr.write(f"work directory kept: {work}\n")
    noop = max(results["tree"][f"noop/{layer}"]["s_per_host"] for layer in LAYERS)
    summary = {
        "hosts": args.hosts,
        "forks": args.forks,
        "cpus": os.cpu_count(),
        "load_1min_at_end": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "results": results,
        "noop_s_per_host_per_layer": noop,
        "noop_target": NOOP_TARGET,
        "noop_target_met": noop <= NOOP_TARGET,
    }
    print(json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
