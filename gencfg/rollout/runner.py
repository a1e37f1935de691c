"""Run playbooks/rollout.yml (or one layer) against a rendered tree with ansible-runner.

Progress is streamed per host as Ansible reports it: what changed, what failed, and
the recap. The playbooks do the work; this module only starts them and reports.
"""

from __future__ import annotations

import dataclasses
import shlex
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

import ansible_runner

from gencfg.errors import ExternalError, UserError
from gencfg.resources import playbooks_dir

LAYERS = ("rollout", "preflight", "control-plane", "peers", "runtimes", "kubernetes", "preheat")


@dataclasses.dataclass(slots=True)
class Outcome:
    """How the run ended: Ansible's return code and the per-host recap."""

    rc: int
    status: str
    stats: dict[str, dict[str, int]]

    @property
    def failed_hosts(self) -> list[str]:
        """Hosts that failed or were unreachable."""
        bad = {**self.stats.get("failures", {}), **self.stats.get("dark", {})}
        return sorted(host for host, count in bad.items() if count)


def _printer(out: TextIO) -> Callable[[dict[str, Any]], bool]:
    def on_event(event: dict[str, Any]) -> bool:
        kind = str(event.get("event", ""))
        data = event.get("event_data") or {}
        host, task = data.get("host", ""), data.get("task", "")
        if kind == "playbook_on_play_start":
            out.write(f"== {data.get('play', '')}\n")
        elif kind == "runner_on_ok" and (data.get("res") or {}).get("changed"):
            out.write(f"  {host:24} changed   {task}\n")
        elif kind == "runner_on_failed" and not data.get("ignore_errors"):
            out.write(f"  {host:24} FAILED    {task}\n")
        elif kind == "runner_on_unreachable":
            out.write(f"  {host:24} UNREACHABLE\n")
        out.flush()
        # Only the final counts are kept on disk (runner derives .stats from them);
        # task events never are, so no task output (and no secret) lands in a file.
        return kind == "playbook_on_stats"

    return on_event


def run(
    tree: Path,
    *,
    layer: str,
    limit: str | None,
    check: bool,
    diff: bool,
    extra_vars: Sequence[str],
    out: TextIO,
) -> Outcome:
    """Run the ``layer`` playbook on the rendered ``tree``; progress goes to ``out``."""
    inventory = tree / "ansible"
    if not (inventory / "hosts.yaml").is_file():
        raise UserError(
            f"{tree}: not a rendered tree (no ansible/hosts.yaml); run gencfg render first"
        )
    if shutil.which("ansible-playbook") is None:
        raise ExternalError("ansible-playbook is not installed (pip install ansible-core)")
    cmdline = [*(["--check"] if check else []), *(["--diff"] if diff else [])]
    cmdline += [*(["--limit", limit] if limit else [])]
    for item in extra_vars:
        cmdline += ["-e", item]
    with tempfile.TemporaryDirectory(prefix="gencfg-rollout-") as private:
        result = ansible_runner.run(
            private_data_dir=private,
            playbook=str(playbooks_dir() / f"{layer}.yml"),
            inventory=str(inventory.resolve()),
            cmdline=shlex.join(cmdline),
            event_handler=_printer(out),
            quiet=True,
        )
        stats: dict[str, dict[str, int]] = dict(result.stats or {})
        return Outcome(int(result.rc), str(result.status), stats)
