"""What a real fleet needs from the rendered files, beyond validating (issue 14).

Each test renders a small inventory (or the examples) and reads the files the way the
program that loads them does: TLS roots of the v2.1 proxy, nydus range reads, the
DaemonSet's privileges and host files, what each compose engine honours, and where the
manager listens.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support import inventories

HARBOR = {
    "host": "harbor.internal.example:8443",
    "upstream": "https://harbor.internal.example:8443",
    "ca": ["/etc/pki/harbor/ca.crt"],
}


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def _peers(version: str, **vpc: Any) -> dict[str, Any]:
    return inventories.inventory(
        deployment={"dragonfly": {"version": version}},
        vpc={
            "registries": [{"host": "docker.io"}, {"host": "ghcr.io"}, HARBOR],
            "node_groups": [{"name": "gpu", "runtimes": ["containerd", "nydus"]}],
            "peer_vms": [
                {
                    "name": "vm-n",
                    "ip": "127.0.0.4",
                    "engine": "nerdctl",
                    "runtimes": ["containerd"],
                },
            ],
            "runtimes": {"nydus": {"version": "v2.2.5"}},
            **vpc,
        },
    )


def _configmap_peer(tree: Path, name: str) -> dict[str, Any]:
    data = _yaml(tree / "vpc-a/kubernetes/gpu/configmap.yaml")["data"]
    return yaml.safe_load(data[name])


def test_a_private_ca_is_added_to_the_roots_never_replaces_them_v21(
    cli: Any, tmp_path: Path
) -> None:
    """v2.1 registryMirror.certs *is* the root pool of every mirrored registry."""
    tree = inventories.render(cli, tmp_path, _peers("v2.1.28"))
    for dfget in (
        _yaml(tree / "vpc-a/peers/vm-n/dfget.yaml"),
        _configmap_peer(tree, "dfget.yaml"),
    ):
        assert "certs" not in dfget["proxy"]["registryMirror"]
    compose = _yaml(tree / "vpc-a/peers/vm-n/docker-compose.yaml")["services"]["dfdaemon"]
    cert_dirs = compose["environment"]["SSL_CERT_DIR"].split(":")
    assert cert_dirs[0] == "/etc/ssl/certs"  # the public roots stay
    mounted = [v.split(":") for v in compose["volumes"] if v.startswith("/etc/pki/harbor/")]
    assert len(mounted) == 1 and mounted[0][1].rsplit("/", 1)[0] in cert_dirs[1:]
    pod = _yaml(tree / "vpc-a/kubernetes/gpu/daemonset.yaml")["spec"]["template"]["spec"]
    env = {e["name"]: e["value"] for e in pod["containers"][0]["env"]}
    assert env["SSL_CERT_DIR"] == compose["environment"]["SSL_CERT_DIR"]


def test_hijacked_registries_keep_their_own_ca_per_host_v21(cli: Any, tmp_path: Path) -> None:
    data = _peers(
        "v2.1.28",
        peer_vms=[{"name": "vm-d", "ip": "127.0.0.4", "engine": "docker", "runtimes": ["docker"]}],
        runtimes={
            "nydus": {"version": "v2.2.5"},
            "docker": {"hijack_ca": {"cert": "/etc/df-ca/cert.pem", "key": "/etc/df-ca/key.pem"}},
        },
    )
    dfget = _yaml(inventories.render(cli, tmp_path, data) / "vpc-a/peers/vm-d/dfget.yaml")
    hosts = dfget["proxy"]["hijackHTTPS"]["hosts"]
    assert [h.get("certs") for h in hosts if "harbor" in h["regx"]] == [["/etc/pki/harbor/ca.crt"]]
    assert all("certs" not in h for h in hosts if "harbor" not in h["regx"])


def test_the_rust_client_is_given_no_registry_ca_v25(cli: Any, tmp_path: Path) -> None:
    """client v1.4.2: registryMirror.cert builds an empty root store plus that cert."""
    tree = inventories.render(cli, tmp_path, _peers("v2.5.1"))
    for dfdaemon in (
        _yaml(tree / "vpc-a/peers/vm-n/dfdaemon.yaml"),
        _configmap_peer(tree, "dfdaemon.yaml"),
    ):
        assert "cert" not in dfdaemon["proxy"]["registryMirror"]


@pytest.mark.parametrize(("version", "name"), [("v2.1.28", "dfget"), ("v2.5.1", "dfdaemon")])
def test_nydus_hosts_prefetch_whole_blobs(
    cli: Any, tmp_path: Path, version: str, name: str
) -> None:
    tree = inventories.render(cli, tmp_path, _peers(version))
    nydus = _configmap_peer(tree, f"{name}.yaml")
    plain = _yaml(tree / f"vpc-a/peers/vm-n/{name}.yaml")
    section = "download" if name == "dfget" else "proxy"
    assert nydus[section]["prefetch"] is True
    assert plain[section]["prefetch"] is False


@pytest.mark.parametrize("version", ["v2.1.28", "v2.5.1"])
def test_the_daemonset_has_no_host_pid_capabilities_or_strict_host_files(
    cli: Any, tmp_path: Path, version: str
) -> None:
    tree = inventories.render(cli, tmp_path, _peers(version))
    pod = _yaml(tree / "vpc-a/kubernetes/gpu/daemonset.yaml")["spec"]["template"]["spec"]
    assert "hostPID" not in pod
    assert all("securityContext" not in c for c in pod["containers"])
    types = {v["hostPath"].get("type") for v in pod["volumes"] if "hostPath" in v}
    assert types <= {"DirectoryOrCreate", "FileOrCreate"}, types


@pytest.mark.parametrize(("version", "name"), [("v2.1.28", "dfget"), ("v2.5.1", "dfdaemon")])
def test_compose_says_only_what_its_engine_honours(
    cli: Any, tmp_path: Path, version: str, name: str
) -> None:
    resources = {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "2", "memory": "2Gi"}}
    vms = [
        {
            "name": f"vm-{e}",
            "ip": ip,
            "engine": e,
            "runtimes": ["containerd"],
            "peer": {"resources": resources},
        }
        for e, ip in (("nerdctl", "127.0.0.4"), ("docker", "127.0.0.5"))
    ]
    tree = inventories.render(cli, tmp_path, _peers(version, peer_vms=vms))
    nerdctl = _yaml(tree / "vpc-a/peers/vm-nerdctl/docker-compose.yaml")["services"]["dfdaemon"]
    docker = _yaml(tree / "vpc-a/peers/vm-docker/docker-compose.yaml")["services"]["dfdaemon"]
    assert "healthcheck" not in nerdctl
    assert set(nerdctl["deploy"]["resources"]) == {"limits"}
    assert "healthcheck" in docker
    assert set(docker["deploy"]["resources"]) == {"limits", "reservations"}
    hosts = _yaml(tree / "ansible/hosts.yaml")["all"]["children"]["gencfg_peer_vms"]["hosts"]
    assert hosts["vm-nerdctl"]["gencfg_health"], "the playbook checks what compose cannot"
