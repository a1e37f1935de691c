"""A private OpenSSH server on several loopback addresses, as root, without
systemd or PAM (stdlib only).

    srv = start_sshd(workdir, addresses=["127.0.0.2", "127.0.0.3"], port=2222)
    srv.write_inventory(workdir / "inventory.ini", gencfg_root=workdir / "hosts")
    ...
    srv.stop()

One sshd process listens on every address (ListenAddress per address);
127.0.0.0/8 is routed to `lo` on Linux, so .2-.254 need no setup.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.support.procs import Daemon, port_open, wait_until

SSHD_BIN = "/usr/sbin/sshd"
PRIVSEP_DIR = Path("/run/sshd")  # Debian's sshd refuses to start without it


@dataclass
class SshServer:
    daemon: Daemon
    addresses: list[str]
    port: int
    client_key: Path  # private key for root
    workdir: Path

    def ssh_args(self) -> list[str]:
        """Extra args for ansible_ssh_common_args / plain ssh."""
        return [
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "LogLevel=ERROR",
        ]

    def ssh(
        self, address: str, command: str, timeout: float = 30
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                "ssh",
                "-i",
                str(self.client_key),
                "-p",
                str(self.port),
                "-o",
                "BatchMode=yes",
                *self.ssh_args(),
                f"root@{address}",
                command,
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    @property
    def control_path_dir(self) -> Path:
        """Point ANSIBLE_SSH_CONTROL_PATH_DIR here (see ansible_helpers.ansible_env)."""
        d = self.workdir / "cp"
        d.mkdir(mode=0o700, exist_ok=True)
        return d

    def close_control_masters(self) -> None:
        """Ansible's ssh uses ControlPersist=60s: the client mux and the
        server-side session (`sshd: root@notty`, setsid'ed, so not in our
        process group) outlive both the playbook and the listening sshd.
        A stopped sshd then still 'answers' over the old mux."""
        for sock in self.control_path_dir.iterdir():
            subprocess.run(
                ["ssh", "-O", "exit", "-o", f"ControlPath={sock}", "x"],
                capture_output=True,
                timeout=10,
            )

    def stop(self) -> None:
        self.close_control_masters()
        self.daemon.stop()


def _keygen(path: Path, comment: str) -> None:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)], check=True
    )


def start_sshd(
    workdir: Path, addresses: list[str], port: int = 2222, timeout: float = 10
) -> SshServer:
    if os.geteuid() != 0:
        raise RuntimeError("sshd root login test needs root")
    if not Path(SSHD_BIN).exists() or shutil.which("ssh") is None:
        raise RuntimeError("apt-get install -y openssh-server openssh-client")
    workdir.mkdir(parents=True, exist_ok=True)
    PRIVSEP_DIR.mkdir(mode=0o755, exist_ok=True)
    host_key = workdir / "ssh_host_ed25519_key"
    client_key = workdir / "id_ed25519"
    if not host_key.exists():
        _keygen(host_key, "gencfg-test-host")
    if not client_key.exists():
        _keygen(client_key, "gencfg-test-client")
    auth_keys = workdir / "authorized_keys"
    auth_keys.write_text(client_key.with_suffix(".pub").read_text())
    auth_keys.chmod(0o600)
    cfg = workdir / "sshd_config"
    cfg.write_text(
        "\n".join(
            [
                f"Port {port}",
                *[f"ListenAddress {a}" for a in addresses],
                f"HostKey {host_key}",
                f"PidFile {workdir / 'sshd.pid'}",
                f"AuthorizedKeysFile {auth_keys}",
                "PermitRootLogin prohibit-password",
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                "StrictModes no",  # the key files live under world-writable /tmp
                "UseDNS no",
                "MaxStartups 100:30:200",  # ansible forks open many connections at once
                "MaxSessions 50",
                "Subsystem sftp /usr/lib/openssh/sftp-server",
                "LogLevel INFO",
                "",
            ]
        )
    )
    # Validate first: `sshd -t` gives a readable error instead of a dead daemon.
    subprocess.run([SSHD_BIN, "-t", "-f", str(cfg)], check=True, capture_output=True, text=True)
    # -D: stay in foreground (our child), -e: log to stderr (our log file).
    d = Daemon([SSHD_BIN, "-D", "-e", "-f", str(cfg)], workdir / "sshd.log")
    try:
        wait_until(lambda: d.ready(lambda: all(port_open(a, port) for a in addresses)), timeout)
    except BaseException:
        d.stop()
        raise
    return SshServer(d, list(addresses), port, client_key, workdir)
