"""containerd pulls through a rendered certs.d/<registry>/hosts.toml.

The local Dragonfly proxy is tried first, with the X-Dragonfly-Registry header naming
the registry's real upstream; when the proxy is down, containerd falls back to the
registry itself. Real components: containerd 1.6 (Debian package) driven by ``ctr``,
and Debian's docker-registry (distribution) as the origin registry. The dfdaemon proxy
is a stand-in (tests/support/dfproxy.py records each request and forwards it to the
origin the header names), because no Dragonfly binary can run on this machine.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from gencfg.cli import main
from tests.conftest import REPO
from tests.support import inventories
from tests.support.containerd import Containerd, start_containerd
from tests.support.dfproxy import RecordingProxy
from tests.support.oci import build_tiny_image, push_image
from tests.support.procs import free_port
from tests.support.registry import RegistryProcess, start_distribution_registry

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryProcess]:
    registry = start_distribution_registry(tmp_path_factory.mktemp("origin"))
    image = build_tiny_image({"hello.txt": b"pulled through gencfg's hosts.toml\n"})
    push_image(registry.url, "test/tiny", "1", image)
    push_image(registry.url, "library/tiny", "1", image)
    yield registry
    registry.stop()


@pytest.fixture(scope="module")
def containerd() -> Iterator[Containerd]:
    ctd = start_containerd()
    yield ctd
    ctd.stop()
    shutil.rmtree(ctd.base, ignore_errors=True)


def _render_certs_d(tmp: Path, origin: RegistryProcess, proxy_port: int) -> Path:
    """Render a VPC whose peer VM uses containerd, with the proxy on ``proxy_port``.

    ``registry.example`` is a namespace whose API lives elsewhere (the local registry),
    as Docker Hub's does: images are named registry.example/..., containerd reads
    certs.d/registry.example/, and the header must carry the API endpoint.
    """
    data = inventories.inventory(
        vpc={
            "peer_vms": [{"name": "vm-1", "ip": "127.0.0.4", "runtimes": ["containerd"]}],
            "registries": [
                {"host": origin.host, "upstream": origin.url},
                {"host": "registry.example", "upstream": origin.url},
            ],
            "overrides": {"peer": {"proxy": {"tcpListen": {"port": proxy_port}}}},
        }
    )
    inv = inventories.write(tmp / "inventory", data)
    out = tmp / "rendered"
    assert main(["render", str(inv), "--output", str(out)]) == 0
    return out / "vpc-a" / "runtime" / "containerd" / "certs.d"


def test_pull_goes_through_the_proxy_with_the_registry_header(
    tmp_path: Path, origin: RegistryProcess, containerd: Containerd
) -> None:
    with RecordingProxy() as proxy:
        certs_d = _render_certs_d(tmp_path, origin, proxy.port)
        containerd.remove_all_images()
        result = containerd.pull(f"{origin.host}/test/tiny:1", hosts_dir=certs_d)
        assert result.returncode == 0, result.output
        assert proxy.requests, "containerd did not try the Dragonfly proxy first"
        assert {r.headers.get("x-dragonfly-registry") for r in proxy.requests} == {origin.url}
        assert any("/blobs/sha256:" in r.path and r.status == 200 for r in proxy.requests)


def test_a_namespace_uses_its_api_endpoint_as_upstream(
    tmp_path: Path, origin: RegistryProcess, containerd: Containerd
) -> None:
    with RecordingProxy() as proxy:
        certs_d = _render_certs_d(tmp_path, origin, proxy.port)
        containerd.remove_all_images()
        result = containerd.pull("registry.example/library/tiny:1", hosts_dir=certs_d)
        assert result.returncode == 0, result.output
        assert {r.headers.get("x-dragonfly-registry") for r in proxy.requests} == {origin.url}
        assert all(r.query.get("ns") == ["registry.example"] for r in proxy.requests)


def test_docker_hub_directory_sends_the_api_endpoint() -> None:
    """certs.d/docker.io names Docker Hub's API host, never https://docker.io (GC501)."""
    text = (
        REPO / "rendered/example/vpc-a/runtime/containerd/certs.d/docker.io/hosts.toml"
    ).read_text()
    assert 'server = "https://index.docker.io"' in text
    assert 'X-Dragonfly-Registry = ["https://index.docker.io"]' in text
    assert "https://docker.io" not in text


def test_pull_falls_back_to_the_registry_when_the_proxy_is_down(
    tmp_path: Path, origin: RegistryProcess, containerd: Containerd
) -> None:
    proxy = RecordingProxy().start()
    certs_d = _render_certs_d(tmp_path, origin, proxy.port)
    proxy.stop()  # the port now refuses connections, as a dead dfdaemon's does
    containerd.remove_all_images()
    result = containerd.pull(f"{origin.host}/test/tiny:1", hosts_dir=certs_d, timeout=60)
    assert result.returncode == 0, result.output
    assert proxy.requests == []


def test_pull_fails_over_when_the_proxy_returns_errors(
    tmp_path: Path, origin: RegistryProcess, containerd: Containerd
) -> None:
    """A proxy answering 502 (its upstream unreachable) is skipped like a dead one."""
    with RecordingProxy(default_origin=f"http://127.0.0.1:{free_port()}") as proxy:
        certs_d = _render_certs_d(tmp_path, origin, proxy.port)
        text = (certs_d / origin.host / "hosts.toml").read_text()
        (certs_d / origin.host / "hosts.toml").write_text(
            text.replace(
                f'X-Dragonfly-Registry = ["{origin.url}"]',
                'X-Dragonfly-Registry = ["http://127.0.0.1:9"]',
            )
        )
        containerd.remove_all_images()
        result = containerd.pull(f"{origin.host}/test/tiny:1", hosts_dir=certs_d)
        assert result.returncode == 0, result.output
        assert proxy.requests and all(r.status == 502 for r in proxy.requests)


# --- the current line: the Rust client's proxy on its own default port -----------------

CLIENT_PROXY_PORT = 4001
"""proxy.server.port of the Rust client (v1.4.2 default); gencfg renders it unchanged."""


def _render_current_line(tmp: Path, origin: RegistryProcess) -> Path:
    """A v2.5.1 inventory with no port override: hosts.toml must name 127.0.0.1:4001."""
    data = inventories.inventory(
        deployment={"dragonfly": {"version": "v2.5.1"}},
        vpc={
            "peer_vms": [{"name": "vm-1", "ip": "127.0.0.4", "runtimes": ["containerd"]}],
            "registries": [{"host": origin.host, "upstream": origin.url}],
        },
    )
    inv = inventories.write(tmp / "inventory", data)
    out = tmp / "rendered"
    assert main(["render", str(inv), "--output", str(out)]) == 0
    peer = (out / "vpc-a/peers/vm-1/dfdaemon.yaml").read_text()
    assert f"port: {CLIENT_PROXY_PORT}" in peer
    return out / "vpc-a" / "runtime" / "containerd" / "certs.d"


def test_current_line_pull_goes_through_the_client_proxy_port(
    tmp_path: Path, origin: RegistryProcess, containerd: Containerd
) -> None:
    """The stand-in listens where the Rust client would (4001) and forwards by header.

    The Rust client always honours X-Dragonfly-Registry (no v2.1-style ``dynamic``
    switch), so the stand-in's header-based forwarding is its real behaviour here.
    """
    certs_d = _render_current_line(tmp_path, origin)
    with RecordingProxy(port=CLIENT_PROXY_PORT) as proxy:
        containerd.remove_all_images()
        result = containerd.pull(f"{origin.host}/test/tiny:1", hosts_dir=certs_d)
        assert result.returncode == 0, result.output
        assert {r.headers.get("x-dragonfly-registry") for r in proxy.requests} == {origin.url}
        assert any("/blobs/sha256:" in r.path and r.status == 200 for r in proxy.requests)


def test_current_line_pull_falls_back_when_the_client_is_down(
    tmp_path: Path, origin: RegistryProcess, containerd: Containerd
) -> None:
    certs_d = _render_current_line(tmp_path, origin)
    proxy = RecordingProxy(port=CLIENT_PROXY_PORT).start()
    proxy.stop()  # nothing listens on 4001 now, as when the client is down
    containerd.remove_all_images()
    result = containerd.pull(f"{origin.host}/test/tiny:1", hosts_dir=certs_d, timeout=60)
    assert result.returncode == 0, result.output
    assert proxy.requests == []
