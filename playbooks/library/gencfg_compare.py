#!/usr/bin/python3
"""Read, in one call, what a push needs to know about a host (runs on the host).

Called by the ``gencfg_compare`` action (action_plugins/gencfg_compare.py), which
compares the answers with the rendered files on the controller. Read-only, so it runs
in check mode too.

For each of ``paths``: the sha1 of the file there, or null when there is none (a
directory or a dangling link too: the copy that follows reports those). Which of
``checksums`` (the controller's, same order) match, so the checksums of files holding
secrets never come back. The text of ``state_file`` (the layer's record), or null.
The backups Ansible's copy left beside each path (``<name>.<pid>.<time>~``): a push
interrupted before it finished leaves them, and the push's last step removes them.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
module: gencfg_compare
short_description: Checksums, backups and the layer's record of a host, in one call
options:
  paths: {type: list, elements: str, required: true}
  checksums: {type: list, elements: str, required: true}
  state_file: {type: str, required: true}
"""


def sha1(path: str) -> str | None:
    """The file's sha1 (what Ansible's copy and stat report), None when not a file."""
    if not Path(path).is_file():
        return None
    digest = hashlib.sha1()  # Ansible's checksum (copy, stat)
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backups(paths: list[str]) -> list[str]:
    """Backups Ansible's copy left of ``paths`` (one directory listing each)."""
    found: list[str] = []
    listings: dict[Path, list[str]] = {}
    for path in map(Path, paths):
        if path.parent not in listings:
            try:
                listings[path.parent] = sorted(entry.name for entry in path.parent.iterdir())
            except OSError:
                listings[path.parent] = []
        found += [
            str(path.parent / entry)
            for entry in listings[path.parent]
            if entry.startswith(path.name + ".") and entry.endswith("~")
        ]
    return found


def read_text(path: str) -> str | None:
    """The file's text, None when there is none."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def main() -> None:
    """Answer for every path at once (see the module docstring)."""
    module = AnsibleModule(
        argument_spec={
            "paths": {"type": "list", "elements": "str", "required": True},
            "checksums": {"type": "list", "elements": "str", "required": True, "no_log": True},
            "state_file": {"type": "str", "required": True},
        },
        supports_check_mode=True,
    )
    paths: list[str] = module.params["paths"]
    wanted: list[str] = module.params["checksums"]
    if len(wanted) != len(paths):
        module.fail_json(msg="gencfg_compare: one checksum per path")
    try:
        same = [sha1(path) == checksum for path, checksum in zip(paths, wanted, strict=True)]
        state = read_text(module.params["state_file"])
    except (OSError, UnicodeDecodeError) as err:
        module.fail_json(msg=f"cannot read {getattr(err, 'filename', None) or 'a file'}: {err}")
    module.exit_json(changed=False, same=same, state=state, backups=backups(paths))


if __name__ == "__main__":
    main()
