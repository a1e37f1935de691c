"""What the plan stage produces: one OutputFile per file of the rendered tree."""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

from gencfg.inventory.model import Layer
from gencfg.inventory.source import JsonPath

Format = Literal["yaml", "json", "toml", "text"]


@dataclasses.dataclass(frozen=True, slots=True)
class OutputFile:
    """A file to render: where it goes, how it is made, and who receives it.

    ``path`` is relative to ``rendered/<env>/``; ``template`` relative to
    ``templates/``; ``dest`` is the absolute path on the owner hosts (None for files
    that are not copied to hosts, such as Kubernetes manifests or preheat jobs);
    ``restart`` names what a change to the file restarts or re-applies.
    """

    path: str
    kind: str
    template: str
    context: dict[str, Any]
    fmt: Format
    source: JsonPath
    owners: tuple[str, ...] = ()
    dest: str | None = None
    restart: str = "none"
    schema: str | None = None
    overrides: tuple[Layer, ...] = ()
    mode: str = "0644"
    embeds: tuple[tuple[str, str], ...] = ()
    """(context name, path of another planned file): that file's text is put in the context."""
    intermediate: bool = False
    """Rendered and validated only to be embedded in other files; not part of the tree."""


@dataclasses.dataclass(frozen=True, slots=True)
class Rendered:
    """A rendered file: its plan entry and its final bytes."""

    plan: OutputFile
    content: bytes

    @property
    def has_secrets(self) -> bool:
        """Whether the file carries secret placeholders (pushed with mode 0600)."""
        return b"@@GENCFG_SECRET:" in self.content
