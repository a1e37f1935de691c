"""The layer's record and the tidy-up after a healthy push: the push role's module
playbooks/library/gencfg_record.py, run by the real ansible-playbook
on this machine (connection local, paths under tmp). The SSH tests run it in every push.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.ansible import run_local_play

PLAYBOOK = """
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - gencfg_record:
        path: "{{ record }}"
        files: "{{ files }}"
        started: "{{ started }}"
        remove: "{{ remove }}"
      register: recorded
    - copy:
        content: "{{ recorded | to_json }}"
        dest: "{{ out }}"
      check_mode: false
"""

# What the playbooks wrote before this module, with Ansible's to_nice_json.
NICE = """{
    "files": [
        "/etc/a.toml",
        "/opt/b.yaml"
    ],
    "started": {
        "compose": "",
        "dfdaemon": "0a1b"
    }
}"""


def _run(tmp_path: Path, *args: str, **changes: Any) -> tuple[int, dict[str, Any], str]:
    playbook = tmp_path / "record.yml"
    playbook.write_text(PLAYBOOK)
    extra = {
        "record": str(tmp_path / "host/var/lib/gencfg/peers.json"),
        "files": ["/etc/a.toml", "/opt/b.yaml"],
        "started": {"dfdaemon": "0a1b", "compose": ""},
        "remove": [],
        "out": str(tmp_path / "recorded.json"),
    } | changes
    proc = run_local_play(playbook, extra, *args)
    out = tmp_path / "recorded.json"
    return proc.returncode, json.loads(out.read_text()) if out.exists() else {}, proc.stdout


def test_the_record_is_written_as_to_nice_json_and_only_when_its_bytes_change(
    tmp_path: Path,
) -> None:
    rc, result, out = _run(tmp_path)
    assert rc == 0, out
    record = tmp_path / "host/var/lib/gencfg/peers.json"  # its directory made too
    assert record.read_text() == NICE
    assert oct(record.stat().st_mode & 0o777) == "0o644"
    assert result["changed"] is True
    rc, result, out = _run(tmp_path)
    assert (rc, result["changed"], result["record_written"]) == (0, False, False), out


def test_a_healthy_push_removes_stale_files_their_emptied_directory_and_backups(
    tmp_path: Path,
) -> None:
    host = tmp_path / "host"
    stale = host / "etc/containerd/certs.d/quay.io/hosts.toml"
    kept = host / "etc/containerd/certs.d/docker.io/hosts.toml"
    backup = kept.with_name("hosts.toml.1234.2026-12-04@10:00:00~")
    for path in (stale, kept, backup):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    gone = str(host / "etc/never-there.toml")
    rc, result, out = _run(tmp_path, remove=[str(stale), str(backup), gone])
    assert rc == 0, out
    assert not stale.parent.exists()  # a removed registry's directory goes with it
    assert not backup.exists()
    assert kept.read_text() == "x"
    assert result["removed"] == [str(stale), str(backup), str(stale.parent)]


def test_check_mode_reports_and_changes_nothing(tmp_path: Path) -> None:
    stale = tmp_path / "host/etc/old.toml"
    stale.parent.mkdir(parents=True)
    stale.write_text("x")
    rc, result, out = _run(tmp_path, "--check", remove=[str(stale)])
    assert rc == 0, out
    assert result["changed"] is True
    assert stale.exists()
    assert not (tmp_path / "host/var/lib/gencfg/peers.json").exists()


def test_a_record_that_cannot_be_written_fails_naming_it(tmp_path: Path) -> None:
    (tmp_path / "host/var/lib").mkdir(parents=True)
    (tmp_path / "host/var/lib/gencfg").write_text("a file where the directory goes")
    rc, _, out = _run(tmp_path)
    assert rc == 2
    assert "gencfg" in out
    assert "Traceback" not in out
