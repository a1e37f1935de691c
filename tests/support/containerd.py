"""Run a private containerd (Debian 1.6.20) as a plain child process and drive
it with `ctr` (stdlib only).

    ctd = start_containerd()                 # own root/state/socket under a short temp dir
    res = ctd.pull("127.0.0.1:5000/test/tiny:1", hosts_dir=certs_d)
    ctd.remove_all_images()                  # so the next pull fetches every blob again
    ctd.stop()

`hosts_dir` is a certs.d-style directory (<ns>/hosts.toml).  Note that with
`ctr ... --hosts-dir` the registry resolution runs in the *ctr client* using
the same remotes/docker/config code that the CRI plugin uses for
`[plugins."io.containerd.grpc.v1.cri".registry] config_path`.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support.procs import Daemon, unix_socket_ready, wait_until

CONTAINERD_BIN = "containerd"
CTR_BIN = "ctr"


def overlay_supported() -> bool:
    try:
        return "overlay" in Path("/proc/filesystems").read_text()
    except OSError:
        return False


def render_containerd_config(base: Path) -> str:
    """config version 2 with everything under ``base``; the CRI plugin off (ctr only)."""
    return f"""version = 2
root = "{base / "root"}"
state = "{base / "state"}"
disabled_plugins = ["io.containerd.grpc.v1.cri"]

[grpc]
  address = "{base / "containerd.sock"}"

[ttrpc]
  address = "{base / "containerd.sock.ttrpc"}"

[plugins."io.containerd.internal.v1.opt"]
  path = "{base / "opt"}"
"""


@dataclass
class PullResult:
    returncode: int
    seconds: float
    output: str


class Containerd:
    def __init__(self, base: Path, daemon: Daemon, snapshotter: str) -> None:
        self.base = base
        self.daemon = daemon
        self.snapshotter = snapshotter
        self.socket = base / "containerd.sock"

    def ctr(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [CTR_BIN, "--address", str(self.socket), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def pull(
        self, ref: str, hosts_dir: Path | None = None, plain_http: bool = False, timeout: float = 60
    ) -> PullResult:
        """`ctr images pull`; a mirror that accepts but never answers blocks
        the pull indefinitely (no client timeout in 1.6), hence `timeout`."""
        args = ["images", "pull", "--snapshotter", self.snapshotter]
        if hosts_dir is not None:
            args += ["--hosts-dir", str(hosts_dir)]
        if plain_http:
            args.append("--plain-http")
        t0 = time.monotonic()
        try:
            cp = self.ctr(*args, ref, timeout=timeout)
            rc, out = cp.returncode, cp.stdout + cp.stderr
        except subprocess.TimeoutExpired as exc:
            rc, out = -1, f"timeout after {timeout}s: {exc}"
        return PullResult(rc, time.monotonic() - t0, out)

    def plugin_status(self, plugin_id: str) -> str:
        """'ok' | 'skip' | 'error' from `ctr plugins ls` (a broken CRI config
        does not stop containerd: the cri plugin just shows 'error')."""
        for line in self.ctr("plugins", "ls").stdout.splitlines()[1:]:
            cols = line.split()
            if len(cols) >= 4 and f"{cols[0]}.{cols[1]}" == plugin_id:
                return cols[-1]
        return "missing"

    def images(self, namespace: str = "default") -> list[str]:
        cp = self.ctr("-n", namespace, "images", "ls", "-q")
        return [line for line in cp.stdout.splitlines() if line.strip()]

    def remove_all_images(self) -> None:
        """Remove every image and garbage-collect synchronously: blobs are
        shared by digest, so removing only one ref can leave the content in
        place and the next pull then only HEADs the manifest."""
        for ns in ("default", "k8s.io"):  # ctr uses "default", CRI uses "k8s.io"
            refs = self.images(ns)
            if refs:
                self.ctr("-n", ns, "images", "rm", "--sync", *refs).check_returncode()
            left = self.ctr("-n", ns, "content", "ls", "-q").stdout.split()
            if left:
                self.ctr("-n", ns, "content", "rm", *left)

    def stop(self) -> None:
        self.daemon.stop()


def start_containerd(
    base: Path | None = None, snapshotter: str | None = None, timeout: float = 15
) -> Containerd:
    """Start containerd with its own config.  Keep `base` SHORT: unix socket
    paths are limited to 107 bytes, and pytest's tmp_path can exceed that."""
    if shutil.which(CONTAINERD_BIN) is None or shutil.which(CTR_BIN) is None:
        raise RuntimeError("containerd/ctr not installed (apt-get install containerd)")
    base = base or Path(tempfile.mkdtemp(prefix="ctd-", dir="/tmp"))
    if len(str(base / "containerd.sock.ttrpc")) > 104:
        raise ValueError(f"socket path too long for AF_UNIX: {base}")
    base.mkdir(parents=True, exist_ok=True)
    cfg = base / "config.toml"
    cfg.write_text(render_containerd_config(base))
    snapshotter = snapshotter or ("overlayfs" if overlay_supported() else "native")
    d = Daemon(
        [CONTAINERD_BIN, "--config", str(cfg), "--log-level", "info"], base / "containerd.log"
    )
    try:
        wait_until(lambda: d.ready(lambda: unix_socket_ready(base / "containerd.sock")), timeout)
    except BaseException:
        d.stop()
        raise
    return Containerd(base, d, snapshotter)
