"""What a runtime host of the rollout rigs holds before gencfg touches it.

The rollout's preflight checks these on every runtime host (playbooks/library/
gencfg_prereq.py), so every rig's host starts as a well-prepared one would: Docker with
live-restore, containerd's config.toml pointing config_path at certs.d (read by the
real containerd of this machine, ``containerd --config ... config dump``),
nydus-snapshotter's config.toml reading what gencfg writes, and nydusd of the release
the inventory declares (tests/support/nydusd.py, a stand-in: no nydusd runs here).
"""

from __future__ import annotations

import re
from pathlib import Path

NYDUSD = Path(__file__).resolve().parent / "nydusd.py"
NYDUSD_RELEASE = "usr/local/bin/nydusd.release"
HOST_FILES = frozenset(
    {
        "etc/docker/daemon.json",
        "etc/containerd/config.toml",
        "etc/nydus/config.toml",
        NYDUSD_RELEASE,
    }
)
"""The host's own files (prepare, install_nydusd): never gencfg's to push or remove."""

CONTAINERD_CONFIG = """\
version = 2

[plugins."io.containerd.grpc.v1.cri".registry]
  config_path = "/etc/containerd/certs.d"
"""
CONTAINERD_WITHOUT_CONFIG_PATH = """\
version = 2

[plugins."io.containerd.grpc.v1.cri".containerd]
  snapshotter = "overlayfs"
"""
CONTAINERD_WITH_MIRRORS = (
    CONTAINERD_CONFIG
    + """
[plugins."io.containerd.grpc.v1.cri".registry.mirrors."docker.io"]
  endpoint = ["https://mirror.example.invalid"]
"""
)
SNAPSHOTTER_CONFIG = """\
version = 1

[daemon]
nydusd_config = "/etc/nydus/nydusd-config.fusedev.json"

[remote.mirrors_config]
dir = "/etc/nydus/certs.d"
"""


def prepare(root: Path) -> None:
    """A host's Docker, containerd and nydus-snapshotter configs under ``root``."""
    for path, text in (
        ("etc/docker/daemon.json", '{"live-restore": true}\n'),
        ("etc/containerd/config.toml", CONTAINERD_CONFIG),
        ("etc/nydus/config.toml", SNAPSHOTTER_CONFIG),
    ):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)


def set_containerd_config(root: Path, text: str) -> None:
    """Replace the host's /etc/containerd/config.toml."""
    (root / "etc/containerd/config.toml").write_text(text)


def install_nydusd(root: Path, release: str) -> None:
    """The nydusd release ``nydusd --version`` reports on the host."""
    (root / NYDUSD_RELEASE).parent.mkdir(parents=True, exist_ok=True)
    (root / NYDUSD_RELEASE).write_text(release + "\n")


def nydusd_command(root: str) -> str:
    """gencfg_nydusd_command for a host whose root is ``root`` (may be a Jinja expression)."""
    return f"{NYDUSD} {root}/{NYDUSD_RELEASE}"


def containerd_release(version_output: str) -> str:
    """``1.6.20`` from ``containerd --version``'s output."""
    match = re.search(r"\sv?(\d+\.\d+\.\d+)", version_output)
    assert match is not None, version_output
    return match.group(1)
