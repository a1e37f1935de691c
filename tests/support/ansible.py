"""Run playbooks against the loopback sshd, via the CLI (stdlib only) or via
ansible-runner's Python API (needs `pip install ansible-runner`).

Environment that makes runs fast, quiet and deterministic on this machine.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from tests.support import runtimehost

if TYPE_CHECKING:
    from tests.support.sshd import SshServer

RECAP_RE = re.compile(
    r"^(?P<host>\S+)\s+: ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)"
    r"\s+unreachable=(?P<unreachable>\d+)\s+failed=(?P<failed>\d+)\s+skipped=(?P<skipped>\d+)"
    r"\s+rescued=(?P<rescued>\d+)\s+ignored=(?P<ignored>\d+)",
    re.M,
)


def ansible_env(
    bin_dir: str | None = None,
    extra: dict[str, str] | None = None,
    control_path_dir: Path | None = None,
) -> dict[str, str]:
    env = dict(os.environ)
    if control_path_dir is not None:
        # Keep ssh ControlPersist sockets per test run so they can be closed
        # (SshServer.close_control_masters) instead of lingering 60 s in ~/.ansible/cp.
        env["ANSIBLE_SSH_CONTROL_PATH_DIR"] = str(control_path_dir)
    if bin_dir:
        env["PATH"] = f"{bin_dir}:{env.get('PATH', '')}"
    env.update(
        {
            "ANSIBLE_HOST_KEY_CHECKING": "False",
            "ANSIBLE_PIPELINING": "True",  # ~40% faster over ssh
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "False",
            "ANSIBLE_SSH_RETRIES": "0",
            "ANSIBLE_GATHERING": "explicit",
            "ANSIBLE_DEPRECATION_WARNINGS": "False",
            # Not the pyenv shims found through root's PATH.
            "ANSIBLE_PYTHON_INTERPRETER": "/usr/bin/python3",
        }
    )
    env.update(extra or {})
    return env


@dataclass
class PlaybookResult:
    rc: int
    seconds: float
    stdout: str
    recap: dict[str, dict[str, int]]


def run_playbook_cli(
    playbook: Path,
    inventory: Path,
    extra_vars: dict[str, Any] | None = None,
    bin_dir: str | None = None,
    timeout: float = 900,  # a first rollout of five hosts on a loaded 2-core machine
    control_path_dir: Path | None = None,
    args: list[str] | None = None,
) -> PlaybookResult:
    search = f"{bin_dir}:{os.environ.get('PATH', '')}" if bin_dir else None
    exe = shutil.which("ansible-playbook", path=search)
    if exe is None:
        raise RuntimeError("ansible-playbook not found")
    cmd = [exe, "-i", str(inventory), str(playbook), *(args or [])]
    if extra_vars:
        cmd += ["-e", json.dumps(extra_vars)]
    t0 = time.monotonic()
    env = ansible_env(bin_dir, control_path_dir=control_path_dir)
    cp = subprocess.run(
        cmd, capture_output=True, text=True, env=env, timeout=timeout, cwd=playbook.parent
    )
    recap = {
        m["host"]: {k: int(v) for k, v in m.groupdict().items() if k != "host"}
        for m in RECAP_RE.finditer(cp.stdout)
    }
    return PlaybookResult(cp.returncode, time.monotonic() - t0, cp.stdout + cp.stderr, recap)


@dataclass
class HostEvent:
    event: str  # runner_on_ok | runner_on_failed | runner_on_unreachable | runner_on_skipped ...
    host: str
    task: str
    changed: bool
    at: float


@dataclass
class RunnerResult:
    rc: int
    status: str
    seconds: float
    events: list[HostEvent] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    def hosts_with(self, event: str) -> list[str]:
        return sorted({e.host for e in self.events if e.event == event})


def run_playbook_runner(
    private_data_dir: Path,
    playbook: Path,
    inventory: Path,
    extra_vars: dict[str, Any] | None = None,
    bin_dir: str | None = None,
    control_path_dir: Path | None = None,
) -> RunnerResult:
    """ansible_runner.run with a streaming per-host event handler.

    ansible-runner spawns `ansible-playbook` from PATH, so a venv's bin dir
    must be on PATH (bin_dir), even when this code runs in that venv.
    Artifacts go to private_data_dir/artifacts/<ident>/.
    """
    import ansible_runner  # type: ignore[import-untyped]

    events: list[HostEvent] = []

    def on_event(ev: dict[str, Any]) -> bool:
        data = ev.get("event_data") or {}
        if ev.get("event", "").startswith("runner_on_") and data.get("host"):
            res = data.get("res") or {}
            events.append(
                HostEvent(
                    ev["event"],
                    data["host"],
                    data.get("task", ""),
                    bool(res.get("changed")),
                    time.monotonic(),
                )
            )
        return True  # keep the event in artifacts too

    env = ansible_env(bin_dir, control_path_dir=control_path_dir)
    private_data_dir.mkdir(parents=True, exist_ok=True)  # runner raises ValueError otherwise
    t0 = time.monotonic()
    old_path = os.environ.get("PATH", "")
    os.environ["PATH"] = env["PATH"]
    try:
        r = ansible_runner.run(
            private_data_dir=str(private_data_dir),
            playbook=str(playbook),
            inventory=str(inventory),
            extravars=extra_vars or {},
            envvars={k: v for k, v in env.items() if k.startswith("ANSIBLE_")},
            event_handler=on_event,
            quiet=True,
        )
    finally:
        os.environ["PATH"] = old_path
    return RunnerResult(
        int(r.rc), str(r.status), time.monotonic() - t0, events, dict(r.stats or {})
    )


PLAYBOOKS = Path(__file__).resolve().parents[2] / "playbooks"
STANDIN = PLAYBOOKS.parent / "tests" / "support" / "standin.py"


def load_plugin(kind: str, name: str) -> ModuleType:
    """A plugin of the playbooks (``library/gencfg_prereq``...) imported by its path, to
    test its functions without Ansible (registered, so dataclasses resolve)."""
    path = PLAYBOOKS / kind / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"{name}_{kind}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def host_vars(roots: Path, work: Path, sshd: SshServer) -> dict[str, Any]:
    """Extra vars of the SSH rigs: connection, per-host roots, the stand-ins' commands."""
    per_host = f"{roots}/{{{{ inventory_hostname }}}}"
    return {
        "gencfg_root": per_host,
        "ansible_user": "root",
        "ansible_ssh_private_key_file": str(sshd.client_key),
        "ansible_ssh_common_args": " ".join(sshd.ssh_args()),
        "gencfg_compose_command": f"{STANDIN} {per_host}/calls.log compose",
        "gencfg_systemctl": f"{STANDIN} {per_host}/calls.log systemctl",
        "gencfg_kubectl": f"{STANDIN} {work}/kubectl.log kubectl",
        "gencfg_nydusd_command": runtimehost.nydusd_command(per_host),
    }


# Ansible loads the plugin directories beside a playbook for every task of the run, a
# role's too; ansible-lint and a playbook elsewhere (the tests' own) need to be told.
PLAYBOOK_PLUGINS = {
    "ANSIBLE_ACTION_PLUGINS": str(PLAYBOOKS / "action_plugins"),
    "ANSIBLE_LIBRARY": str(PLAYBOOKS / "library"),
    "ANSIBLE_FILTER_PLUGINS": str(PLAYBOOKS / "filter_plugins"),
}


def run_local_play(
    playbook: Path, extra_vars: dict[str, Any], *args: str
) -> subprocess.CompletedProcess[str]:
    """ansible-playbook -v on this machine (connection local) with the playbooks' plugins."""
    exe = shutil.which("ansible-playbook", path=str(Path(sys.executable).parent))
    assert exe is not None, "ansible-playbook is not installed"
    return subprocess.run(
        [exe, "-v", "-i", "localhost,", str(playbook), "-e", json.dumps(extra_vars), *args],
        capture_output=True,
        text=True,
        env=ansible_env(extra=PLAYBOOK_PLUGINS),
        timeout=300,
        check=False,
    )
