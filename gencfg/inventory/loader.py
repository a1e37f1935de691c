"""Find and merge the YAML files of an inventory directory."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from gencfg.errors import UserError
from gencfg.inventory.source import JsonPath, Mark, SourceMap
from gencfg.inventory.yamlload import load_yaml
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


def discover(root: Path) -> list[Path]:
    """The inventory files under ``root`` (or ``root`` itself), sorted by path.

    Hidden files and directories are skipped so editors' swap files and ``.git`` never
    become part of an inventory.
    """
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise UserError(f"{root}: no such inventory directory or file")
    files = [
        p
        for p in root.rglob("*")
        if p.suffix in YAML_SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    ]
    if not files:
        raise UserError(f"{root}: no inventory files (*.yaml) found")
    return sorted(files)


def _shift(path: JsonPath, offsets: dict[str, int]) -> JsonPath:
    """Renumber the list items of a file that were appended after earlier files' items."""
    if len(path) > 1 and isinstance(path[1], int) and str(path[0]) in offsets:
        return (path[0], path[1] + offsets[str(path[0])], *path[2:])
    return path


def _merge_file(
    merged: dict[str, Any], smap: SourceMap, data: dict[str, Any], fmap: SourceMap
) -> list[Problem]:
    """Merge one file's top-level keys into ``merged``: lists append, others must be new."""
    problems: list[Problem] = []
    offsets: dict[str, int] = {}
    for key, value in data.items():
        if key not in merged:
            merged[key] = value
            continue
        if isinstance(merged[key], list) and isinstance(value, list):
            offsets[key] = len(merged[key])
            merged[key].extend(value)
            continue
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
    for marks, into in ((fmap.values, smap.values), (fmap.keys, smap.keys)):
        if offsets:
            for path, mark in marks.items():
                into.setdefault(_shift(path, offsets), mark)
        else:  # nothing to renumber: no call per path (a file holds 100,000s of marks)
            for path, mark in marks.items():
                into.setdefault(path, mark)
    return problems


def load_inventory(root: Path) -> tuple[LoadedInventory, list[Problem]]:
    """Load every file of the inventory at ``root`` and merge them.

    All files are read even when one has errors, so one run reports every problem.
    """
    smap = SourceMap()
    merged: dict[str, Any] = {}
    problems: list[Problem] = []
    for file in discover(root):
        name = str(file)
        smap.files.append(name)
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(name, 0, 0, "GC107", f"cannot read file: {exc}"))
            continue
        fmap = SourceMap(files=[name])
        data, file_problems = load_yaml(text, name, fmap)
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
    if not smap.values.get(()) and smap.files:
        smap.values[()] = Mark(smap.files[0], 1, 1)
    return LoadedInventory(root, merged, smap), problems
