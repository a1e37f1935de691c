#!/usr/bin/python3
"""Write a layer's record on the host, and tidy after a healthy push (runs on the host).

The record (``/var/lib/gencfg/<layer>.json``: the files the layer manages and the digest
each service was started with) is written atomically, only when its bytes change, in
the layout Ansible's ``to_nice_json`` gives (records written by earlier releases
compare equal). One module run instead of a copy (a stat, a transfer, a copy) each time
the record moves: before the restarts, after them, after a healthy push, on rollback.

After a healthy push (tasks/finish.yml) it first removes, in the same run, what
``remove`` lists: the files the inventory no longer names (a directory the removal
leaves empty goes too, as a removed registry's ``certs.d/<registry>/``) and the backups
Ansible's copy left, which exist only for a rollback. In check mode it reports what it
would do and does nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
module: gencfg_record
short_description: Write a layer's record, remove what the inventory no longer names
options:
  path: {type: str, required: true, description: the record file (root included)}
  files: {type: list, elements: str, required: true}
  started: {type: dict, required: true}
  remove: {type: list, elements: str, default: []}
"""


def record_bytes(files: list[str], started: dict[str, Any]) -> bytes:
    """The record as Ansible's to_nice_json writes it (no trailing newline)."""
    text = json.dumps(
        {"files": files, "started": started}, indent=4, sort_keys=True, separators=(",", ": ")
    )
    return text.encode()


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` (mode 0644) in one rename: never half a record."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(temp).chmod(0o644)
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def remove(path: Path) -> None:
    """Remove whatever is at ``path`` (as ansible.builtin.file state=absent)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def main() -> None:
    """Tidy, then write the record (see the module docstring)."""
    module = AnsibleModule(
        argument_spec={
            "path": {"type": "str", "required": True},
            "files": {"type": "list", "elements": "str", "required": True},
            "started": {"type": "dict", "required": True},
            "remove": {"type": "list", "elements": "str", "default": []},
        },
        supports_check_mode=True,
    )
    params = module.params
    stale = [Path(p) for p in dict.fromkeys(params["remove"]) if os.path.lexists(p)]
    record = Path(params["path"])
    data = record_bytes(list(params["files"]), dict(params["started"]))
    try:
        rewrite = not record.is_file() or record.read_bytes() != data
    except OSError as err:
        module.fail_json(msg=f"cannot read {record}: {err.strerror}")
    emptied: list[Path] = []
    if not module.check_mode:
        try:
            for path in stale:
                remove(path)
            for folder in sorted({p.parent for p in stale}):
                if folder.is_dir() and not any(folder.iterdir()):
                    folder.rmdir()
                    emptied.append(folder)
            if rewrite:
                write_atomically(record, data)
        except OSError as err:
            module.fail_json(msg=f"cannot change {err.filename}: {err.strerror}")
    module.exit_json(
        changed=bool(stale or rewrite),
        removed=[str(p) for p in [*stale, *emptied]],
        record_written=rewrite,
    )


if __name__ == "__main__":
    main()
