"""Rollouts converge: interrupted restarts, unreachable hosts, rollback, the CLI.

One story over real SSH (sshd on 127.0.0.2-6, the real ansible-playbook), in order:
run it in one process (pytest-xdist: --dist loadfile). Stand-ins as in
tests/test_rollout_ssh.py; the compose/systemctl stand-in records what each service
was started with, so a host running stale config is visible.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from gencfg.cli import main
from tests.conftest import REPO
from tests.support import inventories, runtimehost
from tests.support.ansible import PlaybookResult, ansible_env, host_vars, run_playbook_cli
from tests.support.health import HealthServers
from tests.support.procs import free_port, wait_until
from tests.support.sshd import SshServer, start_sshd

pytestmark = pytest.mark.slow

PLAYBOOKS = REPO / "playbooks"
VMS = {f"vm-{i}": f"127.0.0.{i + 2}" for i in range(1, 5)}
HOSTS = {"cp-1": "127.0.0.2", **VMS}
SECRETS = {"jwt_key": "jwt-K3y-planted-by-tests", "mysql_password": "p4ss-planted-by-tests"}
PEER_CONFIG = "/opt/dragonfly/config/dfget.yaml"


class Rig:
    def __init__(self, work: Path, sshd: SshServer) -> None:
        self.work, self.sshd = work, sshd
        self.roots = work / "hosts"
        self.ports = {n: free_port("127.0.0.2") for n in ("manager", "scheduler", "seed", "peer")}
        cp = HOSTS["cp-1"]
        self.health = HealthServers(
            {(cp, self.ports[p]): 200 for p in ("manager", "scheduler", "seed")}
            | {(ip, self.ports["peer"]): 200 for ip in VMS.values()}
        ).start()
        self.vpc: dict[str, Any] = {}
        self.rollout: dict[str, Any] = {}
        self.peer: dict[str, Any] = {}
        self.down: list[str] = []
        for host in HOSTS:
            runtimehost.prepare(self.roots / host)

    def inventory(self) -> dict[str, Any]:
        vms = [
            {"name": n, "ip": ip, "engine": "docker", "runtimes": ["containerd", "docker"]}
            for n, ip in VMS.items()
        ]
        return inventories.inventory(
            deployment={
                "rollout": {
                    "ssh_port": self.sshd.port,
                    "canary": 1,
                    "batch_size": 2,
                    "health_timeout": "3s",
                    "health_interval": "1s",
                    **self.rollout,
                },
                "overrides": {
                    "manager": {"server": {"rest": {"addr": f":{self.ports['manager']}"}}},
                    "scheduler": {"server": {"port": self.ports["scheduler"]}},
                    "seed_peer": {"health": {"tcpListen": {"port": self.ports["seed"]}}},
                    "peer": {"health": {"tcpListen": {"port": self.ports["peer"]}}, **self.peer},
                },
            },
            vpc={
                "control_plane": [{"name": "cp-1", "ip": HOSTS["cp-1"]}],
                "peer_vms": vms,
                "registries": [{"host": "docker.io"}, {"host": "ghcr.io"}],
                "runtimes": {"docker": {"live_restore": True}},
                **self.vpc,
            },
        )

    @property
    def tree(self) -> Path:
        return self.work / "rendered" / "e2e"

    def render(self) -> None:
        inv = inventories.write(self.work / "inventory", self.inventory())
        assert main(["render", str(inv), "--output", str(self.tree)]) == 0

    def extra_vars(self) -> dict[str, Any]:
        down = json.dumps(self.down)
        return {
            **host_vars(self.roots, self.work, self.sshd),
            # A host in `down` is unreachable: nothing listens on port 1.
            "ansible_port": f"{{{{ 1 if inventory_hostname in {down} else {self.sshd.port} }}}}",
        }

    def env(self) -> dict[str, str]:
        env = ansible_env(control_path_dir=self.sshd.control_path_dir)
        env.update({f"GENCFG_SECRET_{k.upper()}": v for k, v in SECRETS.items()})
        return env

    def run(self, playbook: str, *args: str) -> PlaybookResult:
        old = dict(os.environ)
        os.environ.update({f"GENCFG_SECRET_{k.upper()}": v for k, v in SECRETS.items()})
        try:
            return run_playbook_cli(
                PLAYBOOKS / playbook,
                self.tree / "ansible",
                self.extra_vars(),
                control_path_dir=self.sshd.control_path_dir,
                args=list(args),
            )
        finally:
            os.environ.clear()
            os.environ.update(old)

    def playbook_cmd(self, playbook: str, *args: str) -> list[str]:
        exe = str(Path(sys.executable).parent / "ansible-playbook")
        return [exe, "-i", str(self.tree / "ansible"), str(PLAYBOOKS / playbook), *args,
                "-e", json.dumps(self.extra_vars())]  # fmt: skip

    def lose_controller(
        self, host: str, until: Callable[[list[list[str]]], bool], hang: str = ""
    ) -> None:
        """Run peers.yml on ``host`` with the stand-in's starts hanging (only ``hang``'s,
        if named) and kill the controller once the host's calls satisfy ``until``."""
        block = self.host_file(host, "/standin.block")
        block.write_text(hang)
        self.host_file(host, "/calls.log").unlink(missing_ok=True)
        proc = subprocess.Popen(
            self.playbook_cmd("peers.yml", "--limit", host),
            env=self.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        try:
            wait_until(lambda: until(self.calls(host)), 120)
            os.killpg(proc.pid, signal.SIGKILL)  # a lost controller
            proc.wait()
        finally:
            block.unlink()

    def host_file(self, host: str, path: str) -> Path:
        return self.roots / host / path.lstrip("/")

    def calls(self, host: str) -> list[list[str]]:
        log = self.roots / host / "calls.log"
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    def running(self, host: str) -> dict[str, dict[str, str]]:
        state = self.roots / host / "calls.running"
        return json.loads(state.read_text()) if state.exists() else {}

    def on_disk(self, host: str, path: str) -> str:
        return hashlib.sha256(self.host_file(host, path).read_bytes()).hexdigest()

    def tree_of(self, host: str, path: str) -> dict[str, bytes]:
        base = self.host_file(host, path)
        return {str(p.relative_to(base)): p.read_bytes() for p in base.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    work = tmp_path_factory.mktemp("converge")
    sshd = start_sshd(work / "sshd", list(HOSTS.values()), port=free_port("127.0.0.2"))
    rig = Rig(work, sshd)
    rig.render()
    yield rig
    rig.health.stop()
    sshd.stop()


def _change(rig: Rig, location: str) -> None:
    rig.vpc["location"] = location
    rig.render()


def test_first_rollout(rig: Rig) -> None:
    result = rig.run("rollout.yml")
    assert result.rc == 0, result.stdout
    for vm in VMS:
        assert rig.running(vm)["dfdaemon"] == {"config/dfget.yaml": rig.on_disk(vm, PEER_CONFIG)}


def test_restart_interrupted_after_the_push_is_completed_by_the_next_run(rig: Rig) -> None:
    _change(rig, "zone-1")
    rig.lose_controller("vm-1", lambda calls: any("restart" in c or "up" in c for c in calls))
    assert b"zone-1" in rig.host_file("vm-1", PEER_CONFIG).read_bytes()
    running = rig.running("vm-1")["dfdaemon"]["config/dfget.yaml"]
    assert running != rig.on_disk("vm-1", PEER_CONFIG), "the stand-in restarted anyway"

    result = rig.run("peers.yml", "--limit", "vm-1")
    assert result.rc == 0, result.stdout
    assert rig.running("vm-1")["dfdaemon"] == {
        "config/dfget.yaml": rig.on_disk("vm-1", PEER_CONFIG)
    }
    assert not list(rig.host_file("vm-1", "/opt/dragonfly/config").glob("*~")), "stray backup"
    again = rig.run("peers.yml", "--limit", "vm-1")
    assert again.recap["vm-1"]["changed"] == 0, again.stdout


def test_dockerd_restart_interrupted_after_the_client_restarted_is_completed(rig: Rig) -> None:
    """peers.yml restarts the client, then dockerd (the drop-in names the client's proxy
    port); a controller lost between the two must not leave dockerd on the old drop-in."""
    dropin = "/etc/systemd/system/docker.service.d/http-proxy.conf"
    rig.peer = {"proxy": {"tcpListen": {"port": 65012}}}  # dfget.yaml and the drop-in change
    rig.render()
    # compose restarts the client; systemctl hangs
    rig.lose_controller(
        "vm-1", lambda calls: ["systemctl", "restart", "docker"] in calls, hang="systemctl"
    )
    running = rig.running("vm-1")
    assert running["dfdaemon"] == {"config/dfget.yaml": rig.on_disk("vm-1", PEER_CONFIG)}
    assert running["docker"] != {dropin.lstrip("/"): rig.on_disk("vm-1", dropin)}

    result = rig.run("peers.yml", "--limit", "vm-1")
    assert result.rc == 0, result.stdout
    assert rig.running("vm-1")["docker"] == {dropin.lstrip("/"): rig.on_disk("vm-1", dropin)}
    again = rig.run("peers.yml", "--limit", "vm-1")
    assert again.recap["vm-1"]["changed"] == 0, again.stdout


def test_unreachable_host_counts_against_the_failure_budget(rig: Rig) -> None:
    before = {vm: rig.host_file(vm, PEER_CONFIG).read_bytes() for vm in ("vm-3", "vm-4")}
    _change(rig, "zone-2")
    rig.down = ["vm-2"]
    try:
        result = rig.run("peers.yml")
    finally:
        rig.down = []
    assert result.rc != 0
    assert result.recap["vm-2"]["unreachable"] == 1, result.stdout
    assert b"zone-2" in rig.host_file("vm-1", PEER_CONFIG).read_bytes()  # the canary
    for vm in ("vm-3", "vm-4"):  # vm-3 shares vm-2's batch, vm-4 is in the next one
        assert rig.host_file(vm, PEER_CONFIG).read_bytes() == before[vm], vm
    assert "vm-4" not in result.recap or result.recap["vm-4"]["changed"] == 0
    assert rig.run("peers.yml").rc == 0


def test_rollback_after_a_partial_runtime_change_restores_files_and_state(rig: Rig) -> None:
    certs = "/etc/containerd/certs.d"
    dropin = "/etc/systemd/system/docker.service.d/http-proxy.conf"
    state = "/var/lib/gencfg/runtimes.json"
    before = (
        rig.tree_of("vm-1", certs),
        rig.host_file("vm-1", dropin).read_bytes(),
        rig.host_file("vm-1", state).read_bytes(),
    )
    assert set(before[0]) == {"docker.io/hosts.toml", "ghcr.io/hosts.toml"}
    rig.host_file("vm-1", "/etc/docker/daemon.json").write_text("{}\n")  # no live-restore
    rig.vpc.update(
        {
            "registries": [{"host": "quay.io"}],
            "runtimes": {"docker": {"live_restore": False}},
        }
    )
    rig.peer = {"proxy": {"tcpListen": {"port": 65011}}}  # the Docker drop-in changes
    rig.render()
    try:
        result = rig.run("runtimes.yml", "--limit", "vm-1")
    finally:
        rig.host_file("vm-1", "/etc/docker/daemon.json").write_text('{"live-restore": true}\n')
    assert result.rc != 0
    assert "live-restore" in result.stdout
    after = (
        rig.tree_of("vm-1", certs),
        rig.host_file("vm-1", dropin).read_bytes(),
        rig.host_file("vm-1", state).read_bytes(),
    )
    assert after == before
    assert not [p for p in rig.host_file("vm-1", "/etc").rglob("*~")], "backups left behind"


def test_rollback_when_the_push_fails_on_its_first_file(rig: Rig) -> None:
    config = rig.host_file("vm-4", "/opt/dragonfly/config")
    config.rename(config.with_name("config.moved"))
    config.write_text("not a directory\n")
    try:
        result = rig.run("peers.yml", "--limit", "vm-4")
    finally:
        config.unlink()
        config.with_name("config.moved").rename(config)
    assert result.rc != 0
    assert "its previous files were restored" in result.stdout, result.stdout[-3000:]
    assert "is undefined" not in result.stdout
    assert rig.run("rollout.yml").rc == 0
