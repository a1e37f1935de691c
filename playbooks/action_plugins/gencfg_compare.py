"""Plan a push in one call per host: which files differ, what must restart, what is idle.

A copy per file (a forked worker and a module run each, even when nothing changed) is
what made a no-op rollout cost seconds per host. This action reads the rendered files
on the controller (secret placeholders filled in memory, for their checksum only),
asks the host once (library/gencfg_compare.py: which checksums match, the layer's
record, leftover backups) and returns the plan the push role sets as facts:

    state       the layer's record on the host: {files, started}
    plain       entries whose file differs on the host, without secrets
    secret      entries whose file differs on the host, holding secrets
    unchanged   copy-like results ({item, dest, checksum, changed: false}) of the
                entries that already match, for the restart bookkeeping
    digests     restart effect -> digest of the files it reads, when nothing differs
    restarts    effects started with other bytes than those on disk (an interrupted
                run): due a restart although no file differs
    idle        nothing to push, restart or tidy: the rest of the push can be skipped
                (only the health check runs)

Secrets come from the host's ``gencfg_secrets`` (Ansible Vault) or the environment,
never from the task's arguments. The checksums of files holding them are sent to the
host as a no_log argument (it answers match / no match) and the plan, which holds them,
is registered but never shown (``_ansible_no_log``); a failure is shown, and names a
secret, never its value.
"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

from ansible.errors import AnsibleActionFail, AnsibleError
from ansible.plugins.action import ActionBase

DOCUMENTATION = """
action: gencfg_compare
short_description: which rendered files differ on a host, and what the push must do
options:
  files: {type: list, description: "entries {src, dest, restart}: rendered src, absolute dest"}
  bundles: {type: list, description: "entries {dest, restart, cas} assembled on the host"}
  rendered_dir: {type: str}
  root_prefix: {type: str}
  state_file: {type: str}
"""


def _filters() -> ModuleType:
    """The playbooks' filter plugin, whose functions the push's later tasks also use."""
    path = Path(__file__).resolve().parent.parent / "filter_plugins" / "gencfg.py"
    spec = importlib.util.spec_from_file_location("gencfg_playbook_filters", path)
    if spec is None or spec.loader is None:
        raise AnsibleActionFail(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FILTERS = _filters()


def record_text(text: str | None) -> dict[str, Any]:
    """The layer's record from its text (FILTERS.read_record), or a failure naming the fix."""
    try:
        record: dict[str, Any] = FILTERS.read_record(text)
    except ValueError as err:
        raise AnsibleActionFail(f"the layer's record is not JSON ({err}); remove it") from err
    return record


def plan(
    entries: list[dict[str, Any]],
    *,
    local: list[tuple[str, bool]],
    same: list[bool],
    record: dict[str, Any],
    bundles: list[dict[str, Any]],
    backups: list[str],
    root_prefix: str,
) -> dict[str, Any]:
    """The push's plan from the comparison (see the module docstring).

    ``local``: each entry's (sha1, holds secrets) on the controller; ``same``: whether
    the host's file has that sha1.
    """
    rows = list(zip(entries, local, same, strict=True))
    unchanged = [
        {"item": entry, "dest": root_prefix + entry["dest"], "checksum": sha1, "changed": False}
        for entry, (sha1, _), match in rows
        if match
    ]
    differ = [(entry, hidden) for entry, (_, hidden), match in rows if not match]
    digests = FILTERS.effect_digests(unchanged)
    restarts = FILTERS.restarts(digests, record["started"], [])
    managed = sorted(str(e["dest"]) for e in [*entries, *bundles])
    idle = (
        not differ
        and not bundles
        and not restarts
        and not backups
        and record["current"]
        and record["files"] == managed  # finish.yml records them sorted
    )
    return {
        "state": {"files": record["files"], "started": record["started"]},
        "plain": [entry for entry, hidden in differ if not hidden],
        "secret": [entry for entry, hidden in differ if hidden],
        "unchanged": unchanged,
        "digests": digests,
        "restarts": restarts,
        "backups": backups,
        "idle": idle,
    }


class ActionModule(ActionBase):
    """gencfg_compare: see the module docstring."""

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset({"files", "bundles", "rendered_dir", "root_prefix", "state_file"})

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        """Compare on the controller and the host; the plan, or the host's failure."""
        task_vars = task_vars or {}
        result: dict[str, Any] = super().run(tmp, task_vars)
        args = self._task.args
        entries: list[dict[str, Any]] = list(args.get("files") or [])
        bundles: list[dict[str, Any]] = list(args.get("bundles") or [])
        rendered = Path(str(args["rendered_dir"]))
        prefix = str(args.get("root_prefix") or "")
        secrets = self._secrets(task_vars)
        manifest = FILTERS.manifest_files(str(rendered))
        local: list[tuple[str, bool]] = []
        for entry in entries:
            hidden = bool(manifest.get(entry["src"], {}).get("secrets"))
            try:
                content = (rendered / entry["src"]).read_bytes()
            except OSError as err:
                raise AnsibleActionFail(
                    f"cannot read the rendered file {err.filename}: {err.strerror}"
                ) from None
            if hidden:
                try:
                    content = FILTERS.fill_secrets(content.decode("utf-8"), secrets).encode()
                except AnsibleError as err:
                    raise AnsibleActionFail(f"{entry['dest']}: {err.message}") from None
            local.append((hashlib.sha1(content).hexdigest(), hidden))
        answer = self._execute_module(
            module_name="gencfg_compare",
            module_args={
                "paths": [prefix + str(e["dest"]) for e in [*entries, *bundles]],
                # a bundle is assembled on the host: never the same as "" here
                "checksums": [sha1 for sha1, _ in local] + [""] * len(bundles),
                "state_file": str(args["state_file"]),
            },
            task_vars=task_vars,
        )
        if answer.get("failed"):
            return answer
        result.update(
            plan(
                entries,
                local=local,
                same=list(answer["same"])[: len(entries)],
                record=record_text(answer.get("state")),
                bundles=bundles,
                backups=list(answer.get("backups") or []),
                root_prefix=prefix,
            )
        )
        result["changed"] = False
        # The plan holds checksums of files with secrets: registered, never shown.
        result["_ansible_no_log"] = True
        return result

    def _secrets(self, task_vars: dict[str, Any]) -> dict[str, Any]:
        """The host's gencfg_secrets (Vault), templated; the environment is read later."""
        raw = task_vars.get("gencfg_secrets")
        if raw is None:
            return {}
        secrets = self._templar.template(raw)
        return dict(secrets) if isinstance(secrets, dict) else {}
