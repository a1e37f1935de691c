"""A peer VM removed from the inventory leaves the fleet on the next rollout, if named.

Same rig as tests/test_rollout_ssh.py: the real sshd on 127.0.0.2-5 and the real
ansible-playbook, run by ``gencfg rollout`` (ansible-runner), which keeps its record of
the fleet under the test session's XDG_STATE_HOME. No Docker engine, nerdctl or systemd
runs here: the stand-in (tests/support/standin.py) records each compose and systemctl
call and what each service runs (``compose down`` stops the project's services, and
fails, as the real one does, once the compose file is gone; a restart reads the files
on disk then). One story, in order: run it in one process (pytest-xdist --dist loadfile).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gencfg.cli import main
from gencfg.rollout import hostguard
from tests.support import runtimehost
from tests.support.ansible import ansible_env
from tests.support.procs import free_port
from tests.support.sshd import SshServer, start_sshd
from tests.test_rollout_ssh import HOSTS, Rig

pytestmark = pytest.mark.slow

VM_1 = {"name": "vm-1", "ip": HOSTS["vm-1"], "engine": "docker", "runtimes": ["containerd"]}
VM_2 = {
    "name": "vm-2",
    "ip": HOSTS["vm-2"],
    "engine": "nerdctl",
    "runtimes": ["containerd", "nydus"],
}
NOT_PUSHED = {"calls.log", "calls.running", *runtimehost.HOST_FILES}
"""What the rig itself puts under a host's root (the stand-ins' logs, the host's configs)."""


class DecomRig(Rig):
    """The rig with two peer VMs, of which the test removes vm-2."""

    def __init__(self, work: Path, sshd: SshServer) -> None:
        super().__init__(work, sshd)
        self.peers: list[dict[str, Any]] = [VM_1, VM_2]

    def inventory(self) -> dict[str, Any]:
        return self.fleet(
            self.peers,
            registries=[{"host": "docker.io"}],
            runtimes={"nydus": {"version": "v2.2.5"}},
        )

    def running(self, host: str) -> dict[str, dict[str, str]]:
        state = self.roots / host / "calls.running"
        return json.loads(state.read_text()) if state.exists() else {}

    def files(self, host: str) -> dict[str, bytes]:
        """Every file under the host's root but the rig's own, with its bytes."""
        root = self.roots / host
        return {
            str(p.relative_to(root)): p.read_bytes()
            for p in sorted(root.rglob("*"))
            if p.is_file() and str(p.relative_to(root)) not in NOT_PUSHED
        }

    def rollout(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
    ) -> tuple[int, str, str]:
        """``gencfg rollout`` of the tree; (exit code, stdout, stderr)."""
        for key, value in ansible_env(control_path_dir=self.sshd.control_path_dir).items():
            if key.startswith("ANSIBLE_"):
                monkeypatch.setenv(key, value)
        capsys.readouterr()
        with self.secrets_in_env():
            rc = main(["rollout", str(self.tree), *args, "-e", json.dumps(self.extra_vars())])
        captured = capsys.readouterr()
        return rc, captured.out, captured.err


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DecomRig]:
    work = tmp_path_factory.mktemp("decommission")
    sshd = start_sshd(work / "sshd", list(HOSTS.values()), port=free_port("127.0.0.2"))
    rig = DecomRig(work, sshd)
    rig.render()
    yield rig
    rig.stop()
    sshd.stop()


def test_first_rollout_records_both_peer_vms(
    rig: DecomRig, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, err = rig.rollout(monkeypatch, capsys)
    assert rc == 0, out + err
    recorded = json.loads(hostguard.record_file(rig.tree).read_text())["hosts"]
    assert sorted(recorded) == ["cp-1", "cp-2", "vm-1", "vm-2"]
    assert {"dfdaemon", "compose"} <= set(rig.running("vm-2"))
    assert rig.host_file("vm-2", "/etc/nydus/nydusd-config.fusedev.json").exists()
    assert rig.host_file("vm-2", "/var/lib/gencfg/peers.json").exists()


def test_a_removed_host_is_refused_without_the_flag_and_nothing_changes(
    rig: DecomRig, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rig.peers = [VM_1]
    rig.render()
    rig.reset_calls()
    before = {host: rig.files(host) for host in HOSTS}
    rc, out, err = rig.rollout(monkeypatch, capsys)
    assert rc == 2, out + err
    assert "host(s) vm-2 (vpc-a) were in the last rollout of this tree" in err
    assert "--allow-host-removal vm-2" in err
    assert {host: rig.files(host) for host in HOSTS} == before
    assert all(rig.calls(host) == [] for host in HOSTS)


def test_a_dry_run_with_the_flag_changes_nothing(
    rig: DecomRig, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = rig.files("vm-2")
    args = ("--layer", "decommission", "--check", "--allow-host-removal", "vm-2")
    rc, out, err = rig.rollout(monkeypatch, capsys, *args)
    assert rc == 0, out + err
    assert "changed   Remove the runtime files" in out
    assert rig.files("vm-2") == before
    assert rig.calls("vm-2") == []
    assert "vm-2" in json.loads(hostguard.record_file(rig.tree).read_text())["hosts"]


def test_with_the_flag_the_host_leaves_the_fleet(
    rig: DecomRig, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rig.reset_calls()
    vm1 = rig.files("vm-1")
    pushed = rig.files("vm-2")
    assert "opt/dragonfly/docker-compose.yaml" in pushed
    # As if an earlier decommission was interrupted after removing the nydus files,
    # before restarting nydus-snapshotter: the host's record still says it runs them.
    for name in list(pushed):
        if name.startswith("etc/nydus/") and name not in runtimehost.HOST_FILES:
            rig.host_file("vm-2", name).unlink()
    assert "nydus-snapshotter" in rig.running("vm-2")

    rc, out, err = rig.rollout(monkeypatch, capsys, "--allow-host-removal", "vm-2")
    assert rc == 0, out + err
    assert "taking out of the fleet (removed from the inventory): vm-2" in out
    assert "== Decommission - hosts removed from the inventory" in out

    calls = rig.calls("vm-2")
    project = str(rig.host_file("vm-2", "/opt/dragonfly"))
    down = ["compose", "--project-directory", project, "down", "--remove-orphans"]
    restart = ["systemctl", "restart", "nydus-snapshotter"]
    assert down in calls and restart in calls, calls
    assert calls.index(restart) < calls.index(down), "the peer went before its runtimes"
    running = rig.running("vm-2")
    assert "dfdaemon" not in running and "compose" not in running
    still = set(running["nydus-snapshotter"]) - runtimehost.HOST_FILES
    assert not still, f"nydus-snapshotter still runs gencfg's files {still}"
    assert rig.files("vm-2") == {}, "files gencfg put there are left"
    assert not rig.host_file("vm-2", "/var/lib/gencfg").exists()
    assert not rig.host_file("vm-2", "/etc/containerd/certs.d/docker.io").exists()

    assert rig.files("vm-1") == vm1
    assert rig.calls("vm-1") == []
    recorded = json.loads(hostguard.record_file(rig.tree).read_text())["hosts"]
    assert sorted(recorded) == ["cp-1", "cp-2", "vm-1"]


def test_a_second_run_changes_nothing(
    rig: DecomRig, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rig.reset_calls()
    rc, out, err = rig.rollout(monkeypatch, capsys)
    assert rc == 0, out + err
    assert "vm-2" not in out
    summary = [line for line in out.splitlines() if " ok (" in line]
    assert len(summary) == 4 and all(line.endswith(" ok (0 changed)") for line in summary), out
    assert all(rig.calls(host) == [] for host in HOSTS)


def test_ansible_playbook_decommissions_a_host_named_in_an_inventory(rig: DecomRig) -> None:
    """The documented plain path (-i an inventory naming the host in gencfg_decommission),
    on a host already clean: nothing to do, nothing fails."""
    extra = rig.work / "decommission.yaml"
    extra.write_text(
        "all:\n  children:\n    gencfg_decommission:\n      hosts:\n"
        f"        vm-2:\n          ansible_host: {HOSTS['vm-2']}\n"
        "          gencfg_compose_dir: /opt/dragonfly\n          gencfg_engine: nerdctl\n"
    )
    result = rig.run("decommission.yml", "-i", str(extra))
    assert result.rc == 0, result.stdout
    assert result.recap["vm-2"]["changed"] == 0
    assert result.recap["vm-2"]["failed"] == 0
    assert set(result.recap) == {"vm-2"}
