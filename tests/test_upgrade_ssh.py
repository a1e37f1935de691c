"""A v2.1 fleet upgraded to the current line over real SSH: migrate, render, roll out.

Same rig as tests/test_rollout_ssh.py (real sshd on 127.0.0.2-5, the real
ansible-playbook, stand-ins for compose, systemctl and kubectl that record their calls).
The peers' health stand-ins serve what the host's config says: v2.1's ``/server/ping``
while the host has ``dfget.yaml``, the Rust client's ``/healthy`` once ``dfdaemon.yaml``
is there, so a host whose files and service disagree fails its check. One story, in
order: run in one process (pytest-xdist ``--dist loadfile``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gencfg.cli import main
from tests.support.health import HealthServers
from tests.support.procs import free_port
from tests.support.sshd import start_sshd
from tests.test_rollout_ssh import HOSTS, Rig

pytestmark = pytest.mark.slow

CONFIG_DIR = "/opt/dragonfly/config"
HOSTS_TOML = "/etc/containerd/certs.d/docker.io/hosts.toml"


class UpgradeRig(Rig):
    """A v2.1 inventory (no Docker: the migration would refuse it) and its migration."""

    def __init__(self, work: Path, sshd: Any) -> None:
        super().__init__(work, sshd)
        self.health.stop()
        control = {
            (HOSTS[h], self.ports[p])
            for h in ("cp-1", "cp-2")
            for p in ("manager", "scheduler", "seed")
        }
        peers = {h: (HOSTS[h], self.ports["peer"]) for h in ("vm-1", "vm-2")}
        self.health = HealthServers(
            dict.fromkeys(control | set(peers.values()), 200),
            paths={endpoint: self._served_path(host) for host, endpoint in peers.items()},
        ).start()

    def _served_path(self, host: str) -> Any:
        def path() -> str:
            client = self.host_file(host, f"{CONFIG_DIR}/dfdaemon.yaml").exists()
            return "/healthy" if client else "/server/ping"

        return path

    def inventory(self) -> dict[str, Any]:
        return self.fleet(
            [
                {"name": "vm-1", "ip": HOSTS["vm-1"], "runtimes": ["containerd"]},
                {"name": "vm-2", "ip": HOSTS["vm-2"], "runtimes": ["containerd", "nydus"]},
            ],
            registries=[{"host": "docker.io"}],
            runtimes={"nydus": {"version": "v2.2.5"}},
        )

    def migrate(self) -> None:
        inv = self.work / "inventory"
        assert main(["migrate", str(inv), "--to", "v2.5.1"]) == 0
        assert main(["render", str(inv), "--output", str(self.tree), "--no-cache"]) == 0


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UpgradeRig]:
    work = tmp_path_factory.mktemp("upgrade")
    sshd = start_sshd(work / "sshd", list(HOSTS.values()), port=free_port("127.0.0.2"))
    rig = UpgradeRig(work, sshd)
    rig.render()
    yield rig
    rig.stop()
    sshd.stop()


def _files(rig: UpgradeRig, host: str) -> set[str]:
    root = rig.roots / host
    return {
        "/" + p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file()
        and p.name not in ("calls.log", "calls.running")
        and ".gencfg" not in p.relative_to(root).as_posix()
    }


def test_the_v21_fleet_is_rolled_out(rig: UpgradeRig) -> None:
    result = rig.run()
    assert result.rc == 0, result.stdout
    assert rig.host_file("vm-1", f"{CONFIG_DIR}/dfget.yaml").exists()
    assert "127.0.0.1:65001" in rig.host_file("vm-1", HOSTS_TOML).read_text()
    # What the v2.1 seed peers left on their VMs (the compose stand-in starts nothing).
    for host in ("cp-1", "cp-2"):
        for sub in ("seed-peer/cache/task", "seed-peer/data/piece", "log/seed-peer/daemon.log"):
            path = rig.host_file(host, f"/data/dragonfly/{sub}")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("v2.1\n")


def test_a_failing_peer_ends_on_a_consistent_v21_pair(rig: UpgradeRig) -> None:
    """vm-2's client never gets healthy: it keeps the v2.1 client AND v2.1 runtime files;
    the canary (vm-1), which passed, has the client and the client's runtime files."""
    rig.migrate()
    rig.health.status[(HOSTS["vm-2"], rig.ports["peer"])] = 500
    result = rig.run()
    assert result.rc != 0, result.stdout
    vm2 = _files(rig, "vm-2")
    assert f"{CONFIG_DIR}/dfget.yaml" in vm2 and f"{CONFIG_DIR}/dfdaemon.yaml" not in vm2
    assert "127.0.0.1:65001" in rig.host_file("vm-2", HOSTS_TOML).read_text()
    vm1 = _files(rig, "vm-1")
    assert f"{CONFIG_DIR}/dfdaemon.yaml" in vm1
    assert "127.0.0.1:4001" in rig.host_file("vm-1", HOSTS_TOML).read_text()


def test_the_rerun_finishes_the_upgrade_and_leaves_only_the_new_lines_files(
    rig: UpgradeRig,
) -> None:
    rig.health.status[(HOSTS["vm-2"], rig.ports["peer"])] = 200
    result = rig.run()
    assert result.rc == 0, result.stdout
    for host in HOSTS:
        files = _files(rig, host)
        assert not any(f.endswith("dfget.yaml") for f in files), (host, files)
        assert not any("/seed-peer/" in f for f in files), (host, files)
    assert f"{CONFIG_DIR}/seed-client/dfdaemon.yaml" in _files(rig, "cp-1")
    for host in ("cp-1", "cp-2"):  # the seed peers' directories went with them
        assert not rig.host_file(host, "/data/dragonfly/seed-peer").exists(), host
        assert not rig.host_file(host, "/data/dragonfly/log/seed-peer").exists(), host
    for host in ("vm-1", "vm-2"):
        assert "127.0.0.1:4001" in rig.host_file(host, HOSTS_TOML).read_text()
    nydus = rig.host_file("vm-2", "/etc/nydus/nydusd-config.fusedev.json").read_text()
    assert f"127.0.0.1:{rig.ports['peer']}/healthy" in nydus  # the client's health path


def test_a_second_run_changes_nothing(rig: UpgradeRig) -> None:
    rig.reset_calls()
    result = rig.run()
    assert result.rc == 0, result.stdout
    assert {host: counts["changed"] for host, counts in result.recap.items()} == dict.fromkeys(
        [*HOSTS, "localhost"], 0
    )
