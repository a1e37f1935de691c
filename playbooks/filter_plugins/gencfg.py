"""Filters of the gencfg playbooks.

Rendered files are pushed byte for byte; the only change made on the way is filling
secret placeholders (``@@GENCFG_SECRET:name@@``) from Ansible Vault (``gencfg_secrets``)
or the environment (``GENCFG_SECRET_<NAME>``). Placeholders always sit inside
double-quoted YAML/TOML/JSON strings, so values are inserted with JSON escaping.
Errors name the secret, never its value.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

import yaml
from ansible.errors import AnsibleFilterError

PLACEHOLDER = re.compile(r"@@GENCFG_SECRET:([a-z][a-z0-9_]*)@@")


def secret_names(content: str) -> list[str]:
    """Names of the secrets a rendered file needs."""
    return sorted(set(PLACEHOLDER.findall(content)))


def fill_secrets(content: str, secrets: dict[str, Any] | None = None) -> str:
    """``content`` with every placeholder replaced by its secret, JSON-escaped."""
    secrets = secrets or {}

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in secrets and secrets[name] is not None:
            raw = str(secrets[name])
        elif f"GENCFG_SECRET_{name.upper()}" in os.environ:
            raw = os.environ[f"GENCFG_SECRET_{name.upper()}"]
        else:
            raise AnsibleFilterError(
                f"secret {name!r} has no value: set gencfg_secrets.{name} (Ansible Vault) "
                f"or GENCFG_SECRET_{name.upper()}"
            )
        return json.dumps(raw, ensure_ascii=False)[1:-1]

    return PLACEHOLDER.sub(value, content)


def missing_secrets(names: list[str], secrets: dict[str, Any] | None = None) -> list[str]:
    """Which of ``names`` have no value in ``secrets`` or the environment."""
    secrets = secrets or {}
    return [
        n
        for n in names
        if secrets.get(n) is None and f"GENCFG_SECRET_{n.upper()}" not in os.environ
    ]


def manifest_mismatches(rendered_dir: str) -> list[str]:
    """Files of a rendered tree whose bytes differ from its MANIFEST (hand edits)."""
    bad = []
    for path, entry in manifest_files(rendered_dir).items():
        try:
            digest = hashlib.sha256((Path(rendered_dir) / path).read_bytes()).hexdigest()
        except OSError:
            digest = ""
        if digest != entry["sha256"]:
            bad.append(path)
    return bad


def manifest_files(rendered_dir: str) -> dict[str, Any]:
    """MANIFEST.json's entries: path in the tree -> {sha256, secrets, ...}."""
    manifest = json.loads((Path(rendered_dir) / "MANIFEST.json").read_text("utf-8"))
    files: dict[str, Any] = manifest["files"]
    return files


# Restart effects whose service must be restarted when its files change ("none": read
# on use, e.g. containerd's hosts.toml; "compose": the project, applied with up -d).
NO_RESTART = frozenset({"none", "kubectl-apply", "preheat"})


def effect_digests(results: list[dict[str, Any]]) -> dict[str, str]:
    """Restart effect -> digest of the files it reads, from copy or stat results.

    Each result carries its ``item`` ({dest, restart}) and the file's sha1, as
    ``checksum`` (copy) or ``stat.checksum`` (stat). A file without one (check mode, a
    failed copy) makes its effect's digest "" so that it never matches a record.
    """
    lines: dict[str, list[str]] = {}
    unknown: set[str] = set()
    for result in results:
        item = result.get("item") or {}
        effect = item.get("restart")
        if not effect or effect in NO_RESTART:
            continue
        stat = result.get("stat")
        if isinstance(stat, dict):
            if not stat.get("exists"):
                continue  # removed by a rollback: not part of what the service reads
            checksum = stat.get("checksum")
        else:
            checksum = result.get("checksum")
        if not checksum:
            unknown.add(effect)
        lines.setdefault(effect, []).append(f"{item.get('dest')} {checksum}")
    return {
        effect: "" if effect in unknown else hashlib.sha1("\n".join(sorted(v)).encode()).hexdigest()
        for effect, v in sorted(lines.items())
    }


def read_record(text: str | bytes | None) -> dict[str, Any]:
    """A layer's record on a host: {files: [dest...], started: {effect: digest}, current}.

    Older hosts hold a plain list of files; a missing record is an empty one. ``current``
    says whether it is in today's layout (else the next healthy push rewrites it).
    Raises ValueError when it is not JSON.
    """
    data = json.loads(text) if text else None
    if data is None:
        return {"files": [], "started": {}, "current": False}
    if isinstance(data, list):
        return {"files": list(data), "started": {}, "current": False}
    return {
        "files": list(data.get("files", [])),
        "started": dict(data.get("started", {})),
        "current": True,
    }


def host_state(slurped: dict[str, Any] | None) -> dict[str, Any]:
    """A layer's record from a slurp result: {files, started} (see read_record)."""
    content = (slurped or {}).get("content")
    record = read_record(base64.b64decode(content) if content else None)
    return {"files": record["files"], "started": record["started"]}


def restarts(digests: dict[str, str], started: dict[str, str], changed: list[str]) -> list[str]:
    """Effects to restart: changed in this run, or started with other bytes than now.

    An effect with no record and no change (a host set up before records existed) is
    taken to run what is on disk.
    """
    due = {e for e in changed if e in digests}
    due |= {e for e, d in digests.items() if e in started and started[e] != d}
    return sorted(due)


def pending(started: dict[str, str], changed: list[str], digests: dict[str, str]) -> dict[str, str]:
    """The record to write before restarting: effects about to restart marked ""."""
    return {**started, **{e: "" for e in changed if e in digests}}


def secret_manifest(content: str, secrets: dict[str, Any] | None = None) -> str:
    """A rendered Secret, filled, as the JSON ``kubectl apply -f -`` reads on stdin.

    The rendered Secret keeps its values in ``stringData`` (a ``.dockerconfigjson``
    whose password placeholders sit inside JSON strings), so each value is filled with
    JSON escaping, exactly once, then base64-encoded into ``data``: what the API server
    stores, so a server-side diff of an unchanged Secret is empty (with ``stringData``
    it never is). The result lives only in memory.
    """
    doc = yaml.safe_load(content)
    if not isinstance(doc, dict) or doc.get("kind") != "Secret":
        raise AnsibleFilterError("gencfg_secret_manifest: not a rendered Secret")
    data = dict(doc.get("data") or {})
    for key, value in (doc.pop("stringData", None) or {}).items():
        data[key] = base64.b64encode(fill_secrets(str(value), secrets).encode()).decode()
    doc["data"] = data
    return json.dumps(doc, ensure_ascii=False)


def kubectl_failures(
    diffs: list[dict[str, Any]], applies: list[dict[str, Any]]
) -> list[dict[str, str]]:
    """The pull Secrets kubectl could not compare or apply, or that could not be filled.

    Each as ``{vpc, namespace, name, reason}``: a comparison failed with rc > 1, an apply
    with rc != 0.
    ``diffs`` are the loop results of the comparison (items: (VPC, Secret) pairs),
    ``applies`` those of the apply (items: comparison results). The reason is kubectl's
    stderr, which for a Secret never carries its data (the API server redacts it), or
    the filling error, which names the secret, never its value.
    """
    out = []
    for result, pair, ok in [
        *((r, r.get("item"), (0, 1)) for r in diffs),
        *((r, (r.get("item") or {}).get("item"), (0,)) for r in applies),
    ]:
        if result.get("skipped") or not pair:
            continue
        rc = result.get("rc")
        if rc in ok:
            continue
        reason = (result.get("stderr") or "").strip() if rc is not None else ""
        vpc, secret = pair
        out.append(
            {
                "vpc": str(vpc.get("key")),
                "namespace": str(secret.get("namespace")),
                "name": str(secret.get("name")),
                "reason": reason or str(result.get("msg") or f"kubectl exited {rc}"),
            }
        )
    return out


PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----"


def ca_bundle(slurped: list[dict[str, Any]], paths: list[str]) -> str:
    """The PEM files at ``paths`` (slurp results of the host's files), one after another.

    Each must hold a certificate: the manager refuses a bundle it cannot parse at start
    ("invalid CA Cert"), and a private key or an empty file given as a CA is a mistake
    best named here, with its path.
    """
    by_path = {r.get("item"): r for r in slurped}
    parts = []
    for path in paths:
        content = (by_path.get(path) or {}).get("content")
        if content is None:
            raise AnsibleFilterError(f"{path} was not read from the host")
        text = base64.b64decode(content).decode("utf-8", errors="replace")
        if PEM_CERTIFICATE not in text:
            raise AnsibleFilterError(f"{path} holds no PEM certificate ({PEM_CERTIFICATE})")
        parts.append(text if text.endswith("\n") else text + "\n")
    return "".join(parts)


# Effects of runtime files whose service tasks/runtimes.yml restarts (containerd reads
# hosts.toml on each pull: "none").
RUNTIME_RESTARTS = ("dockerd", "nydus-snapshotter")


def decommission_plan(
    records: list[dict[str, Any]], compose_dir: str = "", runtime_files: list[Any] | None = None
) -> dict[str, Any]:
    """What to take off a host leaving the fleet, from its layers' records.

    ``records``: slurp results of ``/var/lib/gencfg/<layer>.json`` (missing: nothing).
    Runtime files (those ``runtime_files`` names, and any outside the compose directory:
    a VM's own files are all under it) go first, so the runtimes stop using the peer
    before it goes down. A runtime is due a restart when a layer recorded it as started
    with gencfg's files: until the record is removed, a re-run after an interruption
    restarts it again rather than leave it running the removed files.
    """
    files: list[str] = []
    started: set[str] = set()
    for result in records:
        state = host_state(result)
        files += [f for f in state["files"] if f not in files]
        started |= set(state["started"])
    effects = {str(f["dest"]): str(f.get("restart", "none")) for f in runtime_files or []}
    project = compose_dir.rstrip("/") + "/" if compose_dir else ""
    runtime = [f for f in files if f in effects or not project or not f.startswith(project)]
    return {
        "runtime_files": runtime,
        "other_files": [f for f in files if f not in runtime],
        "effects": {f: effects[f] for f in runtime if effects.get(f) in RUNTIME_RESTARTS},
        "started": sorted(started & set(RUNTIME_RESTARTS)),
        # deepest first, so a directory emptied by removing its subdirectory goes too
        "dirs": sorted({str(Path(f).parent) for f in files}, reverse=True),
    }


def decommission_restarts(plan: dict[str, Any], removed: list[dict[str, Any]]) -> list[str]:
    """Runtimes to restart after the runtime files of a decommission were removed.

    Those recorded as started with gencfg's files, and those whose file this run
    removed (a host set up before the records existed runs what was on disk).
    """
    effects: dict[str, str] = plan["effects"]
    now = {effects[r["item"]] for r in removed if r.get("changed") and r.get("item") in effects}
    return sorted(set(plan["started"]) | now)


def inventory_dir(source: str) -> str:
    """The directory of an inventory source (-i rendered/<env>/ansible or its hosts.yaml)."""
    path = Path(source)
    return str(path if path.is_dir() else path.parent)


class FilterModule:
    """Registers the gencfg filters."""

    def filters(self) -> dict[str, Any]:
        """Filter name -> function."""
        return {
            "gencfg_fill_secrets": fill_secrets,
            "gencfg_secret_names": secret_names,
            "gencfg_missing_secrets": missing_secrets,
            "gencfg_manifest_mismatches": manifest_mismatches,
            "gencfg_inventory_dir": inventory_dir,
            "gencfg_effect_digests": effect_digests,
            "gencfg_restarts": restarts,
            "gencfg_pending": pending,
            "gencfg_ca_bundle": ca_bundle,
            "gencfg_secret_manifest": secret_manifest,
            "gencfg_kubectl_failures": kubectl_failures,
            "gencfg_decommission_plan": decommission_plan,
            "gencfg_decommission_restarts": decommission_restarts,
        }
