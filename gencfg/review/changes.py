"""Compare two rendered trees and say what the difference does."""

from __future__ import annotations

import dataclasses
import difflib
import json
from collections.abc import Mapping
from typing import Any, Literal

from gencfg.tree.manifest import MANIFEST

Status = Literal["added", "changed", "removed"]

EFFECTS = {
    "manager": "restarts the manager",
    "scheduler": "restarts the scheduler",
    "seed-peer": "restarts the seed peer",
    "seed-client": "restarts the seed client",
    "dfdaemon": "restarts the peer",
    "compose": "recreates changed containers",
    "dockerd": "restarts dockerd (containers survive only with live-restore)",
    "nydus-snapshotter": "restarts nydus-snapshotter",
    "kubectl-apply": "applied with kubectl (a DaemonSet change rolls its pods)",
    "preheat": "submitted to the manager by gencfg preheat (playbooks/preheat.yml)",
    "none": "no restart",
}


@dataclasses.dataclass(frozen=True, slots=True)
class FileChange:
    """One file that differs between two trees, with its MANIFEST entry."""

    path: str
    status: Status
    old: bytes | None
    new: bytes | None
    entry: dict[str, Any]

    @property
    def vpc(self) -> str:
        """The VPC the file belongs to ("(deployment)" for top-level files)."""
        head = self.path.split("/", 1)[0]
        return "(deployment)" if head == "ansible" else head

    @property
    def hosts(self) -> list[str]:
        """Hosts that receive the file."""
        return list(self.entry.get("owners", []))

    @property
    def effect(self) -> str:
        """What pushing the change does."""
        return EFFECTS.get(str(self.entry.get("restart", "none")), str(self.entry.get("restart")))


def _manifest(files: Mapping[str, bytes]) -> dict[str, Any]:
    data = files.get(MANIFEST)
    entries: dict[str, Any] = json.loads(data).get("files", {}) if data else {}
    return entries


def compare(old: Mapping[str, bytes], new: Mapping[str, bytes]) -> list[FileChange]:
    """Every file (MANIFEST excepted: it only restates the others) that differs."""
    old_entries, new_entries = _manifest(old), _manifest(new)
    out: list[FileChange] = []
    for path in sorted((set(old) | set(new)) - {MANIFEST}):
        before, after = old.get(path), new.get(path)
        if before == after:
            continue
        status: Status = "added" if before is None else "removed" if after is None else "changed"
        entry = new_entries.get(path) or old_entries.get(path) or {}
        out.append(FileChange(path, status, before, after, entry))
    return out


def unified(changes: list[FileChange]) -> str:
    """A unified diff of every changed file (git-style a/ and b/ paths)."""
    chunks: list[str] = []
    for change in changes:
        before = (change.old or b"").decode(errors="replace").splitlines(keepends=True)
        after = (change.new or b"").decode(errors="replace").splitlines(keepends=True)
        fromfile = "/dev/null" if change.old is None else f"a/{change.path}"
        tofile = "/dev/null" if change.new is None else f"b/{change.path}"
        lines = list(difflib.unified_diff(before, after, fromfile, tofile))
        chunks.append("".join(line if line.endswith("\n") else line + "\n" for line in lines))
    return "".join(chunks)
