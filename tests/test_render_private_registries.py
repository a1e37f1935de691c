"""Private registries reach the manager's preheat and Kruise's pre-pull (issue 14, item 7).

Each test renders a small inventory and reads the files as the program that loads them
does: the manager's ``job.preheat.tls`` and its compose mount, the generated Ansible
inventory's CA bundle recipe, the pre-pull jobs' ``pullSecrets`` and their Secret.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support import inventories

CA = "/etc/pki/harbor/ca.crt"
LINES = ["v2.1.28", "v2.5.1"]


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def _inventory(version: str, *registries: dict[str, Any], **vpc: Any) -> dict[str, Any]:
    return inventories.inventory(
        deployment={"dragonfly": {"version": version}},
        vpc={
            "control_plane": [
                {"name": "cp-1", "ip": "127.0.0.2"},
                {"name": "cp-2", "ip": "127.0.0.3", "components": ["scheduler", "seed_peer"]},
            ],
            "registries": [{"host": "docker.io"}, *registries],
            **vpc,
        },
    )


def _host_vars(tree: Path, host: str) -> dict[str, Any]:
    hosts = _yaml(tree / "ansible/hosts.yaml")["all"]["children"]
    return dict(hosts["gencfg_control_plane"]["hosts"][host])


# --- b) the manager's preheat trusts the system roots and the private CAs ---------------


@pytest.mark.parametrize("version", LINES)
def test_manager_preheat_trusts_a_bundle_assembled_on_the_vm(
    cli: Any, tmp_path: Path, version: str
) -> None:
    harbor = {"host": "harbor.example:8443", "ca": [CA, "/etc/pki/harbor/intermediate.crt"]}
    tree = inventories.render(cli, tmp_path, _inventory(version, harbor))
    manager = _yaml(tree / "vpc-a/control-plane/cp-1/manager.yaml")
    assert manager["job"]["preheat"]["tls"] == {"caCert": "/etc/dragonfly/preheat-ca-bundle.pem"}
    service = _yaml(tree / "vpc-a/control-plane/cp-1/docker-compose.yaml")["services"]["manager"]
    mount = "./config/preheat-ca-bundle.pem:/etc/dragonfly/preheat-ca-bundle.pem:ro"
    assert mount in service["volumes"]
    assert _host_vars(tree, "cp-1")["gencfg_ca_bundles"] == [
        {
            "dest": "/opt/dragonfly/config/preheat-ca-bundle.pem",
            "restart": "manager",
            "cas": ["/etc/pki/harbor/ca.crt", "/etc/pki/harbor/intermediate.crt"],
        }
    ]
    # A VM without a manager needs no bundle.
    assert "gencfg_ca_bundles" not in _host_vars(tree, "cp-2")


@pytest.mark.parametrize("version", LINES)
def test_without_a_private_ca_the_manager_keeps_its_own_roots(
    cli: Any, tmp_path: Path, version: str
) -> None:
    """No caCert at all: the manager then uses its image's system roots, as upstream."""
    skipped = {"host": "private.example", "ca": [CA], "preheat": False}
    tree = inventories.render(cli, tmp_path, _inventory(version, {"host": "ghcr.io"}, skipped))
    assert "job" not in _yaml(tree / "vpc-a/control-plane/cp-1/manager.yaml")
    service = _yaml(tree / "vpc-a/control-plane/cp-1/docker-compose.yaml")["services"]["manager"]
    assert not [v for v in service["volumes"] if "preheat-ca-bundle" in v]
    assert "gencfg_ca_bundles" not in _host_vars(tree, "cp-1")


def test_manager_never_skips_tls_verification_for_preheat(cli: Any, tmp_path: Path) -> None:
    """v2.5's job.preheat.tls.insecureSkipVerify would apply to every registry."""
    insecure = {"host": "lab.example", "skip_verify": True, "ca": [CA]}
    tree = inventories.render(cli, tmp_path, _inventory("v2.5.1", insecure))
    tls = _yaml(tree / "vpc-a/control-plane/cp-1/manager.yaml")["job"]["preheat"]["tls"]
    assert "insecureSkipVerify" not in tls


# --- c) Kruise pre-pulls a private registry's images with a pull Secret -----------------

HARBOR_LOGIN = {"username": "robot$ci", "password": {"secret": "harbor_password"}}


def _prepull(version: str, **harbor: Any) -> dict[str, Any]:
    return inventories.inventory(
        deployment={"dragonfly": {"version": version}},
        secrets={"harbor_password": {}, "preheat_token": {}},
        vpc={
            "registries": [
                {"host": "docker.io"},
                {"host": "ghcr.io"},
                {"host": "harbor.example:8443", **harbor},
            ],
            "node_groups": [{"name": "gpu", "prepull": {}}],
            "preheat": {
                "token": {"secret": "preheat_token"},
                "images": [{"image": "ghcr.io/org/app:1"}, {"image": "harbor.example:8443/t/m:2"}],
            },
        },
    )


@pytest.mark.parametrize("version", LINES)
def test_prepull_jobs_of_a_private_registry_name_a_pull_secret_with_placeholders(
    cli: Any, tmp_path: Path, version: str
) -> None:
    tree = inventories.render(cli, tmp_path, _prepull(version, credentials=HARBOR_LOGIN))
    group = tree / "vpc-a/kubernetes/gpu"
    secret = _yaml(group / "pullsecret.yaml")
    assert (secret["kind"], secret["type"]) == ("Secret", "kubernetes.io/dockerconfigjson")
    assert secret["metadata"]["namespace"] == "dragonfly-system"
    assert secret["metadata"]["labels"]["gencfg.io/deployment"] == "e2e"
    config = json.loads(secret["stringData"][".dockerconfigjson"])
    assert config == {
        "auths": {
            "harbor.example:8443": {
                "username": "robot$ci",
                "password": "@@GENCFG_SECRET:harbor_password@@",
            }
        }
    }
    jobs = {
        doc["spec"]["images"][0]: doc["spec"]
        for doc in map(_yaml, sorted(group.glob("imagelistpulljob-*.yaml")))
    }
    assert jobs["harbor.example:8443/t/m:2"]["pullSecrets"] == ["prepull-gpu-registries"]
    assert "pullSecrets" not in jobs["ghcr.io/org/app:1"]
    manifest = json.loads((tree / "MANIFEST.json").read_text())["files"]
    assert manifest["vpc-a/kubernetes/gpu/pullsecret.yaml"]["secrets"] is True
    k8s = _yaml(tree / "ansible/group_vars/all.yaml")["gencfg_kubernetes"]["vpc-a"]
    # Only the preheat layer applies it (filled); the Kubernetes layer prunes it.
    assert k8s["pull_secrets"] == [
        {
            "file": "vpc-a/kubernetes/gpu/pullsecret.yaml",
            "name": "prepull-gpu-registries",
            "namespace": "dragonfly-system",
        }
    ]
    assert "vpc-a/kubernetes/gpu/pullsecret.yaml" not in k8s["manifests"]
    assert "secret/dragonfly-system/prepull-gpu-registries" in k8s["objects"]


def test_a_login_gives_the_job_a_new_name(cli: Any, tmp_path: Path) -> None:
    """Kruise never re-runs a finished job: one that failed without a login must be new."""
    names = []
    for n, harbor in enumerate(({}, {"credentials": HARBOR_LOGIN})):
        tree = inventories.render(cli, tmp_path / str(n), _prepull("v2.1.28", **harbor))
        jobs = map(_yaml, sorted((tree / "vpc-a/kubernetes/gpu").glob("imagelistpulljob-*.yaml")))
        names.append({j["spec"]["images"][0]: j["metadata"]["name"] for j in jobs})
    assert names[0]["ghcr.io/org/app:1"] == names[1]["ghcr.io/org/app:1"]
    assert names[0]["harbor.example:8443/t/m:2"] != names[1]["harbor.example:8443/t/m:2"]


def test_docker_hub_logins_use_the_credential_providers_key(cli: Any, tmp_path: Path) -> None:
    data = _prepull("v2.1.28")
    data["vpcs"][0]["registries"][0]["credentials"] = HARBOR_LOGIN
    data["vpcs"][0]["preheat"]["images"].append({"image": "nginx:1.25"})
    tree = inventories.render(cli, tmp_path, data)
    secret = _yaml(tree / "vpc-a/kubernetes/gpu/pullsecret.yaml")
    assert list(json.loads(secret["stringData"][".dockerconfigjson"])["auths"]) == [
        "https://index.docker.io/v1/"
    ]


def test_no_login_no_pull_secret(cli: Any, tmp_path: Path) -> None:
    tree = inventories.render(cli, tmp_path, _prepull("v2.5.1"))
    assert not (tree / "vpc-a/kubernetes/gpu/pullsecret.yaml").exists()
    k8s = _yaml(tree / "ansible/group_vars/all.yaml")["gencfg_kubernetes"]["vpc-a"]
    assert k8s["pull_secrets"] == []


# --- d) v2.1: one registry's skip_verify does not turn verification off for all --------


def _v21_peers(*registries: dict[str, Any]) -> dict[str, Any]:
    return inventories.inventory(
        vpc={
            "registries": list(registries),
            "peer_vms": [{"name": "vm-1", "ip": "127.0.0.4", "runtimes": ["docker"]}],
            "runtimes": {
                "docker": {
                    "live_restore": True,
                    "hijack_ca": {"cert": "/etc/df-ca/cert.pem", "key": "/etc/df-ca/key.pem"},
                }
            },
        },
    )


def test_one_insecure_registry_leaves_the_mirror_verifying(cli: Any, tmp_path: Path) -> None:
    """v2.1.28 RegistryMirror.TLSConfig: one InsecureSkipVerify for every registry."""
    lab = {"host": "lab.example:5000", "skip_verify": True}
    tree = inventories.render(cli, tmp_path, _v21_peers({"host": "docker.io"}, lab))
    proxy = _yaml(tree / "vpc-a/peers/vm-1/dfget.yaml")["proxy"]
    assert proxy["registryMirror"]["insecure"] is False
    # hijackHTTPS hosts carry their own insecure: only the lab registry's host skips.
    hosts = {h["regx"]: h.get("insecure", False) for h in proxy["hijackHTTPS"]["hosts"]}
    assert hosts["^lab\\.example:5000$"] is True
    assert not [regx for regx, insecure in hosts.items() if insecure and "lab" not in regx]


def test_when_every_registry_is_insecure_the_mirror_is_too(cli: Any, tmp_path: Path) -> None:
    lab = {"host": "lab.example:5000", "skip_verify": True}
    tree = inventories.render(cli, tmp_path, _v21_peers(lab))
    proxy = _yaml(tree / "vpc-a/peers/vm-1/dfget.yaml")["proxy"]
    assert proxy["registryMirror"]["insecure"] is True
