"""Run playbooks/rollout.yml (or one layer) against a rendered tree with ansible-runner.

Progress is streamed per host as Ansible reports it: what changed, what failed and why,
the ``--check --diff`` differences (secret values masked), and the recap. The playbooks
do the work; this module only starts them and reports.

ansible-runner runs Ansible from a private data directory of its own, so every path the
user typed (``-e @vault.yml``, ``ANSIBLE_VAULT_PASSWORD_FILE``, ``ANSIBLE_CONFIG``) is
resolved against the directory gencfg was started from before Ansible sees it. The
private data directory, and Ansible's controller temporary files with it
(``ANSIBLE_LOCAL_TEMP``), are removed however the run ends, Ctrl-C included.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import os
import shlex
import shutil
import signal
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

import ansible_runner

from gencfg.errors import ExternalError, UserError
from gencfg.resources import playbooks_dir
from gencfg.rollout import policy

SECRET_ENV_PREFIX = "GENCFG_SECRET_"
CONFIG_FILE = "ansible.cfg"  # rendered next to hosts.yaml (gencfg.render.targets.ansible)
MAX_DIFF_LINES = 400  # per file; a longer diff is cut (the file is in the rendered tree)
HOST_LAYERS = ("rollout", "control-plane", "peers", "runtimes")
"""Layers that push to hosts in batches, where the failure and retry policy applies."""


@dataclasses.dataclass(slots=True)
class Outcome:
    """How the run ended: Ansible's return code, the per-host recap and failure reasons."""

    rc: int
    status: str
    stats: dict[str, dict[str, int]]
    reasons: dict[str, str] = dataclasses.field(default_factory=dict)
    errors: list[str] = dataclasses.field(default_factory=list)
    """Ansible's own error lines when it stopped before playing (no recap)."""

    @property
    def failed_hosts(self) -> list[str]:
        """Hosts that failed or were unreachable."""
        bad = {**self.stats.get("failures", {}), **self.stats.get("dark", {})}
        return sorted(host for host, count in bad.items() if count)

    @property
    def played(self) -> bool:
        """Whether Ansible got as far as playing (a recap was reported)."""
        return bool(self.stats)


class Masker:
    """Replaces secret values (``GENCFG_SECRET_<NAME>``) by their placeholders.

    Both the raw value and its JSON-escaped form (how the playbooks write it into YAML
    and JSON files) are masked; longer values first, so no part of one survives.
    """

    def __init__(self, environ: Mapping[str, str]) -> None:
        pairs: dict[str, str] = {}
        for key, value in environ.items():
            if not key.startswith(SECRET_ENV_PREFIX) or not value:
                continue
            placeholder = f"@@GENCFG_SECRET:{key[len(SECRET_ENV_PREFIX) :].lower()}@@"
            pairs[value] = placeholder
            pairs.setdefault(json.dumps(value)[1:-1], placeholder)
        self._pairs = sorted(pairs.items(), key=lambda kv: -len(kv[0]))

    def __call__(self, text: str) -> str:
        """``text`` with every secret value replaced by its placeholder."""
        for value, placeholder in self._pairs:
            text = text.replace(value, placeholder)
        return text


def _reason(res: Mapping[str, Any]) -> str:
    """The failing task's message, as short as Ansible allows."""
    msg = res.get("msg")
    if not msg and res.get("results"):  # a loop: the first failed item's message
        for item in res["results"]:
            if isinstance(item, Mapping) and item.get("failed"):
                msg = item.get("msg") or item.get("stderr")
                break
    if not msg:
        msg = res.get("stderr") or res.get("reason") or ""
    text = msg if isinstance(msg, str) else json.dumps(msg)
    return " ".join(text.split()) or "(no message)"


def _diffs(res: Mapping[str, Any]) -> Iterator[str]:
    """Unified diff lines of a task result's ``diff`` (one dict or a list of them)."""
    entries = res.get("diff") or []
    if isinstance(entries, Mapping):
        entries = [entries]
    for item in res.get("results") or []:
        if isinstance(item, Mapping) and item.get("diff"):
            more = item["diff"]
            entries = [*entries, *(more if isinstance(more, list) else [more])]
    for entry in entries:
        if not isinstance(entry, Mapping):
            continue
        if entry.get("prepared"):
            yield from str(entry["prepared"]).splitlines()
            continue
        before, after = entry.get("before"), entry.get("after")
        if not isinstance(before, str) or not isinstance(after, str) or before == after:
            continue
        lines = list(
            difflib.unified_diff(
                before.splitlines(),
                after.splitlines(),
                fromfile=str(entry.get("before_header", "before")),
                tofile=str(entry.get("after_header", "after")),
                lineterm="",
            )
        )
        if len(lines) > MAX_DIFF_LINES:
            cut = len(lines) - MAX_DIFF_LINES
            lines = [*lines[:MAX_DIFF_LINES], f"... ({cut} more lines)"]
        yield from lines


class _Printer:
    """ansible-runner's event handler: progress, reasons and diffs to ``out``."""

    def __init__(self, out: TextIO, mask: Masker, *, diff: bool) -> None:
        self.out, self.mask, self.diff = out, mask, diff
        self.reasons: dict[str, str] = {}
        self.errors: list[str] = []
        self.retrying: set[tuple[str, str]] = set()

    def _write(self, text: str) -> None:
        self.out.write(self.mask(text))
        self.out.flush()

    def __call__(self, event: dict[str, Any]) -> bool:
        kind = str(event.get("event", ""))
        data = event.get("event_data") or {}
        host, task = str(data.get("host", "")), str(data.get("task", ""))
        res = data.get("res") or {}
        if kind == "playbook_on_play_start":
            self._write(f"== {data.get('play', '')}\n")
        elif kind == "runner_on_ok" and res.get("changed"):
            self._write(f"  {host:24} changed   {task}\n")
            if self.diff:
                for line in _diffs(res):
                    self._write(f"    {line}\n")
        elif kind == "runner_on_failed" and not data.get("ignore_errors"):
            reason = self.mask(_reason(res))
            self.reasons.setdefault(host, f"{task}: {reason}")
            self._write(f"  {host:24} FAILED    {task}: {reason}\n")
        elif kind == "runner_retry" and (host, task) not in self.retrying:
            # Once per host and task: a retry policy may retry for an hour.
            self.retrying.add((host, task))
            self._write(f"  {host:24} RETRYING  {task}: {self.mask(_reason(res))}\n")
        elif kind == "runner_on_unreachable":
            reason = self.mask(_reason(res))
            self.reasons.setdefault(host, f"unreachable: {reason}")
            self._write(f"  {host:24} UNREACHABLE {reason}\n")
        elif kind in ("verbose", "error") and "ERROR" in str(event.get("stdout", "")):
            # Ansible stopped before playing (a vault it cannot open, a bad variable file)
            self.errors.append(self.mask(str(event.get("stdout", "")).strip()))
        # Only the final counts are kept on disk (runner derives .stats from them);
        # task events never are, so no task output (and no secret) lands in a file.
        return kind == "playbook_on_stats"


def _user_path(raw: str, cwd: Path, what: str) -> Path:
    """``raw`` as the user typed it, relative to ``cwd``; it must be a readable file."""
    path = Path(raw).expanduser()
    if not path.is_absolute():
        path = cwd / path
    if not path.is_file() or not os.access(path, os.R_OK):
        raise ExternalError(f"{raw}: {what} cannot be read")
    return path


def _extra_vars(items: Sequence[str], cwd: Path) -> list[str]:
    """``-e`` values with ``@file`` made absolute (Ansible runs in another directory)."""
    out = []
    for item in items:
        if item.startswith("@"):
            out.append("@" + str(_user_path(item[1:], cwd, "variable file (-e @FILE)")))
        else:
            out.append(item)
    return out


def _environment(inventory: Path, cwd: Path, local_temp: Path) -> dict[str, str]:
    """Variables for Ansible: the tree's ansible.cfg, resolved user paths, local temp."""
    env = {"ANSIBLE_LOCAL_TEMP": str(local_temp)}
    user_config = os.environ.get("ANSIBLE_CONFIG")
    if user_config:
        env["ANSIBLE_CONFIG"] = str(_user_path(user_config, cwd, "ANSIBLE_CONFIG"))
    elif (inventory / CONFIG_FILE).is_file():
        env["ANSIBLE_CONFIG"] = str((inventory / CONFIG_FILE).resolve())
    password_file = os.environ.get("ANSIBLE_VAULT_PASSWORD_FILE")
    if password_file:
        env["ANSIBLE_VAULT_PASSWORD_FILE"] = str(
            _user_path(password_file, cwd, "vault password file (ANSIBLE_VAULT_PASSWORD_FILE)")
        )
    return env


class _Interrupt:
    """Ctrl-C as a cancel of the run, not an exception in the middle of it.

    ansible-runner then kills Ansible's process group (which runs in a terminal of its
    own and never sees the Ctrl-C); an exception would leave ansible-playbook running.
    """

    def __init__(self) -> None:
        self.requested = False
        self._previous: Any = None

    def _handler(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True

    def __enter__(self) -> _Interrupt:
        try:
            self._previous = signal.signal(signal.SIGINT, self._handler)
        except ValueError:  # not the main thread: Ctrl-C cannot reach us here anyway
            self._previous = None
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def cancel(self) -> bool:
        return self.requested


def run(
    tree: Path,
    *,
    layer: str,
    limit: str | None,
    check: bool,
    diff: bool,
    extra_vars: Sequence[str],
    out: TextIO,
    forks: int | None = None,
    cwd: Path | None = None,
    extra_inventory: Mapping[str, Any] | None = None,
) -> Outcome:
    """Run the ``layer`` playbook on the rendered ``tree``; progress goes to ``out``.

    ``extra_inventory`` (hosts the tree no longer names, to decommission) is written to
    the private data directory and given to Ansible after the tree's inventory, which
    stays the first source (the playbooks find ``group_vars/all.yaml`` beside it).

    Raises KeyboardInterrupt when interrupted (after Ansible was stopped and the
    private data directory removed), ExternalError when Ansible or a file is missing.
    """
    cwd = cwd or Path.cwd()
    tree = tree if tree.is_absolute() else cwd / tree
    inventory = tree / "ansible"
    if not (inventory / "hosts.yaml").is_file():
        raise UserError(
            f"{tree}: not a rendered tree (no ansible/hosts.yaml); run gencfg render first"
        )
    if shutil.which("ansible-playbook") is None:
        raise ExternalError("ansible-playbook is not installed (pip install ansible-core)")
    cmdline = [*(["--check"] if check else []), *(["--diff"] if diff else [])]
    cmdline += [*(["--limit", limit] if limit else [])]
    cmdline += [*(["--forks", str(forks)] if forks else [])]
    for item in _extra_vars(extra_vars, cwd):
        cmdline += ["-e", item]
    printer = _Printer(out, Masker(os.environ), diff=diff)
    rollout_policy = policy.of_tree(tree) if layer in HOST_LAYERS else None
    if rollout_policy:
        out.write(f"rollout policy: {rollout_policy}\n")
    private = tempfile.mkdtemp(prefix="gencfg-rollout-")
    try:
        local_temp = Path(private) / "tmp"
        local_temp.mkdir(mode=0o700)
        envvars = _environment(inventory, cwd, local_temp)
        sources = [str(inventory.resolve())]
        if extra_inventory:
            extra = Path(private) / "inventory-extra.json"  # JSON: read by the YAML plugin
            extra.write_text(json.dumps(extra_inventory, indent=2) + "\n", encoding="utf-8")
            sources.append(str(extra))
        with _Interrupt() as interrupt:
            result = ansible_runner.run(
                private_data_dir=private,
                playbook=str(playbooks_dir() / f"{layer}.yml"),
                inventory=sources,
                cmdline=shlex.join(cmdline),
                envvars=envvars,
                event_handler=printer,
                cancel_callback=interrupt.cancel,
                quiet=True,
            )
        if interrupt.requested or str(result.status) == "canceled":
            raise KeyboardInterrupt
        stats: dict[str, dict[str, int]] = dict(result.stats or {})
        return Outcome(int(result.rc), str(result.status), stats, printer.reasons, printer.errors)
    finally:
        shutil.rmtree(private, ignore_errors=True)
