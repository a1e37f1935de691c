"""A real OCI registry on 127.0.0.1 for tests: Debian's docker-registry (distribution)."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from tests.support.procs import Daemon, free_port, port_open, wait_until

DOCKER_REGISTRY_BIN = "docker-registry"  # Debian package docker-registry


@dataclass
class RegistryProcess:
    daemon: Daemon
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.daemon.stop()


def start_distribution_registry(workdir: Path, port: int | None = None) -> RegistryProcess:
    """Run `docker-registry serve config.yml` with storage under `workdir`."""
    if shutil.which(DOCKER_REGISTRY_BIN) is None:
        raise RuntimeError("docker-registry not installed (apt-get install docker-registry)")
    workdir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    storage = workdir / "storage"
    storage.mkdir(exist_ok=True)
    cfg = workdir / "config.yml"
    # JSON is valid YAML: no PyYAML needed.
    cfg.write_text(
        json.dumps(
            {
                "version": 0.1,
                "log": {"level": "info", "accesslog": {"disabled": False}},
                "storage": {
                    "filesystem": {"rootdirectory": str(storage)},
                    "delete": {"enabled": True},
                },
                "http": {"addr": f"127.0.0.1:{port}", "secret": "gencfg-test"},
            }
        )
    )
    d = Daemon([DOCKER_REGISTRY_BIN, "serve", str(cfg)], workdir / "registry.log")
    try:
        wait_until(lambda: d.ready(lambda: port_open("127.0.0.1", port)), timeout=15)
    except BaseException:
        d.stop()
        raise
    return RegistryProcess(d, port)
