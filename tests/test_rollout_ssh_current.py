"""The playbooks roll out a current-line tree (v2.5 + Rust client) over real SSH.

Same rig as tests/test_rollout_ssh.py (real sshd on 127.0.0.2-5, the real
ansible-playbook; stand-ins for docker/nerdctl compose, systemctl and kubectl, which
record their calls, and for the health endpoints). Here the health stand-ins answer
only on the paths the real services serve (manager ``/healthy``, the Rust client's
``/healthy`` on its health port), so a tree probing v2.1's ``/server/ping`` would fail.
One story, in order: run in one process (pytest-xdist ``--dist loadfile``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.health import HealthServers
from tests.support.procs import free_port
from tests.support.sshd import start_sshd
from tests.test_rollout_ssh import HOSTS, Rig, _expected_bytes, _manifest

pytestmark = pytest.mark.slow


class CurrentRig(Rig):
    """The rig with a v2.5.1 inventory: seed clients and Rust client peers, no Docker."""

    def __init__(self, work: Path, sshd: Any) -> None:
        super().__init__(work, sshd)
        self.health.stop()
        control = {(HOSTS[h], self.ports[p]) for h in ("cp-1", "cp-2") for p in ("manager", "seed")}
        peers = {(HOSTS[h], self.ports["peer"]) for h in ("vm-1", "vm-2")}
        scheduler = {(HOSTS[h], self.ports["scheduler"]) for h in ("cp-1", "cp-2")}
        self.health = HealthServers(
            dict.fromkeys(control | peers | scheduler, 200),
            paths=dict.fromkeys(control | peers, "/healthy"),
        ).start()

    def inventory(self) -> dict[str, Any]:
        base = self.fleet(
            [
                {"name": "vm-1", "ip": HOSTS["vm-1"], "runtimes": ["containerd"]},
                {"name": "vm-2", "ip": HOSTS["vm-2"], "runtimes": ["containerd", "nydus"]},
            ],
            version="v2.5.1",
            node_groups=[{"name": "gpu", "node_selector": {"pool": "gpu"}}],
            registries=[{"host": "docker.io"}, {"host": "ghcr.io"}],
            runtimes={"nydus": {"version": "v2.3.4"}},
        )
        base["vpcs"][0].update(self.changes.get("vpc", {}))
        return base


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CurrentRig]:
    work = tmp_path_factory.mktemp("rollout-current")
    sshd = start_sshd(work / "sshd", list(HOSTS.values()), port=free_port("127.0.0.2"))
    rig = CurrentRig(work, sshd)
    rig.render()
    yield rig
    rig.stop()
    sshd.stop()


def test_first_rollout_pushes_the_current_lines_files(rig: CurrentRig) -> None:
    result = rig.run()
    assert result.rc == 0, result.stdout
    pushed = []
    for rel, entry in _manifest(rig.tree).items():
        for host in entry["owners"]:
            path = rig.host_file(host, entry["dest"])
            assert path.read_bytes() == _expected_bytes(rig.tree, rel), f"{host}:{entry['dest']}"
            pushed.append(entry["dest"])
    assert "/opt/dragonfly/config/seed-client/dfdaemon.yaml" in pushed
    assert "/opt/dragonfly/config/dfdaemon.yaml" in pushed
    assert "/etc/containerd/certs.d/docker.io/hosts.toml" in pushed
    assert not any(p.endswith("dfget.yaml") for p in pushed)
    hosts_toml = rig.host_file("vm-1", "/etc/containerd/certs.d/docker.io/hosts.toml")
    assert '[host."http://127.0.0.1:4001"]' in hosts_toml.read_text()
    assert ["systemctl", "restart", "nydus-snapshotter"] in rig.calls("vm-2")
    assert not any("docker" in call for call in rig.calls("vm-1"))


def test_health_was_probed_on_the_clients_endpoint(rig: CurrentRig) -> None:
    for host in ("vm-1", "vm-2"):
        endpoint = (HOSTS[host], rig.ports["peer"])
        assert rig.health.probes(endpoint) >= 1
        assert {path for hit, path in rig.health.hits if hit == endpoint} == {"/healthy"}
    seed = (HOSTS["cp-1"], rig.ports["seed"])
    assert {path for hit, path in rig.health.hits if hit == seed} == {"/healthy"}


def test_second_rollout_changes_nothing(rig: CurrentRig) -> None:
    rig.reset_calls()
    result = rig.run()
    assert result.rc == 0, result.stdout
    assert {host: counts["changed"] for host, counts in result.recap.items()} == dict.fromkeys(
        [*HOSTS, "localhost"], 0
    )
    assert all(rig.calls(host) == [] for host in HOSTS)


def test_a_client_config_change_restarts_only_the_client(rig: CurrentRig) -> None:
    rig.reset_calls()
    peer = {"total_rate_limit": "4096Mi"}
    rig.changes = {"vpc": {"peer": peer}}
    rig.render()
    result = rig.run("peers.yml")
    assert result.rc == 0, result.stdout
    for host in ("vm-1", "vm-2"):
        text = rig.host_file(host, "/opt/dragonfly/config/dfdaemon.yaml").read_text()
        assert "bandwidthLimit: 4GiB" in text
        assert any("dfdaemon" in call for call in rig.calls(host)), rig.calls(host)
    assert rig.calls("cp-1") == []
