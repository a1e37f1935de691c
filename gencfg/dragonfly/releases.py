"""Dragonfly releases and the template lines gencfg renders for them.

Two lines: ``v2.1`` (Go dfdaemon, ``dfget.yaml``, Docker supported) and the current line
``v2.5`` (manager and scheduler v2.5.x, the Rust client's ``dfdaemon.yaml`` for peers and
seed clients, no Docker). Everything that differs between them by *name* (file names,
images, health endpoints) is a field of :class:`Line`; ports are in ``ports.py`` and the
translation of shared inventory concepts in ``concepts.py``.
"""

from __future__ import annotations

import dataclasses
import re

_VERSION = re.compile(r"^v([0-9]+)\.([0-9]+)\.([0-9]+)$")


@dataclasses.dataclass(frozen=True, order=True, slots=True)
class Release:
    """A release such as v2.1.28 (Dragonfly) or v1.4.2 (the Rust client)."""

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
    """What runs on peers and seeds, in words."""
    peer_config: str
    """File name of the peer's and the seed's config (dfget.yaml / dfdaemon.yaml)."""
    seed_dir: str
    """Directory of the seed's config on a control-plane VM, and its compose service."""
    seed_label: str
    """What the seed is called on this line (seed peer / seed client)."""
    peer_image: str
    """Image name of the peer and seed (dfdaemon / client)."""
    health_path: str
    """HTTP health endpoint of the peer and seed."""
    clients: dict[Release, tuple[Release, Release]] = dataclasses.field(default_factory=dict)
    """Rust client releases upstream pairs with each Dragonfly release: (pinned, last)."""

    def covers(self, release: Release) -> bool:
        """Whether ``release`` belongs to this line."""
        return self.first <= release <= self.last

    def schema(self, name: str) -> str:
        """Output schema id of a Dragonfly file of this line.

        ``peer`` names the peers' and seed's config: dfget on v2.1, dfdaemon after it.
        """
        if name == "peer":
            name = self.peer_config.removesuffix(".yaml")
        return f"dragonfly/{self.name}/{name}"

    @property
    def rust_client(self) -> bool:
        """Whether peers and seeds run the Rust client (a separately versioned image)."""
        return bool(self.clients)

    def pairing(self, release: Release) -> tuple[Release, Release] | None:
        """(the client release upstream pins, the last one paired) for ``release``.

        Dragonfly pins the client as a git submodule at each tag; later patch releases of
        the same client minor line are paired too (upstream's charts move them together).
        A Dragonfly patch release newer than the ones listed pairs like the newest listed.
        """
        known = [r for r in self.clients if r <= release]
        return self.clients[max(known)] if known else None


V2_1 = Line(
    name="v2.1",
    first=Release(2, 1, 0),
    last=Release(2, 1, 48),
    verified=Release(2, 1, 28),
    client="Go dfdaemon (dfget.yaml)",
    peer_config="dfget.yaml",
    seed_dir="seed-peer",
    seed_label="seed peer",
    peer_image="dfdaemon",
    health_path="/server/ping",
)
# The current line. The client pins are the `client` submodule of each Dragonfly tag
# (v2.5.0 -> client v1.4.0, v2.5.1 -> client v1.4.2); 1.4.x is the client line the
# v2.5 charts (1.7.x) ship.
V2_5 = Line(
    name="v2.5",
    first=Release(2, 5, 0),
    last=Release(2, 5, 99),
    verified=Release(2, 5, 1),
    client="Rust client (dfdaemon.yaml)",
    peer_config="dfdaemon.yaml",
    seed_dir="seed-client",
    seed_label="seed client",
    peer_image="client",
    health_path="/healthy",
    clients={
        Release(2, 5, 0): (Release(1, 4, 0), Release(1, 4, 99)),
        Release(2, 5, 1): (Release(1, 4, 2), Release(1, 4, 99)),
    },
)
LINES = (V2_1, V2_5)
BY_NAME = {line.name: line for line in LINES}
VERIFIED_CLIENT = Release(1, 4, 2)
"""The Rust client release whose serde structs schemas/dragonfly/v2.5/dfdaemon is derived from."""

DOCKER_DROPPED = Release(2, 2, 0)
"""Dragonfly v2.2.0 drops support for Docker as a container runtime."""


def parse(version: str) -> Release | None:
    """``"v2.1.28"`` -> Release(2, 1, 28); None if it is not an exact release."""
    match = _VERSION.match(version)
    return Release(*(int(g) for g in match.groups())) if match else None


def line_for(release: Release) -> Line | None:
    """The template line that renders ``release``, if gencfg supports it."""
    return next((line for line in LINES if line.covers(release)), None)


def line_of(version: str) -> Line | None:
    """The line of a version string, if it is an exact, supported release."""
    release = parse(version)
    return line_for(release) if release else None


def line_name(version: str) -> str:
    """The name of the line of a version string ("" if gencfg supports none)."""
    line = line_of(version)
    return line.name if line else ""


def default_client(version: str) -> str | None:
    """The client release upstream pins for Dragonfly ``version`` (None on the v2.1 line)."""
    release = parse(version)
    line = line_for(release) if release else None
    if release is None or line is None:
        return None
    pair = line.pairing(release)
    return str(pair[0]) if pair else None


def supports_docker(release: Release) -> bool:
    """Whether the release can integrate with Docker (proxy mode)."""
    return release < DOCKER_DROPPED
