"""What every linter gets (the tree, options, parsed files) and the shape of a linter."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath
from typing import Protocol

from gencfg.inventory.source import SourceMap
from gencfg.lint.parse import CODE_PARSE, Parsed, parser_for
from gencfg.lint.tree import RenderedTree
from gencfg.problem import Level, Problem


@dataclasses.dataclass(frozen=True, slots=True)
class Options:
    """Settings of one lint run."""

    kubernetes_version: str
    """Kubernetes version whose API schemas the manifests are checked against (1.NN[.P])."""


class LintContext:
    """One rendered tree being linted; files are read and parsed once, whoever asks."""

    def __init__(self, tree: RenderedTree, options: Options) -> None:
        self.tree = tree
        self.options = options
        self._text: dict[str, str | Problem] = {}
        self._parsed: dict[str, Parsed] = {}

    def label(self, rel: str) -> str:
        """How problems name a file: the tree's path as given, then the file's."""
        return (PurePosixPath(self.tree.root.as_posix()) / rel).as_posix()

    def problem(
        self,
        rel: str,
        code: str,
        message: str,
        *,
        line: int = 0,
        col: int = 0,
        level: Level = Level.ERROR,
    ) -> Problem:
        """A problem in ``rel`` (the whole file unless ``line`` says where)."""
        return Problem(self.label(rel), line, col, code, message, level)

    def files(self, where: Callable[[str, str], bool]) -> Iterator[str]:
        """Files listed in the MANIFEST and present on disk for which ``where(rel, kind)``."""
        for rel, entry in sorted(self.tree.entries.items()):
            if rel in self.tree.on_disk and where(rel, str(entry.get("kind", ""))):
                yield rel

    def files_of_kind(self, *kinds: str) -> Iterator[str]:
        """Present files whose MANIFEST kind is one of ``kinds``."""
        return self.files(lambda _rel, kind: kind in kinds)

    def read(self, rel: str) -> bytes | Problem:
        """The file's bytes, or the problem that it cannot be read."""
        try:
            return self.tree.on_disk[rel].read_bytes()
        except OSError as exc:
            return self.problem(rel, CODE_PARSE, f"cannot read: {exc.strerror or exc}")

    def text(self, rel: str) -> str | Problem:
        """The file's text, or the problem that it is not readable UTF-8 text."""
        if rel not in self._text:
            data = self.read(rel)
            if isinstance(data, Problem):
                self._text[rel] = data
                return data
            try:
                self._text[rel] = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                self._text[rel] = self.problem(rel, CODE_PARSE, f"not UTF-8 text: {exc.reason}")
        return self._text[rel]

    def parsed(self, rel: str) -> Parsed:
        """The file parsed by its extension (.yaml/.yml, .json, .toml)."""
        if rel not in self._parsed:
            parse = parser_for(rel)
            text = self.text(rel)
            label = self.label(rel)
            if isinstance(text, Problem):
                self._parsed[rel] = Parsed(None, SourceMap(files=[label]), text)
            elif parse is None:
                message = "not a format lint reads (.yaml, .yml, .json, .toml)"
                self._parsed[rel] = Parsed(
                    None, SourceMap(files=[label]), self.problem(rel, CODE_PARSE, message)
                )
            else:
                self._parsed[rel] = parse(text, label)
        return self._parsed[rel]


class Linter(Protocol):
    """A linter module: ``ID``, ``CODES`` (code -> meaning) and ``lint``."""

    ID: str
    CODES: dict[str, str]

    def lint(self, ctx: LintContext) -> Iterator[Problem]:
        """Yield the problems found in the tree of ``ctx``."""
        ...
