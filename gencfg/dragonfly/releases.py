"""Dragonfly releases and the template lines gencfg renders for them."""

from __future__ import annotations

import dataclasses
import re

_VERSION = re.compile(r"^v([0-9]+)\.([0-9]+)\.([0-9]+)$")


@dataclasses.dataclass(frozen=True, order=True, slots=True)
class Release:
    """A Dragonfly release such as v2.1.28."""

    major: int
    minor: int
    patch: int

    def __str__(self) -> str:
        return f"v{self.major}.{self.minor}.{self.patch}"


@dataclasses.dataclass(frozen=True, slots=True)
class Line:
    """A set of templates and output schemas valid for a range of releases."""

    name: str
    first: Release
    last: Release
    verified: Release
    client: str

    def covers(self, release: Release) -> bool:
        """Whether ``release`` belongs to this line."""
        return self.first <= release <= self.last


# v2.1.49 replaced the Go dfdaemon (dfget.yaml) with the Rust client (dfdaemon.yaml).
LINES = (
    Line(
        "v2.1", Release(2, 1, 0), Release(2, 1, 48), Release(2, 1, 28), "Go dfdaemon (dfget.yaml)"
    ),
)
DOCKER_DROPPED = Release(2, 2, 0)
"""Dragonfly v2.2.0 drops support for Docker as a container runtime."""


def parse(version: str) -> Release | None:
    """``"v2.1.28"`` -> Release(2, 1, 28); None if it is not an exact release."""
    match = _VERSION.match(version)
    return Release(*(int(g) for g in match.groups())) if match else None


def line_for(release: Release) -> Line | None:
    """The template line that renders ``release``, if gencfg supports it."""
    return next((line for line in LINES if line.covers(release)), None)


def supports_docker(release: Release) -> bool:
    """Whether the release can integrate with Docker (proxy mode)."""
    return release < DOCKER_DROPPED
