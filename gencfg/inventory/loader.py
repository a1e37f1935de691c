"""Find and merge the YAML files of an inventory directory."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

from gencfg.errors import UserError
from gencfg.inventory.source import Filler, Mark, Marks, SourceMap
from gencfg.inventory.yamlload import load_yaml, load_yaml_value
from gencfg.problem import Problem

YAML_SUFFIXES = (".yaml", ".yml")


@dataclasses.dataclass(slots=True)
class LoadedInventory:
    """The merged inventory document and where each of its values came from."""

    root: Path
    data: dict[str, Any]
    smap: SourceMap

    @property
    def files(self) -> list[str]:
        """The files merged, in merge order."""
        return self.smap.files


MAX_FILE_BYTES = 8 * 1024 * 1024
"""Largest inventory file read (a 10,000-node inventory is about 1 MiB)."""
MAX_TOTAL_BYTES = 16 * 1024 * 1024
"""Largest inventory, all files together: memory and time stay bounded in CI."""
MAX_HOSTS = 150_000
"""Most machines (control-plane VMs, peer VMs, listed Kubernetes nodes) in an inventory:
room for the benchmark's 100,000 nodes in 500 VPCs (rendered in about 600 MiB)."""


def source_label(root: Path) -> str:
    """How rendered files name their inventory: its path from the repository root.

    The same on every machine and from any working directory, so provenance headers
    never make a diff by themselves.
    """
    path = root.resolve()
    for parent in (path, *path.parents):
        if (parent / ".git").exists():
            return path.relative_to(parent).as_posix() or path.name
    return path.name


@dataclasses.dataclass(slots=True)
class Discovered:
    """The files of an inventory to read, and the entries that cannot be read."""

    files: list[Path]
    problems: list[Problem]


def _unreadable(path: Path, message: str, code: str = "GC107") -> Problem:
    return Problem(str(path), 0, 0, code, message)


def _classify(path: Path) -> tuple[bool, Problem | None]:
    """Whether ``path`` (not hidden) is an inventory file to read, or why it is reported.

    The rule (docs/inventory.md): a file whose name ends in ``.yaml`` or ``.yml`` is
    read; any other spelling of those suffixes (``.YAML``) is an error; a symlink is
    followed, and one that leads nowhere is an error; other files are ignored.
    """
    suffix = path.suffix
    if suffix.lower() not in YAML_SUFFIXES:
        return False, None
    if suffix not in YAML_SUFFIXES:
        return False, _unreadable(
            path,
            f"inventory files end in .yaml or .yml (lower case); rename it to "
            f"{path.stem}{suffix.lower()} to read it, or move it out of the inventory",
            "GC108",
        )
    if not path.exists():
        target = path.readlink() if path.is_symlink() else "?"
        return False, _unreadable(path, f"cannot read file: a dangling symlink (to {target})")
    if not path.is_file():
        return False, _unreadable(path, "cannot read file: not a regular file")
    return True, None


def _walk(root: Path, found: Discovered) -> None:
    """Every non-hidden entry under ``root``, following symlinked directories once."""
    seen: set[str] = set()
    for top, dirs, names in os.walk(root, followlinks=True):
        real = os.path.realpath(top)
        if real in seen:
            found.problems.append(
                _unreadable(Path(top), "cannot read directory: a symlink loop (already read)")
            )
            dirs[:] = []
            continue
        seen.add(real)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith("."):
                continue
            path = Path(top, name)
            if path.is_symlink() and not path.exists() and path.suffix.lower() not in YAML_SUFFIXES:
                # it may have been a directory of inventory files
                found.problems.append(
                    _unreadable(path, f"cannot read: a dangling symlink (to {path.readlink()})")
                )
                continue
            read, problem = _classify(path)
            if read:
                found.files.append(path)
            elif problem is not None:
                found.problems.append(problem)


def discover_all(root: Path) -> Discovered:
    """The inventory files under ``root`` (or ``root`` itself), and what cannot be read.

    Hidden files and directories (``.git``, editors' swap files) are ignored; so is any
    file whose name does not end in ``.yaml``/``.yml`` in some spelling. Every other
    entry is read (symlinks followed) or reported: nothing of an inventory vanishes.
    """
    if root.is_file():
        return Discovered([root], [])
    if not root.is_dir():
        raise UserError(f"{root}: no such inventory directory or file")
    found = Discovered([], [])
    _walk(root, found)
    if not found.files and not found.problems:
        raise UserError(f"{root}: no inventory files (*.yaml) found")
    found.files.sort()
    return found


def discover(root: Path) -> list[Path]:
    """The inventory files under ``root`` that can be read, sorted by path."""
    return discover_all(root).files


def _decode(data: bytes, name: str) -> tuple[str | None, Problem | None]:
    """The text of an inventory file, or where and why it is not UTF-8 text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, Problem(
            name, 1, 1, "GC107", "the file is UTF-16 (byte-order mark); inventory files are UTF-8"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = data[exc.start : exc.start + 1].hex()
        return None, Problem(
            name,
            line,
            col,
            "GC107",
            f"byte 0x{byte} is not UTF-8; inventory files are UTF-8 (re-save the file as "
            f"UTF-8, e.g. iconv -f latin1 -t utf-8)",
        )
    nul = text.find("\0")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        col = nul - (text.rfind("\n", 0, nul) + 1) + 1
        return None, Problem(
            name, line, col, "GC107", "NUL byte: inventory files are UTF-8 text without NUL bytes"
        )
    return text, None


def _read(file: Path, name: str, budget: int) -> tuple[str | None, Problem | None]:
    try:
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, Problem(
                name,
                0,
                0,
                "GC109",
                f"the file is {size:,} bytes; inventory files are limited to "
                f"{MAX_FILE_BYTES:,} bytes (split it, one file per VPC)",
            )
        if size > budget:
            return None, Problem(
                name,
                0,
                0,
                "GC109",
                f"the inventory exceeds {MAX_TOTAL_BYTES:,} bytes with this file; "
                f"that is the limit of one inventory (split the deployment)",
            )
        with file.open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return None, Problem(name, 0, 0, "GC107", f"cannot read file: {exc.strerror or exc}")
    return _decode(data, name)


def _count_hosts(data: dict[str, Any]) -> int:
    count = 0
    vpcs = data.get("vpcs")
    for vpc in vpcs if isinstance(vpcs, list) else []:
        if not isinstance(vpc, dict):
            continue
        for key in ("control_plane", "peer_vms"):
            items = vpc.get(key)
            count += len(items) if isinstance(items, list) else 0
        groups = vpc.get("node_groups")
        for group in groups if isinstance(groups, list) else []:
            nodes = group.get("nodes") if isinstance(group, dict) else None
            count += len(nodes) if isinstance(nodes, list) else 0
    return count


def _merge_file(
    merged: dict[str, Any], smap: SourceMap, data: dict[str, Any], fmap: SourceMap
) -> list[Problem]:
    """Merge one file's values and marks into ``merged`` and ``smap`` (see _merge_values).

    The file was loaded with its list items numbered after ``merged``'s (``starts``).
    """
    problems: list[Problem] = []
    for key in _merge_values(merged, data):
        first = smap.keys[(key,)]
        here = fmap.keys[(key,)]
        problems.append(
            Problem(
                here.file,
                here.line,
                here.col,
                "GC106",
                f"top-level key {key!r} is already defined at {first.file}:{first.line} "
                f"(only lists such as vpcs may be split over several files)",
            )
        )
    _merge_marks(fmap, smap.values, smap.keys)
    return problems


def _clashes(merged: dict[str, Any], data: dict[str, Any]) -> list[str]:
    """Top-level keys of ``data`` that cannot merge: defined before, and not two lists."""
    return [
        key
        for key, value in data.items()
        if key in merged and not (isinstance(merged[key], list) and isinstance(value, list))
    ]


def _merge_values(merged: dict[str, Any], data: dict[str, Any]) -> list[str]:
    """Merge one file's top-level keys into ``merged``: lists append, others must be new.

    Returns the keys left out (``_clashes``).
    """
    clashes = _clashes(merged, data)
    for key, value in data.items():
        if key not in merged:
            merged[key] = value
        elif key not in clashes:
            merged[key].extend(value)
    return clashes


def _merge_marks(fmap: SourceMap, values: Marks, keys: Marks) -> None:
    for marks, into in ((fmap.values, values), (fmap.keys, keys)):
        # An earlier file's mark wins (setdefault), with dict operations run in C: a
        # file holds 100,000s of marks, and only top-level paths can be in both.
        earlier = {path: into[path] for path in marks.keys() & into.keys()}
        into.update(marks)
        into.update(earlier)


def _root_mark(first: Mark) -> Filler:
    """The whole inventory's position, if no file gave one (all empty)."""

    def fill(values: Marks, keys: Marks) -> None:
        values.setdefault((), first)

    return fill


def _deferred_marks(text: str, name: str, starts: dict[str, int]) -> Filler:
    """Marks of a file that loaded cleanly, read again with positions when needed."""

    def fill(values: Marks, keys: Marks) -> None:
        fmap = SourceMap(files=[name])
        load_yaml(text, name, fmap, starts)
        _merge_marks(fmap, values, keys)

    return fill


def load_inventory(root: Path) -> tuple[LoadedInventory, list[Problem]]:
    """Load every file of the inventory at ``root`` and merge them.

    All files are read even when one has errors, so one run reports every problem.
    """
    smap = SourceMap()
    merged: dict[str, Any] = {}
    found = discover_all(root)
    problems: list[Problem] = list(found.problems)
    budget = MAX_TOTAL_BYTES
    for file in found.files:
        name = str(file)
        smap.files.append(name)
        text, problem = _read(file, name, budget)
        if problem is not None or text is None:
            problems.extend([problem] if problem else [])
            continue
        budget -= len(text.encode())
        starts = {key: len(value) for key, value in merged.items() if isinstance(value, list)}
        # Values first, without positions: the usual file loads and merges cleanly, and
        # its marks are only read again if something needs to point into it.
        data, file_problems = load_yaml_value(text, name)
        if not file_problems and isinstance(data, dict) and not _clashes(merged, data):
            _merge_values(merged, data)
            smap.defer(_deferred_marks(text, name, starts))
            continue
        fmap = SourceMap(files=[name])
        data, file_problems = load_yaml(text, name, fmap, starts)
        problems.extend(file_problems)
        if file_problems or data is None:
            continue
        if not isinstance(data, dict):
            mark = fmap.values.get((), Mark(name, 1, 1))
            problems.append(
                Problem(
                    name,
                    mark.line,
                    mark.col,
                    "GC107",
                    "the top level of an inventory file must be a mapping",
                )
            )
            continue
        problems.extend(_merge_file(merged, smap, data, fmap))
    hosts = _count_hosts(merged)
    if hosts > MAX_HOSTS:
        mark = smap.keys.get(("vpcs",), Mark(smap.files[0] if smap.files else str(root), 1, 1))
        problems.append(
            Problem(
                mark.file,
                mark.line,
                mark.col,
                "GC109",
                f"the inventory lists {hosts:,} machines; one inventory is limited to "
                f"{MAX_HOSTS:,} (split the deployment)",
            )
        )
    if smap.files:
        smap.defer(_root_mark(Mark(smap.files[0], 1, 1)))
    return LoadedInventory(root, merged, smap), problems
