"""The push's one comparison per host: the action
(playbooks/action_plugins/gencfg_compare.py) and its host side
(playbooks/library/gencfg_compare.py).

The plan is tested as a function; the whole action runs through the real
ansible-playbook on this machine (connection local, a root prefix under tmp), with a
secret filled from Ansible Vault variables, and ``-v`` output searched for the
secret's checksum. The SSH tests run the same action in every push.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.ansible import ansible_env, load_plugin, run_local_play

host = load_plugin("library", "gencfg_compare")
action = load_plugin("action_plugins", "gencfg_compare")

ENTRY = {"src": "vpc-a/peers/vm-1/dfget.yaml", "dest": "/etc/dragonfly/dfget.yaml"}
COMPOSE = {"src": "vpc-a/peers/vm-1/docker-compose.yaml", "dest": "/opt/df/docker-compose.yaml"}


def _sha1(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


# --- the host's side -------------------------------------------------------------------


def test_host_checksums_are_ansibles_and_a_missing_file_or_directory_has_none(
    tmp_path: Path,
) -> None:
    (tmp_path / "f").write_bytes(b"bytes\n")
    assert host.sha1(str(tmp_path / "f")) == _sha1(b"bytes\n")
    assert host.sha1(str(tmp_path / "missing")) is None
    assert host.sha1(str(tmp_path)) is None  # the copy that follows says what is wrong


def test_host_finds_the_backups_ansibles_copy_leaves_and_nothing_else(tmp_path: Path) -> None:
    for name in ("dfget.yaml", "dfget.yaml.1234.2026-12-04@10:00:00~", "dfget.yaml.bak", "x~"):
        (tmp_path / name).write_text("")
    assert host.backups([str(tmp_path / "dfget.yaml"), str(tmp_path / "nowhere" / "a")]) == [
        str(tmp_path / "dfget.yaml.1234.2026-12-04@10:00:00~")
    ]
    assert host.read_text(str(tmp_path / "missing.json")) is None


# --- the plan ---------------------------------------------------------------------------


def _plan(same: list[bool], record: dict[str, Any] | None = None, **changes: Any) -> Any:
    entries = [ENTRY | {"restart": "dfdaemon"}, COMPOSE | {"restart": "compose"}]
    started = {
        "compose": _started(entries[1:], ["c1"]),
        "dfdaemon": _started(entries[:1], ["d1"]),
    }
    state = record or {"files": sorted(e["dest"] for e in entries), "started": started}
    args: dict[str, Any] = {
        "local": [("d1", False), ("c1", True)],
        "same": same,
        "record": action.record_text(json.dumps(state)),
        "bundles": [],
        "backups": [],
        "root_prefix": "",
    } | changes
    return action.plan(entries, **args)


def _started(entries: list[dict[str, Any]], sums: list[str]) -> str:
    lines = sorted(f"{e['dest']} {s}" for e, s in zip(entries, sums, strict=True))
    return _sha1("\n".join(lines).encode())


def test_a_host_with_every_file_in_place_is_idle() -> None:
    plan = _plan([True, True])
    assert plan["idle"] is True
    assert plan["plain"] == plan["secret"] == plan["restarts"] == []
    assert [r["checksum"] for r in plan["unchanged"]] == ["d1", "c1"]


def test_files_that_differ_are_split_by_secrets_and_the_host_is_not_idle() -> None:
    plan = _plan([False, False])
    assert plan["idle"] is False
    assert plan["plain"] == [ENTRY | {"restart": "dfdaemon"}]
    assert plan["secret"] == [COMPOSE | {"restart": "compose"}]
    assert plan["unchanged"] == []


def test_a_service_started_with_other_bytes_is_due_a_restart_though_nothing_differs() -> None:
    record = {"files": sorted([ENTRY["dest"], COMPOSE["dest"]]), "started": {"dfdaemon": ""}}
    plan = _plan([True, True], record)
    assert plan["restarts"] == ["dfdaemon"]
    assert plan["idle"] is False


@pytest.mark.parametrize(
    ("case", "changes"),
    [
        ("a backup left by an interrupted run", {"backups": ["/etc/dragonfly/dfget.yaml.1.x~"]}),
        ("a CA bundle to assemble on the host", {"bundles": [{"dest": "/b.pem", "cas": []}]}),
        ("no record yet", {"record": action.record_text(None)}),
        ("a record of an older release (a list)", {"record": action.record_text("[]")}),
    ],
)
def test_a_host_with_something_to_tidy_is_not_idle(case: str, changes: dict[str, Any]) -> None:
    assert _plan([True, True], **changes)["idle"] is False, case


def test_a_record_naming_a_file_the_tree_no_longer_has_is_not_idle() -> None:
    record = {"files": sorted([ENTRY["dest"], COMPOSE["dest"], "/etc/old.toml"]), "started": {}}
    assert _plan([True, True], record)["idle"] is False


def test_a_record_that_is_not_json_stops_the_push_naming_the_fix() -> None:
    with pytest.raises(Exception, match=r"not JSON.*remove it"):
        action.record_text("{")


# --- the action, through ansible-playbook ----------------------------------------------

PLAYBOOK = """
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - gencfg_compare:
        files: "{{ files }}"
        bundles: []
        rendered_dir: "{{ rendered }}"
        root_prefix: "{{ root }}"
        state_file: "{{ root }}/var/lib/gencfg/peers.json"
      register: compared
    - copy:
        content: "{{ compared | to_json }}"
        dest: "{{ out }}"
"""


def _tree(tmp_path: Path) -> Path:
    rendered = tmp_path / "rendered"
    files = {
        ENTRY["src"]: b'password: "@@GENCFG_SECRET:mysql_password@@"\n',
        COMPOSE["src"]: b"services: {}\n",
    }
    manifest = {}
    for rel, data in files.items():
        (rendered / rel).parent.mkdir(parents=True, exist_ok=True)
        (rendered / rel).write_bytes(data)
        secrets = ["mysql_password"] if b"@@" in data else []
        manifest[rel] = {"sha256": hashlib.sha256(data).hexdigest(), "secrets": secrets}
    (rendered / "MANIFEST.json").write_text(json.dumps({"files": manifest}))
    return rendered


def _run(
    tmp_path: Path, rendered: Path, root: Path, *args: str, **more: Any
) -> subprocess.CompletedProcess[str]:
    playbook = tmp_path / "compare.yml"
    playbook.write_text(PLAYBOOK)
    extra = {
        "files": [ENTRY | {"restart": "dfdaemon"}, COMPOSE | {"restart": "compose"}],
        "rendered": str(rendered),
        "root": str(root),
        "out": str(tmp_path / "compared.json"),
    } | more
    return run_local_play(playbook, extra, *args)


def _host_with(root: Path, dfget: bytes) -> None:
    (root / "etc/dragonfly").mkdir(parents=True)
    (root / "etc/dragonfly/dfget.yaml").write_bytes(dfget)


def test_the_action_compares_with_the_secret_filled_and_never_shows_its_checksum(
    tmp_path: Path,
) -> None:
    rendered = _tree(tmp_path)
    root = tmp_path / "host"
    filled = b'password: "pa\\"ss"\n'  # JSON-escaped, as the copy writes it
    _host_with(root, filled)
    (root / "var/lib/gencfg").mkdir(parents=True)
    (root / "var/lib/gencfg/peers.json").write_text(
        json.dumps({"files": [COMPOSE["dest"], ENTRY["dest"]], "started": {}})
    )
    proc = _run(tmp_path, rendered, root, gencfg_secrets={"mysql_password": 'pa"ss'})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    plan = json.loads((tmp_path / "compared.json").read_text())
    assert [r["item"]["dest"] for r in plan["unchanged"]] == [ENTRY["dest"]]
    assert plan["plain"] == [COMPOSE | {"restart": "compose"}]  # not on the host yet
    assert plan["secret"] == []
    assert plan["idle"] is False
    assert _sha1(filled) not in proc.stdout + proc.stderr
    assert 'pa\\"ss' not in proc.stdout.split("TASK [copy]")[0]


def test_a_secret_without_a_value_fails_the_host_naming_it_never_a_value(tmp_path: Path) -> None:
    proc = _run(tmp_path, _tree(tmp_path), tmp_path / "host")
    assert proc.returncode == 2
    assert "mysql_password" in proc.stdout
    assert "/etc/dragonfly/dfget.yaml" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_a_missing_rendered_file_fails_the_host_naming_it(tmp_path: Path) -> None:
    rendered = _tree(tmp_path)
    (rendered / COMPOSE["src"]).unlink()
    proc = _run(tmp_path, rendered, tmp_path / "host", gencfg_secrets={"mysql_password": "x"})
    assert proc.returncode == 2
    assert f"cannot read the rendered file {rendered / COMPOSE['src']}" in proc.stdout


def test_a_secret_encrypted_inline_with_ansible_vault_is_filled(tmp_path: Path) -> None:
    password_file = tmp_path / "vault-pass"
    password_file.write_text("test-vault-password\n")
    vault = shutil.which("ansible-vault", path=str(Path(sys.executable).parent))
    assert vault is not None, "ansible-vault is not installed"
    encrypted = subprocess.run(
        [vault, "encrypt_string", "--vault-password-file", str(password_file), "s3cret"],
        capture_output=True,
        text=True,
        check=True,
        env=ansible_env(),
    ).stdout
    indented = "".join(f"  {line}\n" for line in encrypted.splitlines())
    (tmp_path / "vault-vars.yml").write_text(f"gencfg_secrets:\n  mysql_password:{indented[1:]}")
    root = tmp_path / "host"
    _host_with(root, b'password: "s3cret"\n')
    proc = _run(
        tmp_path,
        _tree(tmp_path),
        root,
        "--vault-password-file",
        str(password_file),
        "-e",
        f"@{tmp_path / 'vault-vars.yml'}",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    plan = json.loads((tmp_path / "compared.json").read_text())
    assert [r["item"]["dest"] for r in plan["unchanged"]] == [ENTRY["dest"]]
