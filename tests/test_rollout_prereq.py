"""The preflight checks each runtime host's prerequisites before anything is pushed.

Same rig as tests/test_rollout_ssh.py: real sshd on 127.0.0.2-5, the real
ansible-playbook (and ``gencfg rollout``), each host under its own gencfg_root. The
containerd checked is the real one installed on this machine (its ``--version`` and
``config dump`` of the host's config.toml); nydusd cannot run here, so its
``--version`` is tests/support/nydusd.py, which reports the release "installed" on the
host. One story, in order: run it in one process (pytest-xdist ``--dist loadfile``).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from gencfg.cli import main
from tests.support import runtimehost
from tests.support.ansible import ansible_env
from tests.support.procs import free_port
from tests.support.sshd import start_sshd
from tests.test_rollout_ssh import HOSTS, Rig

pytestmark = pytest.mark.slow

CHECK = "Check the runtime prerequisites of the host"


class PrereqRig(Rig):
    """The rollout rig, with the containerd release declared when a test asks for it."""

    containerd_version: str | None = None

    def inventory(self) -> dict[str, Any]:
        base = super().inventory()
        if self.containerd_version is not None:
            base["vpcs"][0]["runtimes"]["containerd"] = {"version": self.containerd_version}
        return base

    def root(self, host: str) -> Any:
        return self.roots / host

    def pushed_anything(self) -> list[str]:
        """Hosts where the rollout wrote or started anything."""
        return [
            h
            for h in HOSTS
            if self.calls(h)
            or self.host_file(h, "/opt/dragonfly").exists()
            or self.host_file(h, "/etc/containerd/certs.d").exists()
            or self.host_file(h, "/var/lib/gencfg").exists()
        ]


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrereqRig]:
    work = tmp_path_factory.mktemp("prereq")
    sshd = start_sshd(work / "sshd", list(HOSTS.values()), port=free_port("127.0.0.2"))
    rig = PrereqRig(work, sshd)
    rig.render()
    yield rig
    rig.stop()
    sshd.stop()


def _gencfg_rollout(
    rig: Rig, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str]:
    for key, value in ansible_env(control_path_dir=rig.sshd.control_path_dir).items():
        if key.startswith("ANSIBLE_"):
            monkeypatch.setenv(key, value)
    with rig.secrets_in_env():
        rc = main(["rollout", str(rig.tree), *args, "-e", json.dumps(rig.extra_vars())])
    captured = capsys.readouterr()
    return rc, captured.out + captured.err


def test_hosts_failing_their_prerequisites_stop_the_rollout_before_any_push(
    rig: PrereqRig, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Both hosts are checked at once and each is named with what to fix; with the
    default failure budget nothing is pushed anywhere, control plane included."""
    runtimehost.set_containerd_config(rig.root("vm-1"), runtimehost.CONTAINERD_WITHOUT_CONFIG_PATH)
    runtimehost.set_containerd_config(rig.root("vm-2"), runtimehost.CONTAINERD_WITH_MIRRORS)
    rc, output = _gencfg_rollout(rig, monkeypatch, capsys)
    assert rc == 4, output
    assert (
        f"vm-1: {CHECK}: containerd: /etc/containerd/config.toml sets no registry config_path, "
        "so containerd never reads /etc/containerd/certs.d: set config_path = "
        '"/etc/containerd/certs.d" under [plugins."io.containerd.grpc.v1.cri".registry]'
    ) in output
    assert (
        f"vm-2: {CHECK}: containerd: /etc/containerd/config.toml sets registry.mirrors "
        "(docker.io) together with config_path, which containerd refuses"
    ) in output
    assert rig.pushed_anything() == []


def test_nydusd_of_another_release_fails_its_host(rig: PrereqRig) -> None:
    for host in ("vm-1", "vm-2"):
        runtimehost.set_containerd_config(rig.root(host), runtimehost.CONTAINERD_CONFIG)
    runtimehost.install_nydusd(rig.root("vm-2"), "v2.3.6")
    result = rig.run("preflight.yml")
    assert result.rc != 0
    assert result.recap["vm-2"]["failed"] == 1, result.stdout
    assert result.recap["vm-1"]["failed"] == 0, result.stdout
    assert (
        "nydus: nydusd 2.3.6 is installed but the inventory declares runtimes.nydus.version "
        "v2.2.5, and the nydusd config format depends on it"
    ) in result.stdout
    assert rig.pushed_anything() == []


def test_runtimes_layer_alone_checks_first_the_declared_containerd_release(
    rig: PrereqRig,
) -> None:
    """Run on its own, the runtimes layer checks each host before pushing to it."""
    rig.containerd_version = "9.9.9"
    rig.render()  # installs the declared nydusd again
    result = rig.run("runtimes.yml")
    assert result.rc != 0
    installed = runtimehost.containerd_release(
        subprocess.run(["containerd", "--version"], capture_output=True, text=True).stdout
    )
    assert (
        f"containerd: {installed} is installed but the inventory declares "
        "runtimes.containerd.version 9.9.9: upgrade the host or correct the inventory"
    ) in result.stdout
    assert rig.pushed_anything() == []


def test_prepared_hosts_pass_in_check_mode_and_roll_out(rig: PrereqRig) -> None:
    rig.containerd_version = runtimehost.containerd_release(
        subprocess.run(["containerd", "--version"], capture_output=True, text=True).stdout
    )
    rig.render()
    check = rig.run("preflight.yml", "--check")
    assert check.rc == 0, check.stdout
    assert rig.pushed_anything() == []
    result = rig.run()
    assert result.rc == 0, result.stdout
    assert rig.host_file("vm-1", "/etc/containerd/certs.d/docker.io/hosts.toml").exists()
    assert ["systemctl", "restart", "nydus-snapshotter"] in rig.calls("vm-2")
