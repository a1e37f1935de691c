"""``gencfg rollout`` says what happened: reasons, diffs, paths as typed, exit codes.

ansible_runner.run is replaced by a fake that replays Ansible events (or raises
KeyboardInterrupt), so what is tested is the command's reporting, not the playbooks
(tests/test_rollout_ssh.py runs those over SSH).
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from gencfg.exitcodes import ExitCode
from gencfg.rollout import runner
from gencfg.tree.manifest import MANIFEST
from tests.conftest import Result

SECRET = "s3cr3t-planted-by-tests"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    path = tmp_path / "rendered" / "e2e"
    (path / "ansible").mkdir(parents=True)
    (path / "ansible" / "hosts.yaml").write_text("all: {}\n")
    (path / "ansible" / "ansible.cfg").write_text("[defaults]\nforks = 20\n")
    files = {"ansible/hosts.yaml": {}}
    (path / MANIFEST).write_text(json.dumps({"dragonfly": "v2.1.0", "files": files}))
    return path


Fake = Callable[..., Any]


@pytest.fixture
def fake_runner(monkeypatch: pytest.MonkeyPatch) -> Callable[..., list[dict[str, Any]]]:
    """Install a fake ansible_runner.run replaying ``events``; return its calls."""

    def install(
        events: list[dict[str, Any]],
        *,
        rc: int = 0,
        stats: dict[str, dict[str, int]] | None = None,
        during: Callable[[dict[str, Any]], None] | None = None,
    ) -> list[dict[str, Any]]:
        calls: list[dict[str, Any]] = []

        def run(**kwargs: Any) -> Any:
            calls.append(kwargs)
            assert Path(kwargs["private_data_dir"]).is_dir()
            for event in events:
                kwargs["event_handler"](event)
            status = "successful" if rc == 0 else "failed"
            if during is not None:
                during(kwargs)
                if kwargs["cancel_callback"]():
                    status = "canceled"
            return SimpleNamespace(rc=rc, status=status, stats=stats)

        monkeypatch.setattr(runner.ansible_runner, "run", run)
        monkeypatch.setattr(runner.shutil, "which", lambda name: f"/bin/{name}")
        return calls

    return install


def _event(kind: str, host: str = "", task: str = "", **data: Any) -> dict[str, Any]:
    return {"event": kind, "event_data": {"host": host, "task": task, **data}}


def _stats(**hosts: str) -> dict[str, dict[str, int]]:
    """{host: 'ok'|'failed'|'dark'} -> ansible-runner's stats."""
    stats: dict[str, dict[str, int]] = {"ok": {}, "failures": {}, "dark": {}, "changed": {}}
    for host, state in hosts.items():
        stats["ok"][host] = 1
        if state == "failed":
            stats["failures"][host] = 1
        if state == "dark":
            stats["dark"][host] = 1
    return stats


def test_failed_hosts_are_reported_with_their_reason(
    cli: Callable[..., Result], tree: Path, fake_runner: Callable[..., Any]
) -> None:
    fake_runner(
        [
            _event("playbook_on_play_start", play="Control plane"),
            _event(
                "runner_on_failed",
                "cp-1",
                "Health - manager",
                res={"msg": "Status code was 500 and not [200]: HTTP Error 500"},
            ),
            _event(
                "runner_on_unreachable",
                "cp-2",
                "Push",
                res={"msg": "Failed to connect to the host via ssh: Connection refused"},
            ),
        ],
        rc=2,
        stats=_stats(**{"cp-1": "failed", "cp-2": "dark", "cp-3": "ok"}),
    )
    result = cli("rollout", str(tree))
    assert result.rc == ExitCode.ROLLOUT_FAILED
    assert "cp-1" in result.out and "Status code was 500" in result.out
    assert "cp-1: Health - manager: Status code was 500 and not [200]" in result.err
    assert "cp-2: unreachable: Failed to connect to the host via ssh" in result.err
    assert "cp-3" not in result.err


def test_loop_failure_reports_the_failed_item(
    cli: Callable[..., Result], tree: Path, fake_runner: Callable[..., Any]
) -> None:
    res = {"msg": "", "results": [{"failed": False}, {"failed": True, "msg": "disk full"}]}
    fake_runner(
        [_event("runner_on_failed", "vm-1", "Push files", res=res)],
        rc=2,
        stats=_stats(**{"vm-1": "failed"}),
    )
    result = cli("rollout", str(tree))
    assert result.rc == ExitCode.ROLLOUT_FAILED
    assert "vm-1: Push files: disk full" in result.err


def test_check_diff_is_shown_with_secrets_masked(
    cli: Callable[..., Result],
    tree: Path,
    fake_runner: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GENCFG_SECRET_JWT_KEY", SECRET)
    diff = {
        "before": "location: zone-a\nkey: old\n",
        "after": f"location: zone-b\nkey: {SECRET}\n",
        "before_header": "/opt/dragonfly/config/scheduler.yaml",
        "after_header": "rendered/scheduler.yaml",
    }
    calls = fake_runner(
        [
            _event("runner_on_ok", "cp-1", "Push", res={"changed": True, "diff": [diff]}),
            _event("runner_on_failed", "cp-2", "Push", res={"msg": f"bad value {SECRET}"}),
        ],
        rc=2,
        stats=_stats(**{"cp-1": "ok", "cp-2": "failed"}),
    )
    result = cli("rollout", str(tree), "--check", "--diff")
    assert "--check --diff" in calls[0]["cmdline"]
    assert "-location: zone-a" in result.out
    assert "+location: zone-b" in result.out
    assert "+key: @@GENCFG_SECRET:jwt_key@@" in result.out
    assert "bad value @@GENCFG_SECRET:jwt_key@@" in result.err
    assert SECRET not in result.out + result.err


def test_masker_masks_the_json_escaped_form_too() -> None:
    mask = runner.Masker({"GENCFG_SECRET_DB": 'p@ss"word', "OTHER": "p@ss"})
    assert mask('a p@ss"word b p@ss\\"word c p@ss') == (
        "a @@GENCFG_SECRET:db@@ b @@GENCFG_SECRET:db@@ c p@ss"
    )


def test_relative_vault_paths_are_resolved_where_the_user_ran(
    cli: Callable[..., Result],
    tree: Path,
    tmp_path: Path,
    fake_runner: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    work = tmp_path / "work"
    (work / "secrets").mkdir(parents=True)
    (work / "vault.yml").write_text("gencfg_secrets: {}\n")
    (work / "secrets" / "pass").write_text("x\n")
    monkeypatch.setenv("ANSIBLE_VAULT_PASSWORD_FILE", "secrets/pass")
    monkeypatch.delenv("ANSIBLE_CONFIG", raising=False)
    calls = fake_runner([], stats=_stats(**{"cp-1": "ok"}))
    result = cli("rollout", os.path.relpath(tree, work), "-e", "@vault.yml", cwd=work)
    assert result.rc == 0, result.err
    assert f"-e @{work / 'vault.yml'}" in calls[0]["cmdline"]
    env = calls[0]["envvars"]
    assert env["ANSIBLE_VAULT_PASSWORD_FILE"] == str(work / "secrets" / "pass")
    assert env["ANSIBLE_CONFIG"] == str(tree / "ansible" / "ansible.cfg")
    assert [Path(i) for i in calls[0]["inventory"]] == [tree / "ansible"]


@pytest.mark.parametrize(
    ("argv", "env", "named"),
    [
        (["-e", "@missing.yml"], {}, "missing.yml"),
        ([], {"ANSIBLE_VAULT_PASSWORD_FILE": "nope"}, "nope"),
    ],
)
def test_unreadable_user_files_exit_3(
    cli: Callable[..., Result],
    tree: Path,
    tmp_path: Path,
    fake_runner: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    env: dict[str, str],
    named: str,
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    calls = fake_runner([])
    result = cli("rollout", str(tree), *argv, cwd=tmp_path)
    assert result.rc == ExitCode.ERROR
    assert named in result.err and "cannot be read" in result.err
    assert calls == []


def test_ansible_missing_exits_3(
    cli: Callable[..., Result], tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner.shutil, "which", lambda name: None)
    result = cli("rollout", str(tree))
    assert result.rc == ExitCode.ERROR
    assert "ansible-playbook is not installed" in result.err


def test_ansible_stopping_before_playing_exits_3_with_its_error(
    cli: Callable[..., Result], tree: Path, fake_runner: Callable[..., Any]
) -> None:
    error = {"event": "verbose", "stdout": "ERROR! Attempting to decrypt but no vault secrets"}
    fake_runner([error], rc=1, stats=None)
    result = cli("rollout", str(tree))
    assert result.rc == ExitCode.ERROR
    assert "Attempting to decrypt but no vault secrets" in result.err


def test_ctrl_c_exits_130_and_leaves_no_private_dir(
    cli: Callable[..., Result], tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Path] = []

    def run(**kwargs: Any) -> Any:
        seen.append(Path(kwargs["private_data_dir"]))
        (seen[0] / "tmp" / "ansible-local-1").mkdir()  # Ansible's controller temp
        raise KeyboardInterrupt

    monkeypatch.setattr(runner.ansible_runner, "run", run)
    monkeypatch.setattr(runner.shutil, "which", lambda name: f"/bin/{name}")
    result = cli("rollout", str(tree))
    assert result.rc == ExitCode.INTERRUPTED
    assert "interrupted" in result.err
    assert seen and not seen[0].exists()


def test_sigint_cancels_ansible_then_exits_130(
    cli: Callable[..., Result], tree: Path, fake_runner: Callable[..., Any]
) -> None:
    """Ctrl-C while Ansible runs: the runner is told to cancel (it kills Ansible's
    process group), then the command exits 130 and removes its private directory."""
    private: list[Path] = []

    def interrupt(kwargs: dict[str, Any]) -> None:
        private.append(Path(kwargs["private_data_dir"]))
        assert kwargs["envvars"]["ANSIBLE_LOCAL_TEMP"].startswith(str(private[0]))
        assert not kwargs["cancel_callback"]()
        os.kill(os.getpid(), signal.SIGINT)

    calls = fake_runner([], rc=254, during=interrupt)
    result = cli("rollout", str(tree))
    assert calls and result.rc == ExitCode.INTERRUPTED
    assert not private[0].exists()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_forks_are_passed_to_ansible(
    cli: Callable[..., Result], tree: Path, fake_runner: Callable[..., Any]
) -> None:
    calls = fake_runner([], stats=_stats(**{"cp-1": "ok"}))
    assert cli("rollout", str(tree), "--forks", "7").rc == 0
    assert "--forks 7" in calls[0]["cmdline"]
    with pytest.raises(SystemExit) as exc:
        cli("rollout", str(tree), "--forks", "0")
    assert exc.value.code == ExitCode.INVALID


def test_the_policy_comes_first_and_each_retried_task_once(
    cli: Callable[..., Result], tree: Path, fake_runner: Callable[..., Any]
) -> None:
    variables = "gencfg_max_fail_percentage: 0\ngencfg_retry: {max_duration: 3600, interval: 30}\n"
    (tree / "ansible" / "group_vars").mkdir()
    (tree / "ansible" / "group_vars" / "all.yaml").write_text(variables)
    retry = {"msg": "unreachable (Connection refused); retrying every 30s for up to 3600s"}
    fake_runner(
        [
            _event("playbook_on_play_start", play="Peer VMs - dfdaemon"),
            _event("runner_retry", "vm-2", "Push rendered files", res=retry),
            _event("runner_retry", "vm-2", "Push rendered files", res=retry),
        ]
    )
    result = cli("rollout", str(tree), "--layer", "peers")
    assert result.rc == ExitCode.OK
    assert result.out.splitlines() == [
        "rollout policy: retry unhealthy or unreachable hosts every 30s for up to 1h; "
        "a host still failing then stops the rollout",
        "== Peer VMs - dfdaemon",
        f"  {'vm-2':24} RETRYING  Push rendered files: unreachable (Connection refused); "
        "retrying every 30s for up to 3600s",
    ]
    result = cli("rollout", str(tree), "--layer", "kubernetes")
    assert "rollout policy" not in result.out  # applied from the controller, no batches
