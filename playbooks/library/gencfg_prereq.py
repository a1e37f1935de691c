#!/usr/bin/python3
"""Ansible module: does this host provide what the runtime files gencfg pushes rely on?

Read-only (it never changes the host; it runs in --check too). For each runtime of the
host it checks, against the VPC's ``gencfg_runtime_requirements`` (rendered by gencfg):

- containerd: the CRI registry ``config_path`` of the *effective* config includes the
  certs.d directory gencfg writes, no earlier directory of it shadows a registry's
  ``hosts.toml``, no legacy ``registry.mirrors`` / ``configs.*.tls`` is set (containerd
  refuses them together with ``config_path``), and ``containerd --version`` is at least
  1.5 and the inventory's ``runtimes.containerd.version`` when declared;
- nydus: ``nydusd --version`` is the inventory's ``runtimes.nydus.version`` (the
  nydusd config format depends on it) and nydus-snapshotter's config.toml reads the
  nydusd config (``[daemon] nydusd_config``) and, up to nydus v2.3.4, the mirrors
  directory (``[remote.mirrors_config] dir``) gencfg writes;
- docker with a hijack CA: dockerd trusts that CA for each HTTPS registry.

Every problem found is one sentence saying what to fix; the module fails with all of
them. It runs on the host's own python3 with the standard library only (tomllib when
the host has Python 3.11+, else a reader of the TOML subset these configs use).
"""

from __future__ import annotations

import base64
import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ansible.module_utils.basic import AnsibleModule

try:
    import tomllib
except ImportError:  # Python < 3.11: mini_toml below
    tomllib = None

if TYPE_CHECKING:  # annotations only: the module runs on the hosts' python3 (3.8 too)
    from collections.abc import Callable

    Release = tuple[int, int, int]
    Runner = Callable[[list[str]], tuple[int, str, str]]

DOCUMENTATION = r"""
module: gencfg_prereq
short_description: check a runtime host's prerequisites for gencfg's runtime files
description:
  - Read-only checks of containerd, nydus-snapshotter/nydusd and Docker's trust of the
    hijack CA; fails with one message per problem, saying what to fix.
options:
  root: {description: prefix of every host path (gencfg_root), type: str, default: ""}
  runtimes: {description: the host's runtimes, type: list, elements: str, required: true}
  requirements:
    {description: gencfg_runtime_requirements of the host's VPC, type: dict, required: true}
  containerd_command: {description: how to run containerd, type: str, default: containerd}
  containerd_config:
    {description: containerd's config file, type: str, default: /etc/containerd/config.toml}
  nydusd_command: {description: how to run nydusd, type: str, default: nydusd}
  snapshotter_config:
    {description: nydus-snapshotter's config file, type: str, default: /etc/nydus/config.toml}
author: gencfg
"""

CONFIG_PATH_FIRST: Release = (1, 5, 0)
"""containerd v1.5 introduced the CRI registry config_path (certs.d/<host>/hosts.toml)."""
DEFAULT_PATH_FROM: Release = (2, 2, 0)
"""From containerd 2.2, an unset config_path (and no mirrors) means this default."""
DEFAULT_CONFIG_PATH = "/etc/containerd/certs.d:/etc/docker/certs.d"
# Where each config version keeps the CRI registry settings (containerd's PLUGINS.md;
# containerd 2.x migrates versions 1 and 2 to 3 when it loads them).
REGISTRY_TABLE = {
    1: ("plugins", "cri", "registry"),
    2: ("plugins", "io.containerd.grpc.v1.cri", "registry"),
    3: ("plugins", "io.containerd.cri.v1.images", "registry"),
}
# nydus-snapshotter's code default when config.toml names no nydusd config.
SNAPSHOTTER_DEFAULT_NYDUSD_CONFIG = "/etc/nydus/nydusd-config.json"
# Go's crypto/x509 system roots on Linux (what dockerd trusts): the first of these
# files that exists, plus every file in the directories.
GO_CERT_FILES = (
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/pki/tls/cacert.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/cert.pem",
)
GO_CERT_DIRS = ("/etc/ssl/certs", "/etc/pki/tls/certs")
# dockerd verifies Docker Hub against the system roots only (no certs.d lookup).
DOCKER_HUB = ("docker.io", "index.docker.io", "registry-1.docker.io")
PEM_CERT = re.compile(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", re.S)


class Host:
    """The host's files under ``root`` and its commands."""

    def __init__(self, root: str, run: Runner) -> None:
        self.root = root.rstrip("/")
        self.run = run

    def path(self, path: str) -> str:
        """``path`` under the root prefix."""
        return self.root + path

    def read(self, path: str) -> str | None:
        """The text of ``path`` (under the root), or None when it cannot be read."""
        try:
            return Path(self.path(path)).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None


def run_command(argv: list[str]) -> tuple[int, str, str]:
    """Run ``argv``; a missing program is rc 127, like a shell."""
    if shutil.which(argv[0]) is None:
        return 127, "", f"{argv[0]}: command not found"
    cp = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    return cp.returncode, cp.stdout, cp.stderr


def release(text: str, prefix: str = r"\s") -> Release | None:
    """The first ``X.Y.Z`` (``v`` optional) after ``prefix`` in ``text``."""
    m = re.search(prefix + r"v?(\d+)\.(\d+)\.(\d+)", " " + text)
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def dotted(r: Release) -> str:
    """``(1, 7, 24)`` -> ``1.7.24``."""
    return ".".join(str(part) for part in r)


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else "no output"


# --- TOML ---------------------------------------------------------------------------

_KEY_PART = r'(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_DOTTED_KEY = re.compile(rf"\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*")


def _key_parts(key: str) -> list[str]:
    parts = re.findall(_KEY_PART, key)
    return [json.loads(p) if p.startswith('"') else p.strip("'") for p in parts]


def _strip_comment(line: str) -> str:
    out, quote = [], ""
    for ch in line:
        if quote:
            quote = "" if ch == quote and (quote == "'" or not out or out[-1] != "\\") else quote
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            break
        out.append(ch)
    return "".join(out).strip()


def _value(raw: str) -> Any:
    raw = raw.strip()
    if raw.startswith('"'):
        return json.loads(raw)
    if raw.startswith("'"):
        return raw[1:-1]
    if raw in ("true", "false"):
        return raw == "true"
    if re.fullmatch(r"[+-]?\d+", raw):
        return int(raw)
    if raw.startswith("["):
        return [_value(s) for s in re.findall(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'', raw)]
    if raw.startswith("{"):
        # Enough for these checks: whether an inline table is empty.
        return {} if re.fullmatch(r"\{\s*\}", raw) else {"(inline table)": raw}
    return raw


def mini_toml(text: str) -> dict[str, Any]:
    """Tables, dotted keys and scalar values: the TOML these config files are written in.

    Hosts with Python older than 3.11 have no tomllib; this reader covers what the checks
    read (strings, numbers, booleans, arrays of strings, whether a table is empty).
    """
    doc: dict[str, Any] = {}
    table = doc
    pending = ""
    for number, raw_line in enumerate(text.splitlines(), 1):
        line = _strip_comment(raw_line)
        if pending:
            line, pending = pending + " " + line, ""
        if not line:
            continue
        header = re.fullmatch(r"\[\[?\s*(.+?)\s*\]\]?", line)
        if header:  # a key never starts with "["
            table = doc
            for part in _key_parts(header.group(1)):
                table = table.setdefault(part, {})
            continue
        m = _DOTTED_KEY.match(line)
        if m is None or line[m.end() : m.end() + 1] != "=":
            raise ValueError(f"line {number}: cannot read {line!r}")
        raw = line[m.end() + 1 :].strip()
        if raw.count("[") > raw.count("]") or raw.count("{") > raw.count("}"):
            pending = line  # a value continued on the next lines
            continue
        parts = _key_parts(m.group(1))
        target = table
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = _value(raw)
    if pending:
        raise ValueError("unterminated value at the end of the file")
    return doc


def load_toml(text: str) -> dict[str, Any]:
    """Parse TOML with tomllib when the host has it."""
    return mini_toml(text) if tomllib is None else tomllib.loads(text)


def dig(data: Any, keys: tuple[str, ...]) -> Any:
    """``data[k1][k2]...``, or None where a level is missing."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _table_name(keys: tuple[str, ...]) -> str:
    return "[" + ".".join(k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else f'"{k}"' for k in keys) + "]"


def _norm(path: str) -> str:
    return os.path.normpath(path) if path else path


# --- containerd ---------------------------------------------------------------------


def _host_paths(root: str, host: str) -> list[str]:
    """Containerd's lookup order for a registry's directory under one config_path root."""
    paths = []
    if re.search(r":\d+$", host):
        name, port = host.rsplit(":", 1)
        paths.append(f"{root}/{name}_{port}_")
    return [*paths, f"{root}/{host}", f"{root}/_default"]


def _shadowing(host: Host, roots: list[str], certs_dir: str, registry: str) -> str | None:
    """The directory containerd would read for ``registry`` before gencfg's, if any."""
    ours = _norm(f"{certs_dir}/{registry}")
    for root in roots:
        for candidate in _host_paths(root, registry):
            if _norm(candidate) == ours:
                return None
            if Path(host.path(candidate)).is_dir():
                return candidate
    return None


def containerd_registry(
    host: Host,
    effective: dict[str, Any],
    *,
    file_version: int,
    installed: Release | None,
    req: dict[str, Any],
    config: str,
) -> list[str]:
    """Problems of the effective containerd config's CRI registry settings."""
    version = effective.get("version", 1)
    registry = dig(effective, REGISTRY_TABLE.get(version, REGISTRY_TABLE[3])) or {}
    where = _table_name(REGISTRY_TABLE.get(file_version, REGISTRY_TABLE[3]))
    certs_dir = req["certs_dir"]
    roots = [p for p in str(registry.get("config_path") or "").split(":") if p]
    mirrors = sorted(registry.get("mirrors") or {})
    tls = sorted(
        h
        for h, c in (registry.get("configs") or {}).items()
        if isinstance(c, dict) and c.get("tls")
    )
    if not roots and not mirrors and installed is not None and installed >= DEFAULT_PATH_FROM:
        roots = DEFAULT_CONFIG_PATH.split(":")
    problems = []
    add = f'config_path = "{certs_dir}" under {where} in {config} and restart containerd'
    if mirrors and roots:
        problems.append(
            f"containerd: {config} sets registry.mirrors ({', '.join(mirrors)}) together with "
            f"config_path, which containerd refuses (its CRI plugin does not load): remove "
            f"the mirrors tables (the hosts.toml files gencfg writes replace them)"
        )
    elif mirrors:
        problems.append(
            f"containerd: {config} uses the legacy registry.mirrors ({', '.join(mirrors)}) "
            f"and no config_path, so containerd never reads {certs_dir}: replace the mirrors "
            f"tables by {add}"
        )
    elif not roots:
        problems.append(
            f"containerd: {config} sets no registry config_path, so containerd never reads "
            f"{certs_dir}: set {add}"
        )
    if tls:
        problems.append(
            f"containerd: {config} sets registry.configs.<host>.tls for {', '.join(tls)}, "
            f"which containerd 1.x refuses together with config_path and 2.x ignores: remove "
            f"it and give the registry's TLS settings in the inventory (registries[].ca, "
            f"skip_verify), which gencfg writes to its hosts.toml"
        )
    if roots and _norm(certs_dir) not in [_norm(r) for r in roots]:
        problems.append(
            f'containerd: config_path = "{":".join(roots)}" does not include {certs_dir}, '
            f"where gencfg writes hosts.toml: add it ({add})"
        )
    elif roots:
        for name in req.get("registries") or []:
            shadow = _shadowing(host, roots, certs_dir, name)
            if shadow is not None:
                problems.append(
                    f"containerd: {shadow} exists and containerd reads it instead of "
                    f"{certs_dir}/{name}/hosts.toml (config_path order): remove it, or put "
                    f"{certs_dir} first in config_path"
                )
    return problems


def check_containerd(host: Host, req: dict[str, Any], command: str, config: str) -> list[str]:
    """Containerd's release and the registry settings of its effective config."""
    argv = shlex.split(command)
    problems = []
    rc, out, err = host.run([*argv, "--version"])
    found = release(out) if rc == 0 else None
    want = release(str(req.get("version") or ""))
    if rc == 127:
        if want is not None:
            problems.append(
                f"containerd: `{command}` is not found, so its release cannot be compared "
                f"with runtimes.containerd.version {req['version']}: install containerd or "
                f"set gencfg_containerd_command"
            )
    elif found is None:
        problems.append(f"containerd: `{command} --version` failed: {_last_line(err or out)}")
    elif found < CONFIG_PATH_FIRST:
        problems.append(
            f"containerd: {dotted(found)} predates registry config_path (1.5), so it never "
            f"reads the hosts.toml files gencfg writes: upgrade containerd"
        )
    elif want is not None and found != want:
        problems.append(
            f"containerd: {dotted(found)} is installed but the inventory declares "
            f"runtimes.containerd.version {req['version']}: upgrade the host or correct the "
            f"inventory"
        )
    text = host.read(config)
    if text is None:
        return [
            *problems,
            f"containerd: {config} is missing: create it with "
            f'config_path = "{req["certs_dir"]}" under the CRI registry table and restart '
            f"containerd",
        ]
    declared = re.search(r"(?m)^\s*version\s*=\s*(\d+)", text)
    file_version = int(declared.group(1)) if declared else 1
    # containerd itself, when there, prints the config it would run with: imports merged,
    # older versions migrated, defaults filled. Without it, the file as written.
    have_binary = rc != 127
    if have_binary:
        rc, dump, err = host.run([*argv, "--config", host.path(config), "config", "dump"])
        if rc != 0:
            return [
                *problems,
                f"containerd: cannot load {config}: {_last_line(err or dump)}: fix the file",
            ]
        text = dump
    try:
        effective = load_toml(text)
    except ValueError as e:
        return [*problems, f"containerd: {config} is not valid TOML ({e}): fix the file"]
    if not have_binary:
        effective.setdefault("version", file_version)
    return problems + containerd_registry(
        host, effective, file_version=file_version, installed=found, req=req, config=config
    )


# --- nydus --------------------------------------------------------------------------


def check_nydus(host: Host, req: dict[str, Any], command: str, config: str) -> list[str]:
    """Nydusd's release and nydus-snapshotter's view of the files gencfg writes."""
    problems = []
    want = req["version"]
    rc, out, err = host.run([*shlex.split(command), "--version"])
    found = release(out, prefix=r"Version:\s*") if rc == 0 else None
    if rc == 127:
        problems.append(
            f"nydus: `{command}` is not found: install nydusd {want} or set gencfg_nydusd_command"
        )
    elif found is None:
        problems.append(f"nydus: `{command} --version` failed: {_last_line(err or out)}")
    elif found != release(want):
        problems.append(
            f"nydus: nydusd {dotted(found)} is installed but the inventory declares "
            f"runtimes.nydus.version {want}, and the nydusd config format depends on it "
            f"(mirrors up to v2.3.4, proxy from v2.3.5): upgrade the host or correct the "
            f"inventory"
        )
    text = host.read(config)
    if text is None:
        return [
            *problems,
            f"nydus: nydus-snapshotter's {config} is missing: create it with [daemon] "
            f'nydusd_config = "{req["config_path"]}"'
            + (
                f' and [remote.mirrors_config] dir = "{req["mirrors_dir"]}"'
                if req.get("mirrors_dir")
                else ""
            ),
        ]
    try:
        data = load_toml(text)
    except ValueError as e:
        return [*problems, f"nydus: {config} is not valid TOML ({e}): fix the file"]
    reads = dig(data, ("daemon", "nydusd_config")) or SNAPSHOTTER_DEFAULT_NYDUSD_CONFIG
    if _norm(str(reads)) != _norm(req["config_path"]):
        problems.append(
            f"nydus: nydus-snapshotter reads nydusd's config from {reads} ([daemon] "
            f"nydusd_config in {config}) but gencfg writes {req['config_path']}: set "
            f'nydusd_config = "{req["config_path"]}" and restart nydus-snapshotter'
        )
    mirrors_dir = req.get("mirrors_dir")
    reads = dig(data, ("remote", "mirrors_config", "dir")) or ""
    if mirrors_dir and _norm(str(reads)) != _norm(mirrors_dir):
        problems.append(
            f"nydus: [remote.mirrors_config] dir in {config} is "
            f"{reads or 'not set'} but gencfg writes the per-registry mirrors (nydus up to "
            f'v2.3.4) to {mirrors_dir}: set dir = "{mirrors_dir}" and restart '
            f"nydus-snapshotter"
        )
    return problems


# --- docker -------------------------------------------------------------------------


def pem_certificates(text: str) -> list[bytes]:
    """The DER bytes of every PEM certificate in ``text``."""
    out = []
    for body in PEM_CERT.findall(text):
        try:
            out.append(base64.b64decode("".join(body.split())))
        except ValueError:
            continue
    return out


def _in_files(host: Host, paths: list[str], der: bytes) -> bool:
    return any(der in pem_certificates(host.read(p) or "") for p in paths)


def _files_in(host: Host, directory: str, suffix: str = "") -> list[str]:
    try:
        entries = sorted(Path(host.path(directory)).iterdir())
    except OSError:
        return []
    return [f"{directory}/{e.name}" for e in entries if e.name.endswith(suffix) and e.is_file()]


def trusted_by_system(host: Host, der: bytes) -> bool:
    """Whether Go's system roots (dockerd's) hold the certificate ``der``."""
    bundle = next((f for f in GO_CERT_FILES if Path(host.path(f)).is_file()), None)
    if bundle is not None and _in_files(host, [bundle], der):
        return True
    return any(_in_files(host, _files_in(host, d), der) for d in GO_CERT_DIRS)


def check_docker(host: Host, req: dict[str, Any]) -> list[str]:
    """Dockerd trusts the hijack CA for each HTTPS registry it pulls through the proxy."""
    cert = req["hijack_ca"]
    text = host.read(cert)
    if text is None:
        return [
            f"docker: the hijack CA {cert} (runtimes.docker.hijack_ca.cert) is missing: "
            f"install it on the host"
        ]
    ders = pem_certificates(text)
    if not ders:
        return [f"docker: the hijack CA {cert} holds no PEM certificate: install the CA's"]
    system = trusted_by_system(host, ders[0])
    untrusted = [
        name
        for name in req.get("registries") or []
        if not system
        and (
            name in DOCKER_HUB
            or not _in_files(host, _files_in(host, f"/etc/docker/certs.d/{name}", ".crt"), ders[0])
        )
    ]
    if not untrusted:
        return []
    return [
        f"docker: dockerd does not trust the hijack CA {cert}, so pulls from "
        f"{', '.join(untrusted)} through the proxy fail TLS: add it to the system trust "
        f"store (Debian/Ubuntu: copy it to /usr/local/share/ca-certificates/ and run "
        f"update-ca-certificates; RHEL: /etc/pki/ca-trust/source/anchors/ and "
        f"update-ca-trust) and restart docker (for a registry other than docker.io, "
        f"/etc/docker/certs.d/<registry>/ca.crt also works)"
    ]


def check(host: Host, params: dict[str, Any]) -> list[str]:
    """Every problem of the host's runtimes, in runtime order."""
    req = params["requirements"] or {}
    runtimes = params["runtimes"]
    problems: list[str] = []
    if "containerd" in runtimes and "containerd" in req:
        problems += check_containerd(
            host, req["containerd"], params["containerd_command"], params["containerd_config"]
        )
    if "docker" in runtimes and "docker" in req:
        problems += check_docker(host, req["docker"])
    if "nydus" in runtimes and "nydus" in req:
        problems += check_nydus(
            host, req["nydus"], params["nydusd_command"], params["snapshotter_config"]
        )
    return problems


def main() -> None:
    """Run the checks; fail with every problem found."""
    module = AnsibleModule(
        argument_spec={
            "root": {"type": "str", "default": ""},
            "runtimes": {"type": "list", "elements": "str", "required": True},
            "requirements": {"type": "dict", "required": True},
            "containerd_command": {"type": "str", "default": "containerd"},
            "containerd_config": {"type": "str", "default": "/etc/containerd/config.toml"},
            "nydusd_command": {"type": "str", "default": "nydusd"},
            "snapshotter_config": {"type": "str", "default": "/etc/nydus/config.toml"},
        },
        supports_check_mode=True,
    )
    problems = check(Host(module.params["root"], run_command), module.params)
    if problems:
        module.fail_json(msg=" | ".join(problems), problems=problems)
    module.exit_json(changed=False, problems=[])


if __name__ == "__main__":
    main()
