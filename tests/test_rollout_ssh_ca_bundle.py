"""The manager's preheat CA bundle is assembled on each control-plane VM over real SSH.

Dragonfly's manager builds its preheat client's roots from ``job.preheat.tls.caCert``
alone (v2.1.28 and v2.5.1 manager/job/job.go), so gencfg points it at a bundle the
control-plane play writes on the VM: the VM's system CA bundle (host content), then the
private CA files that ``registries[].ca`` names (also on the VM). Same rig as
tests/test_rollout_ssh.py: real sshd on 127.0.0.2-3 and the real ansible-playbook; docker
compose is the stand-in (tests/support/standin.py), which records what each service was
started with, and the health endpoints are stand-ins too. No manager runs here: whether
it accepts the bundle is upstream's code (a PEM file with certificates). One story, in
order: run in one process (pytest-xdist ``--dist loadfile``).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.procs import free_port
from tests.support.sshd import start_sshd
from tests.test_rollout_ssh import HOSTS, Rig, _expected_bytes, _manifest

pytestmark = pytest.mark.slow

BUNDLE = "/opt/dragonfly/config/preheat-ca-bundle.pem"
PRIVATE_CA = "/etc/pki/harbor/ca.crt"
DEBIAN = "/etc/ssl/certs/ca-certificates.crt"
RHEL = "/etc/pki/tls/certs/ca-bundle.crt"


def _pem(name: str) -> str:
    return f"# {name}\n-----BEGIN CERTIFICATE-----\nMII{name}\n-----END CERTIFICATE-----\n"


class BundleRig(Rig):
    """The rig's two control-plane VMs, one private registry with a CA; no peers."""

    def inventory(self) -> dict[str, Any]:
        registry: dict[str, Any] = {"host": "harbor.example:8443"}
        registry.update(self.changes.get("harbor", {"ca": [PRIVATE_CA]}))
        return self.fleet([], registries=[{"host": "docker.io"}, registry])

    def plant(self, host: str, path: str, text: str) -> None:
        target = self.host_file(host, path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)

    def started_with(self, host: str, service: str) -> dict[str, str]:
        running = self.roots / host / "calls.running"
        return dict(json.loads(running.read_text()).get(service, {}))


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BundleRig]:
    work = tmp_path_factory.mktemp("rollout-ca-bundle")
    sshd = start_sshd(work / "sshd", list(HOSTS.values()), port=free_port("127.0.0.2"))
    rig = BundleRig(work, sshd)
    # cp-1 keeps its roots where Debian does, cp-2 where RHEL does.
    rig.plant("cp-1", DEBIAN, _pem("debian-root"))
    rig.plant("cp-2", RHEL, _pem("rhel-root"))
    for host in ("cp-1", "cp-2"):
        rig.plant(host, PRIVATE_CA, _pem("harbor-ca"))
    rig.render()
    yield rig
    rig.stop()
    sshd.stop()


def test_bundle_is_the_hosts_system_roots_then_the_private_ca(rig: BundleRig) -> None:
    result = rig.run("control-plane.yml")
    assert result.rc == 0, result.stdout
    roots = {"cp-1": _pem("debian-root"), "cp-2": _pem("rhel-root")}
    for host, system in roots.items():
        bundle = rig.host_file(host, BUNDLE)
        assert bundle.read_text() == system + _pem("harbor-ca"), host
        manager = rig.host_file(host, "/opt/dragonfly/config/manager.yaml").read_text()
        assert "caCert: /etc/dragonfly/preheat-ca-bundle.pem" in manager
        compose = rig.host_file(host, "/opt/dragonfly/docker-compose.yaml").read_text()
        assert "./config/preheat-ca-bundle.pem:/etc/dragonfly/preheat-ca-bundle.pem:ro" in compose
        digest = hashlib.sha256(bundle.read_bytes()).hexdigest()
        assert rig.started_with(host, "manager")["config/preheat-ca-bundle.pem"] == digest
    # The rendered files are pushed as rendered; the bundle is not one of them.
    for rel, entry in _manifest(rig.tree).items():
        for host in entry["owners"]:
            assert rig.host_file(host, entry["dest"]).read_bytes() == _expected_bytes(rig.tree, rel)
    assert BUNDLE not in {entry["dest"] for entry in _manifest(rig.tree).values()}


def test_second_rollout_changes_nothing(rig: BundleRig) -> None:
    rig.reset_calls()
    result = rig.run("control-plane.yml")
    assert result.rc == 0, result.stdout
    assert {h: c["changed"] for h, c in result.recap.items()} == {"cp-1": 0, "cp-2": 0}
    assert rig.calls("cp-1") == [] and rig.calls("cp-2") == []


def test_a_rotated_private_ca_restarts_the_manager_only(rig: BundleRig) -> None:
    rig.reset_calls()
    for host in ("cp-1", "cp-2"):
        rig.plant(host, PRIVATE_CA, _pem("harbor-ca-2"))
    result = rig.run("control-plane.yml")
    assert result.rc == 0, result.stdout
    for host in ("cp-1", "cp-2"):
        assert rig.host_file(host, BUNDLE).read_text().endswith(_pem("harbor-ca-2"))
        restarts = [c for c in rig.calls(host) if "restart" in c or "up" in c]
        assert [c[-2:] for c in restarts] == [["restart", "manager"]], rig.calls(host)
    assert not list(rig.host_file("cp-1", "/opt/dragonfly/config").glob("*~")), "backup left"


def test_a_host_without_system_roots_fails_and_keeps_its_bundle(rig: BundleRig) -> None:
    before = rig.host_file("cp-1", BUNDLE).read_bytes()
    roots = rig.host_file("cp-1", DEBIAN)
    roots.rename(roots.with_suffix(".away"))
    rig.plant("cp-1", PRIVATE_CA, _pem("harbor-ca-3"))
    try:
        result = rig.run("control-plane.yml")
    finally:
        roots.with_suffix(".away").rename(roots)
    assert result.rc != 0
    assert "cp-1 has no system CA bundle (looked for /etc/ssl/certs/ca-certificates.crt" in (
        " ".join(result.stdout.split())
    )
    assert "cp-2" not in result.recap, "the rollout went past the failed host"
    assert rig.host_file("cp-1", BUNDLE).read_bytes() == before


def test_a_missing_private_ca_is_named(rig: BundleRig) -> None:
    rig.host_file("cp-1", PRIVATE_CA).unlink()
    try:
        result = rig.run("control-plane.yml")
    finally:
        rig.plant("cp-1", PRIVATE_CA, _pem("harbor-ca-2"))
    assert result.rc != 0
    flat = " ".join(result.stdout.split())
    assert f"cp-1: cannot read {PRIVATE_CA}" in flat
    assert "the control-plane VMs need them too" in flat


def test_a_file_that_is_no_certificate_is_named(rig: BundleRig) -> None:
    rig.plant("cp-1", PRIVATE_CA, "-----BEGIN PRIVATE KEY-----\nMIIkey\n")
    try:
        result = rig.run("control-plane.yml")
    finally:
        rig.plant("cp-1", PRIVATE_CA, _pem("harbor-ca-2"))
    assert result.rc != 0
    assert f"{PRIVATE_CA} holds no PEM certificate" in result.stdout


def test_without_private_cas_the_bundle_goes_and_the_manager_restarts(rig: BundleRig) -> None:
    rig.reset_calls()
    rig.changes = {"harbor": {}}
    rig.render()
    result = rig.run("control-plane.yml")
    assert result.rc == 0, result.stdout
    for host in ("cp-1", "cp-2"):
        assert not rig.host_file(host, BUNDLE).exists(), host
        manager = rig.host_file(host, "/opt/dragonfly/config/manager.yaml").read_text()
        assert "job:" not in manager
        assert any("up" in c for c in rig.calls(host)), rig.calls(host)


def teardown_module() -> None:
    from tests.conftest import REPO

    shutil.rmtree(REPO / ".ansible", ignore_errors=True)
