"""The preflight's host checks (playbooks/library/gencfg_prereq.py), host by host.

Each case is a host's files under a root prefix, as on the rollout rig. containerd is
the real one installed on this machine (its ``--version`` and ``config dump``, which
prints the effective config: imports merged, older config versions migrated). nydusd
cannot run here: tests/support/nydusd.py answers ``--version`` as it does. Releases of
containerd this machine does not have (1.4, 2.3) are a runner answering as they do.
The SSH tests (tests/test_rollout_prereq.py) run the same module through Ansible.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from tests.support.ansible import load_plugin

NYDUSD = REPO / "tests" / "support" / "nydusd.py"
CERTS = "/etc/containerd/certs.d"
CRI = '[plugins."io.containerd.grpc.v1.cri".registry]'


prereq = load_plugin("library", "gencfg_prereq")


def _write(root: Path, path: str, text: str) -> Path:
    target = root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    return target


def _params(**changes: Any) -> dict[str, Any]:
    requirements = {
        "containerd": {"certs_dir": CERTS, "registries": ["docker.io", "ghcr.io"], "version": None}
    }
    params: dict[str, Any] = {
        "runtimes": ["containerd"],
        "requirements": requirements,
        "containerd_command": "containerd",
        "containerd_config": "/etc/containerd/config.toml",
        "nydusd_command": "nydusd",
        "snapshotter_config": "/etc/nydus/config.toml",
    }
    params.update(changes)
    return params


def _check(root: Path, params: dict[str, Any], run: Callable[..., Any] | None = None) -> list[str]:
    return list(prereq.check(prereq.Host(str(root), run or prereq.run_command), params))


def _containerd(root: Path, text: str, **changes: Any) -> list[str]:
    _write(root, "/etc/containerd/config.toml", text)
    return _check(root, _params(**changes))


def _real_containerd_release() -> str:
    out = prereq.run_command(["containerd", "--version"])[1]
    return prereq.dotted(prereq.release(out))


# --- containerd, with the real binary -------------------------------------------------


def test_containerd_config_path_on_certs_dir_passes(tmp_path: Path) -> None:
    assert _containerd(tmp_path, f'version = 2\n{CRI}\n  config_path = "{CERTS}"\n') == []


def test_containerd_without_config_path_fails_with_the_key_to_set(tmp_path: Path) -> None:
    problems = _containerd(tmp_path, "version = 2\n")
    assert problems == [
        f"containerd: /etc/containerd/config.toml sets no registry config_path, so containerd "
        f'never reads {CERTS}: set config_path = "{CERTS}" under {CRI} in '
        f"/etc/containerd/config.toml and restart containerd"
    ]


def test_containerd_mirrors_with_config_path_are_refused(tmp_path: Path) -> None:
    """containerd's CRI plugin refuses `mirrors` together with `config_path`."""
    text = (
        f'version = 2\n{CRI}\n  config_path = "{CERTS}"\n'
        f'{CRI[:-1]}.mirrors."docker.io"]\n  endpoint = ["https://mirror.example"]\n'
    )
    (problem,) = _containerd(tmp_path, text)
    assert "sets registry.mirrors (docker.io) together with config_path" in problem
    assert "remove the mirrors tables" in problem


def test_containerd_legacy_mirrors_alone_are_replaced(tmp_path: Path) -> None:
    text = f'version = 2\n{CRI[:-1]}.mirrors."docker.io"]\n  endpoint = ["https://m.example"]\n'
    (problem,) = _containerd(tmp_path, text)
    assert "uses the legacy registry.mirrors (docker.io) and no config_path" in problem


def test_containerd_configs_tls_is_reported(tmp_path: Path) -> None:
    text = (
        f'version = 2\n{CRI}\n  config_path = "{CERTS}"\n'
        f'{CRI[:-1]}.configs."ghcr.io".tls]\n  insecure_skip_verify = true\n'
        f'{CRI[:-1]}.configs."quay.io".auth]\n  username = "u"\n'
    )
    (problem,) = _containerd(tmp_path, text)
    assert "registry.configs.<host>.tls for ghcr.io," in problem


def test_containerd_config_path_elsewhere_fails(tmp_path: Path) -> None:
    (problem,) = _containerd(
        tmp_path, f'version = 2\n{CRI}\n  config_path = "/etc/docker/certs.d"\n'
    )
    assert 'config_path = "/etc/docker/certs.d" does not include /etc/containerd/certs.d' in problem


def test_containerd_earlier_directory_shadowing_a_registry_fails(tmp_path: Path) -> None:
    """containerd takes the first root of config_path that has the host (or _default)."""
    text = f'version = 2\n{CRI}\n  config_path = "/etc/docker/certs.d:{CERTS}"\n'
    assert _containerd(tmp_path, text) == []
    (tmp_path / "etc/docker/certs.d/_default").mkdir(parents=True)
    problems = _containerd(tmp_path, text)
    assert len(problems) == 2  # docker.io and ghcr.io
    assert problems[0].startswith(
        "containerd: /etc/docker/certs.d/_default exists and containerd reads it instead of "
        "/etc/containerd/certs.d/docker.io/hosts.toml"
    )


def test_containerd_port_directory_shadows_a_registry_with_a_port(tmp_path: Path) -> None:
    """For host:port containerd looks up <root>/host_port_ before <root>/host:port."""
    text = f'version = 2\n{CRI}\n  config_path = "{CERTS}"\n'
    requirements = {
        "containerd": {"certs_dir": CERTS, "registries": ["harbor.example:8443"], "version": None}
    }
    assert _containerd(tmp_path, text, requirements=requirements) == []
    (tmp_path / "etc/containerd/certs.d/harbor.example_8443_").mkdir(parents=True)
    (problem,) = _containerd(tmp_path, text, requirements=requirements)
    assert problem.startswith(
        "containerd: /etc/containerd/certs.d/harbor.example_8443_ exists and containerd reads "
        "it instead of /etc/containerd/certs.d/harbor.example:8443/hosts.toml"
    )


def test_containerd_1x_ignores_a_version_3_config(tmp_path: Path) -> None:
    """containerd 1.x reads no io.containerd.cri.v1.images table: config dump shows it."""
    images = '[plugins."io.containerd.cri.v1.images".registry]'
    text = f'version = 3\n{images}\n  config_path = "{CERTS}"\n'
    (problem,) = _containerd(tmp_path, text)
    assert "sets no registry config_path" in problem
    assert '[plugins."io.containerd.cri.v1.images".registry]' in problem


def test_containerd_imports_are_merged(tmp_path: Path) -> None:
    drop_in = _write(
        tmp_path,
        "/etc/containerd/conf.d/registry.toml",
        f'version = 2\n{CRI}\n  config_path = "{CERTS}"\n',
    )
    assert _containerd(tmp_path, f'version = 2\nimports = ["{drop_in}"]\n') == []


def test_containerd_unreadable_config_is_reported(tmp_path: Path) -> None:
    (problem,) = _containerd(tmp_path, "version = 2\n[plugins\n")
    assert problem.startswith("containerd: cannot load /etc/containerd/config.toml: ")
    assert problem.endswith(": fix the file")


def test_containerd_missing_config_is_reported(tmp_path: Path) -> None:
    (problem,) = _check(tmp_path, _params())
    assert problem.startswith("containerd: /etc/containerd/config.toml is missing: create it")


def test_containerd_release_must_match_the_declared_one(tmp_path: Path) -> None:
    text = f'version = 2\n{CRI}\n  config_path = "{CERTS}"\n'
    installed = _real_containerd_release()
    declared = {"certs_dir": CERTS, "registries": [], "version": installed}
    assert _containerd(tmp_path, text, requirements={"containerd": declared}) == []
    declared["version"] = "v9.9.9"
    (problem,) = _containerd(tmp_path, text, requirements={"containerd": declared})
    assert problem == (
        f"containerd: {installed} is installed but the inventory declares "
        "runtimes.containerd.version v9.9.9: upgrade the host or correct the inventory"
    )


def _answering(version: str, dump: str = "") -> Callable[[list[str]], tuple[int, str, str]]:
    """containerd of a release this machine does not have: its --version and config dump."""

    def run(argv: list[str]) -> tuple[int, str, str]:
        if argv[-1] == "--version":
            return 0, f"containerd github.com/containerd/containerd/v2 {version} 0123abc\n", ""
        return 0, dump, ""

    return run


def test_containerd_before_1_5_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, "/etc/containerd/config.toml", "")
    dump = f'version = 2\n{CRI}\n  config_path = "{CERTS}"\n'
    (problem,) = _check(tmp_path, _params(), _answering("v1.4.13", dump))
    assert problem.startswith("containerd: 1.4.13 predates registry config_path (1.5)")


def test_containerd_2_2_defaults_config_path_to_certs_d(tmp_path: Path) -> None:
    """From 2.2 an unset config_path means /etc/containerd/certs.d:/etc/docker/certs.d."""
    _write(tmp_path, "/etc/containerd/config.toml", "version = 3\n")
    dump = 'version = 3\n[plugins."io.containerd.cri.v1.images".registry]\n  config_path = ""\n'
    assert _check(tmp_path, _params(), _answering("v2.3.0", dump)) == []
    assert _check(tmp_path, _params(), _answering("v2.1.4", dump)) != []


def test_containerd_missing_binary_falls_back_to_the_file(tmp_path: Path) -> None:
    params = _params(containerd_command="containerd-not-installed")
    _write(
        tmp_path, "/etc/containerd/config.toml", f'version = 2\n{CRI}\n  config_path = "{CERTS}"\n'
    )
    assert _check(tmp_path, params) == []
    _write(tmp_path, "/etc/containerd/config.toml", "version = 2\n")
    (problem,) = _check(tmp_path, params)
    assert "sets no registry config_path" in problem
    params["requirements"]["containerd"]["version"] = "1.7.24"
    problems = _check(tmp_path, params)
    assert problems[0].startswith(
        "containerd: `containerd-not-installed` is not found, so its release cannot be compared"
    )


SNAPSHOTTER_TOML = """\
version = 1
root = "/var/lib/containerd-nydus"   # comment
[daemon]
nydusd_config = "/etc/nydus/nydusd-config.fusedev.json"
nydusd_path = "/usr/local/bin/nydusd"
threads_number = 4
[remote]
convert_vpc_registry = false
[remote.mirrors_config]
dir = '/etc/nydus/certs.d'
[remote.auth]
enable_kubeconfig_keychain = false
"""


def test_mini_toml_reads_what_tomllib_reads() -> None:
    """Hosts without Python 3.11 parse with the module's own reader: same result."""
    import tomllib

    containerd = (
        'version = 2\nimports = ["/a.toml",\n  "/b.toml"]\n'
        f'{CRI}\n  config_path = "/x:/y"  # two roots\n'
        f'{CRI[:-1]}.mirrors."docker.io"]\n  endpoint = ["https://m.example"]\n'
        f'[plugins."io.containerd.grpc.v1.cri".containerd]\n  snapshotter = "overlayfs"\n'
    )
    for text in (SNAPSHOTTER_TOML, containerd):
        assert prereq.mini_toml(text) == tomllib.loads(text)
    with pytest.raises(ValueError, match="line 1"):
        prereq.mini_toml("not toml\n")


# --- nydus ----------------------------------------------------------------------------


def _nydus(root: Path, installed: str | None, declared: str, mirrors_dir: str | None) -> list[str]:
    release = root / "usr/local/bin/nydusd.release"
    if installed is not None:
        _write(root, "/usr/local/bin/nydusd.release", installed + "\n")
    requirements = {
        "nydus": {
            "version": declared,
            "config_path": "/etc/nydus/nydusd-config.fusedev.json",
            "mirrors_dir": mirrors_dir,
        }
    }
    params = _params(
        runtimes=["nydus"], requirements=requirements, nydusd_command=f"{NYDUSD} {release}"
    )
    return _check(root, params)


def test_nydus_matching_release_and_snapshotter_config_pass(tmp_path: Path) -> None:
    _write(tmp_path, "/etc/nydus/config.toml", SNAPSHOTTER_TOML)
    assert _nydus(tmp_path, "v2.2.5", "v2.2.5", "/etc/nydus/certs.d") == []


def test_nydus_release_mismatch_fails(tmp_path: Path) -> None:
    _write(tmp_path, "/etc/nydus/config.toml", SNAPSHOTTER_TOML)
    (problem,) = _nydus(tmp_path, "v2.3.6", "v2.2.5", "/etc/nydus/certs.d")
    assert problem.startswith(
        "nydus: nydusd 2.3.6 is installed but the inventory declares runtimes.nydus.version "
        "v2.2.5, and the nydusd config format depends on it"
    )


def test_nydus_missing_nydusd_fails(tmp_path: Path) -> None:
    _write(tmp_path, "/etc/nydus/config.toml", SNAPSHOTTER_TOML)
    (problem,) = _nydus(tmp_path, None, "v2.2.5", "/etc/nydus/certs.d")
    assert "is not found: install nydusd v2.2.5" in problem


def test_nydus_snapshotter_must_read_what_gencfg_writes(tmp_path: Path) -> None:
    _write(tmp_path, "/etc/nydus/config.toml", "[daemon]\nfs_driver = 'fusedev'\n")
    problems = _nydus(tmp_path, "v2.2.5", "v2.2.5", "/etc/nydus/certs.d")
    assert problems == [
        "nydus: nydus-snapshotter reads nydusd's config from /etc/nydus/nydusd-config.json "
        "([daemon] nydusd_config in /etc/nydus/config.toml) but gencfg writes "
        '/etc/nydus/nydusd-config.fusedev.json: set nydusd_config = "/etc/nydus/nydusd-config'
        '.fusedev.json" and restart nydus-snapshotter',
        "nydus: [remote.mirrors_config] dir in /etc/nydus/config.toml is not set but gencfg "
        "writes the per-registry mirrors (nydus up to v2.3.4) to /etc/nydus/certs.d: set "
        'dir = "/etc/nydus/certs.d" and restart nydus-snapshotter',
    ]


def test_nydus_proxy_family_needs_no_mirrors_dir(tmp_path: Path) -> None:
    text = "[daemon]\nnydusd_config = '/etc/nydus/nydusd-config.fusedev.json'\n"
    _write(tmp_path, "/etc/nydus/config.toml", text)
    assert _nydus(tmp_path, "v2.3.6", "v2.3.6", None) == []


def test_nydus_missing_or_broken_snapshotter_config_fails(tmp_path: Path) -> None:
    (problem,) = _nydus(tmp_path, "v2.2.5", "v2.2.5", "/etc/nydus/certs.d")
    assert problem.startswith("nydus: nydus-snapshotter's /etc/nydus/config.toml is missing")
    _write(tmp_path, "/etc/nydus/config.toml", "[daemon\n")
    (problem,) = _nydus(tmp_path, "v2.2.5", "v2.2.5", "/etc/nydus/certs.d")
    assert problem.startswith("nydus: /etc/nydus/config.toml is not valid TOML")


# --- docker ---------------------------------------------------------------------------


def _ca_pem(name: str) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _docker(root: Path) -> list[str]:
    requirements = {
        "docker": {
            "hijack_ca": "/etc/dragonfly-ca/cacert.pem",
            "registries": ["docker.io", "ghcr.io"],
        }
    }
    return _check(root, _params(runtimes=["docker"], requirements=requirements))


def test_docker_trusts_the_hijack_ca_through_the_system_roots(tmp_path: Path) -> None:
    ca, other = _ca_pem("dragonfly hijack CA"), _ca_pem("some public root")
    _write(tmp_path, "/etc/dragonfly-ca/cacert.pem", ca)
    _write(tmp_path, "/etc/ssl/certs/ca-certificates.crt", other)
    (problem,) = _docker(tmp_path)
    assert problem.startswith(
        "docker: dockerd does not trust the hijack CA /etc/dragonfly-ca/cacert.pem, so pulls "
        "from docker.io, ghcr.io through the proxy fail TLS: add it to the system trust store"
    )
    _write(tmp_path, "/etc/ssl/certs/ca-certificates.crt", other + ca)
    assert _docker(tmp_path) == []


def test_docker_system_roots_are_the_first_bundle_that_exists(tmp_path: Path) -> None:
    """Like Go's crypto/x509: a later bundle file is not read once one exists."""
    ca = _ca_pem("dragonfly hijack CA")
    _write(tmp_path, "/etc/dragonfly-ca/cacert.pem", ca)
    _write(tmp_path, "/etc/ssl/cert.pem", ca)  # Alpine's bundle
    assert _docker(tmp_path) == []
    _write(tmp_path, "/etc/pki/tls/certs/ca-bundle.crt", _ca_pem("other"))  # RHEL's: before
    assert _docker(tmp_path) != []


def test_docker_certs_d_trusts_a_registry_but_never_docker_hub(tmp_path: Path) -> None:
    """dockerd verifies Docker Hub with the system roots only; other registries also
    with /etc/docker/certs.d/<registry>/*.crt."""
    ca = _ca_pem("dragonfly hijack CA")
    _write(tmp_path, "/etc/dragonfly-ca/cacert.pem", ca)
    _write(tmp_path, "/etc/docker/certs.d/ghcr.io/ca.crt", ca)
    _write(tmp_path, "/etc/docker/certs.d/docker.io/ca.crt", ca)
    (problem,) = _docker(tmp_path)
    assert "so pulls from docker.io through the proxy fail TLS" in problem
    _write(tmp_path, "/etc/ssl/certs/dragonfly.pem", ca)  # a file in Go's cert directory
    assert _docker(tmp_path) == []


def test_docker_missing_hijack_ca_fails(tmp_path: Path) -> None:
    (problem,) = _docker(tmp_path)
    assert problem.startswith("docker: the hijack CA /etc/dragonfly-ca/cacert.pem")
    _write(tmp_path, "/etc/dragonfly-ca/cacert.pem", "not a certificate\n")
    (problem,) = _docker(tmp_path)
    assert "holds no PEM certificate" in problem


def test_only_the_hosts_runtimes_are_checked(tmp_path: Path) -> None:
    params = _params(runtimes=["docker"])  # requirements for containerd only
    assert _check(tmp_path, params) == []
