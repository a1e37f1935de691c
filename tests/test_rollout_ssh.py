"""The playbooks push rendered trees over real SSH, batch by batch, with health checks.

The tests are one story, in order (a first rollout, a second with nothing to do, a
removal, a failure...): run them in one process (pytest-xdist: --dist loadfile).

Real components: OpenSSH's sshd (Debian) listening on 127.0.0.2-5, one address per
test host, and the real ansible-playbook. Every host writes under its own gencfg_root.
Stand-ins replace what cannot run here (docker compose, systemctl and kubectl:
tests/support/standin.py records the calls; the services' health endpoints:
tests/support/health.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gencfg.cli import main
from tests.conftest import REPO
from tests.support import inventories, runtimehost
from tests.support.ansible import PlaybookResult, ansible_env, host_vars, run_playbook_cli
from tests.support.health import HealthServers
from tests.support.procs import free_port
from tests.support.sshd import SshServer, start_sshd

pytestmark = pytest.mark.slow

PLAYBOOKS = REPO / "playbooks"
HOSTS = {"cp-1": "127.0.0.2", "cp-2": "127.0.0.3", "vm-1": "127.0.0.4", "vm-2": "127.0.0.5"}
SECRETS = {"jwt_key": "jwt-K3y-planted-by-tests", "mysql_password": 'p@ss"word-planted-by-tests'}


class Rig:
    """sshd, health stand-ins, an inventory and its rendered tree, and ways to run playbooks."""

    def __init__(self, work: Path, sshd: SshServer) -> None:
        self.work = work
        self.sshd = sshd
        self.roots = work / "hosts"
        self.ports = {
            name: free_port("127.0.0.2") for name in ("manager", "scheduler", "seed", "peer")
        }
        self.health = HealthServers(
            {
                (HOSTS[h], self.ports[p]): 200
                for h in ("cp-1", "cp-2")
                for p in ("manager", "scheduler", "seed")
            }
            | {(HOSTS[h], self.ports["peer"]): 200 for h in ("vm-1", "vm-2")}
        ).start()
        self.changes: dict[str, Any] = {}
        for host in HOSTS:
            runtimehost.prepare(self.roots / host)

    def fleet(
        self,
        peer_vms: list[dict[str, Any]],
        *,
        version: str = "v2.1.28",
        **vpc: Any,
    ) -> dict[str, Any]:
        """The rig's inventory: its loopback hosts, its health ports, fast rollout policy.

        The health ports are set through each line's own override keys (v2.1's
        ``tcpListen``, the Rust client's ``server``).
        """
        listen = "server" if version.startswith("v2.5") else "tcpListen"
        return inventories.inventory(
            deployment={
                "dragonfly": {"version": version},
                "rollout": {
                    "ssh_port": self.sshd.port,
                    "canary": 1,
                    "batch_size": "100%",
                    "health_timeout": "4s",
                    "health_interval": "1s",
                },
                "overrides": {
                    "manager": {"server": {"rest": {"addr": f":{self.ports['manager']}"}}},
                    "scheduler": {"server": {"port": self.ports["scheduler"]}},
                    "seed_peer": {"health": {listen: {"port": self.ports["seed"]}}},
                    "peer": {"health": {listen: {"port": self.ports["peer"]}}},
                },
            },
            vpc={
                "control_plane": [
                    {"name": "cp-1", "ip": HOSTS["cp-1"]},
                    {"name": "cp-2", "ip": HOSTS["cp-2"]},
                ],
                "peer_vms": peer_vms,
                **vpc,
            },
        )

    def inventory(self) -> dict[str, Any]:
        base = self.fleet(
            [
                {
                    "name": "vm-1",
                    "ip": HOSTS["vm-1"],
                    "engine": "docker",
                    "runtimes": ["containerd", "docker"],
                },
                {
                    "name": "vm-2",
                    "ip": HOSTS["vm-2"],
                    "engine": "nerdctl",
                    "runtimes": ["containerd", "nydus"],
                },
            ],
            node_groups=[{"name": "gpu", "node_selector": {"pool": "gpu"}}],
            registries=[{"host": "docker.io"}, {"host": "ghcr.io"}],
            runtimes={"docker": {"live_restore": True}, "nydus": {"version": "v2.2.5"}},
        )
        vpc_changes = self.changes.get("vpc", {})
        base["vpcs"][0].update(vpc_changes)
        return base

    def render(self) -> Path:
        """Render the inventory; every host gets the nydusd release it declares."""
        data = self.inventory()
        inv = inventories.write(self.work / "inventory", data)
        assert main(["render", str(inv), "--output", str(self.tree)]) == 0
        nydus = data["vpcs"][0].get("runtimes", {}).get("nydus")
        for host in HOSTS:
            if nydus:
                runtimehost.install_nydusd(self.roots / host, nydus["version"])
        return self.tree

    @property
    def tree(self) -> Path:
        return self.work / "rendered" / "e2e"

    def extra_vars(self) -> dict[str, Any]:
        """Connection details and stand-ins; every host writes under its own root."""
        return host_vars(self.roots, self.work, self.sshd)

    @contextlib.contextmanager
    def secrets_in_env(self) -> Iterator[None]:
        """GENCFG_SECRET_<NAME> for every secret with a value, for the controller."""
        env = {f"GENCFG_SECRET_{k.upper()}": v for k, v in SECRETS.items()}
        old = {k: os.environ.get(k) for k in env}
        for key, value in env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        try:
            yield
        finally:
            for key, value in old.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    def run(self, playbook: str = "rollout.yml", *args: str) -> PlaybookResult:
        with self.secrets_in_env():
            return run_playbook_cli(
                PLAYBOOKS / playbook,
                self.tree / "ansible",
                self.extra_vars(),
                control_path_dir=self.sshd.control_path_dir,
                args=list(args),
            )

    def host_file(self, host: str, path: str) -> Path:
        return self.roots / host / path.lstrip("/")

    def calls(self, host: str) -> list[list[str]]:
        log = self.roots / host / "calls.log"
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    def reset_calls(self) -> None:
        for host in HOSTS:
            (self.roots / host / "calls.log").unlink(missing_ok=True)

    def stop(self) -> None:
        self.health.stop()


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    work = tmp_path_factory.mktemp("rollout")
    sshd = start_sshd(work / "sshd", list(HOSTS.values()), port=free_port("127.0.0.2"))
    rig = Rig(work, sshd)
    rig.render()
    yield rig
    rig.stop()
    sshd.stop()


def _manifest(tree: Path) -> dict[str, Any]:
    return json.loads((tree / "MANIFEST.json").read_text())["files"]


def _expected_bytes(tree: Path, rel: str) -> bytes:
    data = (tree / rel).read_text()
    for name, value in SECRETS.items():
        data = data.replace(f"@@GENCFG_SECRET:{name}@@", json.dumps(value)[1:-1])
    return data.encode()


def test_first_rollout_pushes_exactly_the_rendered_bytes(rig: Rig) -> None:
    result = rig.run()
    assert result.rc == 0, result.stdout
    for rel, entry in _manifest(rig.tree).items():
        for host in entry["owners"]:
            pushed = rig.host_file(host, entry["dest"])
            assert pushed.read_bytes() == _expected_bytes(rig.tree, rel), f"{host}:{entry['dest']}"
            mode = stat.S_IMODE(pushed.stat().st_mode)
            assert mode == (0o600 if entry["secrets"] else 0o644), (
                f"{host}:{entry['dest']} {oct(mode)}"
            )
    assert [
        "compose",
        "--project-directory",
        f"{rig.roots}/cp-1/opt/dragonfly",
        "up",
        "-d",
        "--remove-orphans",
    ] in rig.calls("cp-1")
    assert ["systemctl", "restart", "nydus-snapshotter"] in rig.calls("vm-2")
    assert ["systemctl", "restart", "docker"] in rig.calls("vm-1")
    for value in SECRETS.values():
        assert value not in result.stdout
        assert json.dumps(value)[1:-1] not in result.stdout


def test_second_rollout_changes_nothing(rig: Rig) -> None:
    rig.reset_calls()
    result = rig.run()
    assert result.rc == 0, result.stdout
    assert {host: counts["changed"] for host, counts in result.recap.items()} == dict.fromkeys(
        [*HOSTS, "localhost"], 0
    )
    assert all(rig.calls(host) == [] for host in HOSTS)


def test_removed_registry_is_removed_from_the_hosts(rig: Rig) -> None:
    certs = "/etc/containerd/certs.d/ghcr.io"
    assert rig.host_file("vm-1", certs + "/hosts.toml").exists()
    rig.changes = {"vpc": {"registries": [{"host": "docker.io"}]}}
    rig.render()
    result = rig.run("runtimes.yml")
    assert result.rc == 0, result.stdout
    for host in ("vm-1", "vm-2"):
        assert not rig.host_file(host, certs).exists(), host
        assert rig.host_file(host, "/etc/containerd/certs.d/docker.io/hosts.toml").exists()
    assert not rig.host_file("vm-2", "/etc/nydus/certs.d/ghcr.io").exists()


def test_unhealthy_canary_stops_the_rollout_and_is_rolled_back(rig: Rig) -> None:
    before = {
        h: rig.host_file(h, "/opt/dragonfly/config/scheduler.yaml").read_bytes()
        for h in ("cp-1", "cp-2")
    }
    rig.changes = {"vpc": {**rig.changes.get("vpc", {}), "location": "zone-b"}}
    rig.render()
    rig.health.status[(HOSTS["cp-1"], rig.ports["manager"])] = 500
    try:
        result = rig.run("control-plane.yml")
    finally:
        rig.health.status[(HOSTS["cp-1"], rig.ports["manager"])] = 200
    assert result.rc != 0
    assert result.recap["cp-1"]["failed"] == 1
    assert "cp-2" not in result.recap, "the rollout went past the failed canary"
    for host in ("cp-1", "cp-2"):
        assert (
            rig.host_file(host, "/opt/dragonfly/config/scheduler.yaml").read_bytes() == before[host]
        ), host
    assert not list(rig.host_file("cp-1", "/opt/dragonfly/config").glob("*~")), (
        "backups left behind"
    )


def test_late_health_endpoint_is_retried_until_it_passes(rig: Rig) -> None:
    endpoint = (HOSTS["cp-1"], rig.ports["manager"])
    rig.health.late[endpoint] = 2
    result = rig.run("control-plane.yml")
    assert result.rc == 0, result.stdout
    assert rig.health.late[endpoint] == 0
    assert b"zone-b" in rig.host_file("cp-2", "/opt/dragonfly/config/scheduler.yaml").read_bytes()


def test_check_mode_changes_nothing_and_hides_secrets(rig: Rig) -> None:
    rig.changes = {"vpc": {**rig.changes.get("vpc", {}), "location": "zone-c"}}
    rig.render()
    before = rig.host_file("cp-1", "/opt/dragonfly/config/scheduler.yaml").read_bytes()
    result = rig.run("control-plane.yml", "--check", "--diff")
    assert result.rc == 0, result.stdout
    assert "zone-c" in result.stdout  # the diff of a file without secrets is shown
    assert rig.host_file("cp-1", "/opt/dragonfly/config/scheduler.yaml").read_bytes() == before
    for value in SECRETS.values():
        assert value not in result.stdout


def test_missing_secret_stops_before_any_push(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(SECRETS, "jwt_key", None)  # type: ignore[arg-type]
    result = rig.run("rollout.yml")
    assert result.rc != 0
    assert "jwt_key" in result.stdout
    assert "cp-1" not in result.recap


def test_nothing_is_written_outside_gencfg_root(rig: Rig) -> None:
    allowed = {"etc", "opt", "var", "usr", "calls.log", "calls.running"}  # usr: the rig's nydusd
    for host in HOSTS:
        assert {p.name for p in (rig.roots / host).iterdir()} <= allowed, host


def teardown_module() -> None:
    shutil.rmtree(REPO / ".ansible", ignore_errors=True)


def test_gencfg_rollout_reports_per_host(
    rig: Rig, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same playbooks through ansible-runner: progress per host, the recap, exit 0."""
    for key, value in ansible_env(control_path_dir=rig.sshd.control_path_dir).items():
        if key.startswith("ANSIBLE_"):
            monkeypatch.setenv(key, value)
    with rig.secrets_in_env():
        rc = main(
            ["rollout", str(rig.tree), "--layer", "runtimes", "-e", json.dumps(rig.extra_vars())]
        )
    captured = capsys.readouterr()
    assert rc == 0, captured.out + captured.err
    assert "== Runtimes - containerd, docker, nydus" in captured.out
    for host in ("vm-1", "vm-2"):
        assert f"{host:26} ok (" in captured.out


def test_gencfg_rollout_reads_a_relative_vault_and_names_the_failure(
    rig: Rig,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """-e @vault.yml and the vault password file as typed, relative to where gencfg runs
    (ansible-runner runs Ansible elsewhere); without them, the failed task's reason."""
    for key, value in ansible_env(control_path_dir=rig.sshd.control_path_dir).items():
        if key.startswith("ANSIBLE_"):
            monkeypatch.setenv(key, value)
    (tmp_path / "vault-pass").write_text("vault-pass-planted-by-tests\n")
    (tmp_path / "vault.yml").write_text(json.dumps({"gencfg_secrets": SECRETS}))
    exe = shutil.which("ansible-vault")
    assert exe is not None
    subprocess.run(
        [exe, "encrypt", "--vault-password-file", "vault-pass", "vault.yml"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ANSIBLE_VAULT_PASSWORD_FILE", "vault-pass")
    extra = json.dumps(rig.extra_vars())
    rc = main(["rollout", str(rig.tree), "--layer", "preflight", "-e", "@vault.yml", "-e", extra])
    captured = capsys.readouterr()
    assert rc == 0, captured.out + captured.err
    for value in SECRETS.values():
        assert value not in captured.out + captured.err

    rc = main(["rollout", str(rig.tree), "--layer", "preflight", "-e", extra])
    captured = capsys.readouterr()
    assert rc == 4, captured.out + captured.err
    assert "localhost: Check that every secret has a value: No value for secret(s)" in (
        captured.err
    )
