"""A change of Dragonfly line, said as such: which hosts switch, in what order, what goes.

``gencfg diff`` prints this before the file-by-file changes when the two trees'
MANIFESTs name releases of different lines (v2.1 -> the current line). The order is
the playbooks' (docs/upgrade.md): the control plane VM by VM, manager first; then the
peers, canary first, each host's client and runtime files in one step; then the v2.1
leftovers are removed. It is the only safe order: a v2.5 manager and scheduler still
serve v2.1's gRPC API (v1), a v2.1 control plane cannot serve the Rust client.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from gencfg.dragonfly import releases
from gencfg.review.changes import FileChange
from gencfg.tree.manifest import MANIFEST, loads, release


@dataclasses.dataclass(frozen=True, slots=True)
class LineChange:
    """From which release to which, and what that does to which hosts."""

    old: str
    new: str
    control_plane: list[str]
    peers: list[str]
    nodes: list[str]
    removed: dict[str, list[str]]
    """host -> v2.1 files removed from it at the end."""


def _release(files: Mapping[str, bytes]) -> str:
    data = files.get(MANIFEST)
    return release(loads(data)) if data else ""


def detect(
    old: Mapping[str, bytes], new: Mapping[str, bytes], changes: list[FileChange]
) -> LineChange | None:
    """The line change between two trees, if their releases are of different lines."""
    before, after = _release(old), _release(new)
    if not before or not after or releases.line_name(before) == releases.line_name(after):
        return None
    control: set[str] = set()
    peers: set[str] = set()
    nodes: set[str] = set()
    removed: dict[str, list[str]] = {}
    for c in changes:
        hosts = c.hosts
        if "/control-plane/" in c.path:
            control.update(hosts)
        elif "/peers/" in c.path:
            peers.update(hosts)
        elif "/runtime/" in c.path:
            nodes.update(hosts)
        if c.status == "removed" and c.entry.get("dest"):
            for host in hosts:
                removed.setdefault(host, []).append(str(c.entry["dest"]))
    nodes -= peers | control
    return LineChange(before, after, sorted(control), sorted(peers), sorted(nodes), removed)


def steps(change: LineChange) -> list[str]:
    """The upgrade, step by step, as sentences."""
    old, new = releases.line_name(change.old), releases.line_name(change.new)
    out = [
        f"Dragonfly {change.old} ({old}) -> {change.new} ({new}): "
        f"a change of line, rolled out in this order:",
        f"1. control plane, one VM at a time ({', '.join(change.control_plane) or 'none'}): "
        f"manager first (it migrates its database forward on start: back it up before), then "
        f"the scheduler, then the seed client that replaces the seed peer",
        f"2. peers, canary first, then in batches ({', '.join(change.peers) or 'none'}): "
        f"each host's client and its runtime files (hosts.toml, nydus) switch together, "
        f"health is checked on the client's ports; a failure restores the v2.1 pair",
    ]
    if change.nodes:
        out.append(
            f"   Kubernetes nodes ({', '.join(change.nodes)}): runtime files with the "
            f"runtimes layer, the DaemonSet by kubectl"
        )
    gone = sum(len(v) for v in change.removed.values())
    out.append(
        f"3. then the v2.1 leftovers are removed: {gone} file(s) on "
        f"{len(change.removed)} host(s), and the v2.1 containers (seed peer, dfdaemon) "
        f"with their compose projects"
    )
    return out


def markdown(change: LineChange) -> str:
    """The steps as a Markdown section, with the files removed per host."""
    lines = ["#### Line change", "", *steps(change), ""]
    for host, files in sorted(change.removed.items()):
        lines.append(f"- `{host}` loses " + ", ".join(f"`{f}`" for f in sorted(files)))
    return "\n".join(lines) + "\n\n"
