"""A retry policy (``deployment.rollout.retry``) over real SSH: unhealthy, unreachable hosts.

Same rig as tests/test_rollout_ssh.py: the real sshd on 127.0.0.2-5 and the real
ansible-playbook; stand-ins for docker/nerdctl compose and systemctl (they record their
calls) and for the health endpoints (tests/support/health.py: ``late`` answers 503 to
the first probes, as a service that comes up slowly; ``status`` keeps one unhealthy).
A host named in the test's ``down`` file is unreachable, as in
tests/test_rollout_converge.py (its ``ansible_port`` is 1, where nothing listens); the
controller reads the file at every connection, so a host comes back while the playbook
runs when the test empties it. Only the peers layer runs (canary vm-1, then vm-2).
One story, in order: run it in one process (pytest-xdist ``--dist loadfile``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gencfg.cli import main
from tests.support.ansible import RECAP_RE, ansible_env
from tests.support.procs import free_port
from tests.support.sshd import SshServer, start_sshd
from tests.test_rollout_ssh import HOSTS, PLAYBOOKS, SECRETS, Rig

pytestmark = pytest.mark.slow

PEER_CONFIG = "/opt/dragonfly/config/dfget.yaml"
POLICY = {"max_duration": "30s", "interval": "1s"}


class RetryRig(Rig):
    """The rig with a retry policy to set and hosts to take down while a playbook runs."""

    def __init__(self, work: Path, sshd: SshServer) -> None:
        super().__init__(work, sshd)
        self.retry: dict[str, str] | None = None
        self.down_file = work / "down.json"
        self.down([])

    def down(self, hosts: list[str]) -> None:
        self.down_file.write_text(json.dumps(hosts))

    def inventory(self) -> dict[str, Any]:
        base = super().inventory()
        if self.retry is not None:
            base["deployment"]["rollout"]["retry"] = self.retry
        return base

    def change(self, location: str) -> None:
        self.changes = {"vpc": {"location": location}}
        self.render()

    def extra_vars(self) -> dict[str, Any]:
        down = f"(lookup('ansible.builtin.file', '{self.down_file}') | from_json)"
        return {
            **super().extra_vars(),
            "ansible_port": f"{{{{ 1 if inventory_hostname in {down} else {self.sshd.port} }}}}",
        }

    def peer_config(self, host: str) -> bytes:
        return self.host_file(host, PEER_CONFIG).read_bytes()

    def peer(self, host: str) -> tuple[str, int]:
        return (HOSTS[host], self.ports["peer"])


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RetryRig]:
    work = tmp_path_factory.mktemp("rollout-retry")
    sshd = start_sshd(work / "sshd", list(HOSTS.values()), port=free_port("127.0.0.2"))
    rig = RetryRig(work, sshd)
    rig.render()
    yield rig
    rig.stop()
    sshd.stop()


def test_first_rollout_of_the_peers(rig: RetryRig) -> None:
    result = rig.run("peers.yml")
    assert result.rc == 0, result.stdout


def test_without_a_policy_an_unhealthy_canary_fails_fast_and_is_rolled_back(
    rig: RetryRig,
) -> None:
    before = {vm: rig.peer_config(vm) for vm in ("vm-1", "vm-2")}
    rig.change("zone-b")
    # health_timeout 4s, health_interval 1s: 5 probes, then the host has failed.
    rig.health.late[rig.peer("vm-1")] = 8
    try:
        result = rig.run("peers.yml")
    finally:
        left = rig.health.late.pop(rig.peer("vm-1"))
    assert result.rc != 0
    assert result.recap["vm-1"]["failed"] == 1, result.stdout
    assert "vm-2" not in result.recap, "the rollout went past the failed canary"
    assert left == 3, "health was probed past health_timeout"
    assert "Retry policy" not in result.stdout
    assert {vm: rig.peer_config(vm) for vm in before} == before


def test_with_a_policy_the_same_unhealthy_canary_is_rechecked_and_passes(
    rig: RetryRig,
) -> None:
    rig.retry = POLICY
    rig.render()
    rig.health.late[rig.peer("vm-1")] = 8
    try:
        result = rig.run("peers.yml")
    finally:
        left = rig.health.late.pop(rig.peer("vm-1"))
    assert result.rc == 0, result.stdout
    assert left == 0
    assert "Retry policy - wait for health again" in result.stdout
    assert result.recap["vm-1"]["failed"] == 0
    for vm in ("vm-1", "vm-2"):  # the canary kept its new config, the next batch got it
        assert b"zone-b" in rig.peer_config(vm), vm
    assert not list(rig.host_file("vm-1", "/opt/dragonfly/config").glob("*~")), "backups left"


def test_a_policy_adds_no_task_to_a_rollout_that_changes_nothing(rig: RetryRig) -> None:
    result = rig.run("peers.yml")
    assert result.rc == 0, result.stdout
    assert {h: c["changed"] for h, c in result.recap.items()} == {"vm-1": 0, "vm-2": 0}
    assert "Retry policy" not in result.stdout
    assert "RETRYING" not in result.stdout


def test_a_host_still_unhealthy_after_max_duration_is_rolled_back(rig: RetryRig) -> None:
    rig.retry = {"max_duration": "2s", "interval": "1s"}
    before = {vm: rig.peer_config(vm) for vm in ("vm-1", "vm-2")}
    rig.change("zone-c")
    rig.health.status[rig.peer("vm-1")] = 503
    try:
        result = rig.run("peers.yml")
    finally:
        rig.health.status[rig.peer("vm-1")] = 200
    assert result.rc != 0
    assert result.recap["vm-1"]["failed"] == 1, result.stdout
    assert "vm-2" not in result.recap
    assert "Health was re-checked every 1s for 2s (retry policy)" in result.stdout
    assert {vm: rig.peer_config(vm) for vm in before} == before


def _run_while(rig: RetryRig, on_line: Any) -> tuple[int, str]:
    """peers.yml with ``on_line(line)`` called for each line of output as it comes."""
    exe = shutil.which("ansible-playbook")
    assert exe is not None
    cmd = [exe, "-i", str(rig.tree / "ansible"), str(PLAYBOOKS / "peers.yml"),
           "-e", json.dumps(rig.extra_vars())]  # fmt: skip
    env = ansible_env(control_path_dir=rig.sshd.control_path_dir)
    env.update({f"GENCFG_SECRET_{k.upper()}": v for k, v in SECRETS.items()})
    lines: list[str] = []
    with subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        cwd=PLAYBOOKS,
    ) as proc:  # fmt: skip
        assert proc.stdout is not None
        timer = threading.Timer(300, proc.kill)  # never hang the suite
        timer.start()
        try:
            for line in proc.stdout:
                lines.append(line)
                on_line(line)
        finally:
            timer.cancel()
        rc = proc.wait()
    return rc, "".join(lines)


def _recap(stdout: str) -> dict[str, dict[str, int]]:
    return {
        m["host"]: {k: int(v) for k, v in m.groupdict().items() if k != "host"}
        for m in RECAP_RE.finditer(stdout)
    }


def test_an_unreachable_host_that_comes_back_within_max_duration_is_rolled_out(
    rig: RetryRig,
) -> None:
    rig.retry = POLICY
    rig.change("zone-d")
    rig.down(["vm-2"])
    retried: list[str] = []

    def bring_back(line: str) -> None:
        if "FAILED - RETRYING: [vm-2]" in line and not retried:
            retried.append(line)
            rig.down([])

    try:
        rc, out = _run_while(rig, bring_back)
    finally:
        rig.down([])
    assert retried, out
    assert rc == 0, out
    recap = _recap(out)
    assert recap["vm-2"]["unreachable"] == 0 and recap["vm-2"]["failed"] == 0, out
    for vm in ("vm-1", "vm-2"):
        assert b"zone-d" in rig.peer_config(vm), vm


def test_an_unreachable_host_counts_against_the_budget_after_max_duration(
    rig: RetryRig,
) -> None:
    rig.retry = {"max_duration": "3s", "interval": "1s"}
    before = rig.peer_config("vm-2")
    rig.change("zone-e")
    rig.down(["vm-2"])
    try:
        rc, out = _run_while(rig, lambda line: None)
    finally:
        rig.down([])
    assert rc != 0
    assert _recap(out)["vm-2"]["unreachable"] == 1, out
    assert out.count("FAILED - RETRYING: [vm-2]") >= 2, out
    assert b"zone-e" in rig.peer_config("vm-1")  # the canary
    assert rig.peer_config("vm-2") == before


def test_with_a_policy_a_failure_other_than_health_is_rolled_back_at_once(
    rig: RetryRig,
) -> None:
    """A push that cannot write its files (as in tests/test_rollout_converge.py)."""
    rig.retry = POLICY
    rig.render()
    config = rig.host_file("vm-1", "/opt/dragonfly/config")
    moved = config.with_name("config.moved")
    if config.exists():
        config.rename(moved)
    config.write_text("not a directory\n")
    try:
        result = rig.run("peers.yml")
    finally:
        config.unlink()
        if moved.exists():
            moved.rename(config)
    assert result.rc != 0
    assert result.recap["vm-1"]["failed"] == 1, result.stdout
    assert "its previous files were restored" in result.stdout
    assert "Retry policy" not in result.stdout
    assert "RETRYING" not in result.stdout


def test_gencfg_rollout_says_which_policy_is_in_force(
    rig: RetryRig, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through ansible-runner: the policy first, then one line per host retried."""
    for key, value in ansible_env(control_path_dir=rig.sshd.control_path_dir).items():
        if key.startswith("ANSIBLE_"):
            monkeypatch.setenv(key, value)
    rig.retry = POLICY
    rig.render()
    capsys.readouterr()  # what render printed
    rig.health.late[rig.peer("vm-1")] = 8
    try:
        with rig.secrets_in_env():
            rc = main(
                ["rollout", str(rig.tree), "--layer", "peers", "-e", json.dumps(rig.extra_vars())]
            )
    finally:
        rig.health.late.pop(rig.peer("vm-1"))
    out = capsys.readouterr().out
    assert rc == 0, out
    assert out.splitlines()[0] == (
        "rollout policy: retry unhealthy or unreachable hosts every 1s for up to 30s; "
        "a host still failing then stops the rollout"
    )
    retrying = [line for line in out.splitlines() if "vm-1" in line and "RETRYING" in line]
    assert [line.split("RETRYING")[1].split(": Status code")[0].strip() for line in retrying] == [
        "Wait for HTTP health endpoints",
        "Wait for HTTP health endpoints (retry policy: every 1s for up to 30s)",
    ], out
