"""Shared schema model: the JSON type, the error type, the git reader and small JSON helpers."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any, TypeAlias

JSON: TypeAlias = dict[str, Any]

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
ID_ROOT = "https://gencfg.invalid/schemas/dragonfly"


class GenError(Exception):
    """Raised when the upstream sources do not look the way this generator expects."""


def schema_id(line: str, name: str) -> str:
    """Return the $id of schema ``name`` of release line ``line`` (e.g. v2.1, manager)."""
    return f"{ID_ROOT}/{line}/{name}.schema.json"


def nullable(*types: str) -> list[str]:
    """Return a JSON Schema type list that also accepts null."""
    return [*types, "null"]


class GitTree:
    """Read files of one tag of a git repository."""

    def __init__(self, git_dir: Path, tag: str) -> None:
        self.git_dir = git_dir
        self.tag = tag
        self._cache: dict[str, str] = {}

    def _git(self, *args: str) -> str:
        cmd = ["git", "--git-dir", str(self.git_dir), *args]
        proc = subprocess.run(cmd, check=True, capture_output=True, text=True)
        return proc.stdout

    def commit(self) -> str:
        """Return the commit id of the tag."""
        return self._git("rev-parse", f"{self.tag}^{{commit}}").strip()

    def show(self, path: str) -> str:
        """Return the text of a file at the tag."""
        if path not in self._cache:
            self._cache[path] = self._git("show", f"{self.tag}:{path}")
        return self._cache[path]

    def list_dir(self, path: str) -> list[str]:
        """Return the file paths directly under a directory at the tag."""
        out = self._git("ls-tree", "--name-only", f"{self.tag}:{path}")
        return [f"{path}/{name}" for name in out.splitlines() if name]

    def submodule_commit(self, path: str) -> str:
        """Return the commit a submodule (gitlink) at ``path`` is pinned to at the tag."""
        out = self._git("ls-tree", self.tag, path).split()
        if len(out) < 3 or out[1] != "commit":
            raise GenError(f"{path} is not a submodule at {self.tag}")
        return out[2]

    def find_line(self, path: str, pattern: str) -> int:
        """Return the 1-based line of the first regex match in a file, or raise."""
        rx = re.compile(pattern)
        for number, line in enumerate(self.show(path).splitlines(), start=1):
            if rx.search(line):
                return number
        raise GenError(f"evidence {pattern!r} not found in {path} at {self.tag}")


class MemoryTree(GitTree):
    """A GitTree over in-memory files (for tests and snippets): {path: text}."""

    def __init__(self, files: dict[str, str], tag: str = "snippet") -> None:
        super().__init__(Path(), tag)
        self._cache = dict(files)

    def commit(self) -> str:
        """Return a fixed pseudo commit id."""
        return "0" * 40

    def show(self, path: str) -> str:
        """Return a file, or raise GenError if it is not there."""
        if path not in self._cache:
            raise GenError(f"{path} not found")
        return self._cache[path]

    def list_dir(self, path: str) -> list[str]:
        """Return the files directly under ``path``."""
        prefix = path.rstrip("/") + "/"
        return sorted(
            p for p in self._cache if p.startswith(prefix) and "/" not in p[len(prefix) :]
        )
