"""Image references as container runtimes read them, and their manifest URLs."""

from __future__ import annotations

import dataclasses
import re

_COMPONENT = r"[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*"
_REFERENCE = re.compile(
    rf"^(?:(?P<registry>[a-zA-Z0-9.-]+(?::[0-9]+)?)/)?"
    rf"(?P<repository>{_COMPONENT}(?:/{_COMPONENT})*)"
    rf"(?::(?P<tag>[\w][\w.-]{{0,127}}))?"
    rf"(?:@(?P<digest>sha256:[0-9a-f]{{64}}))?$"
)
DOCKER_HUB = "docker.io"


@dataclasses.dataclass(frozen=True, slots=True)
class ImageRef:
    """``ghcr.io/org/app:1.0`` split the way containerd splits it."""

    registry: str
    repository: str
    tag: str | None
    digest: str | None

    @property
    def reference(self) -> str:
        """What the manifest URL asks for: the digest if pinned, else the tag."""
        return self.digest or self.tag or "latest"

    def manifest_url(self, upstream: str) -> str:
        """The registry API URL of the manifest, at the registry's ``upstream`` endpoint."""
        return f"{upstream.rstrip('/')}/v2/{self.repository}/manifests/{self.reference}"


def parse(ref: str) -> ImageRef | None:
    """Parse an image reference; None if it is not one.

    A first component with a '.' or ':' (or ``localhost``) is a registry; otherwise the
    image is on Docker Hub, and single names live under ``library/``.
    """
    match = _REFERENCE.match(ref)
    if not match:
        return None
    registry, repository = match.group("registry"), match.group("repository")
    if registry and not ("." in registry or ":" in registry or registry == "localhost"):
        repository, registry = f"{registry}/{repository}", None
    if registry is None:
        registry = DOCKER_HUB
        if "/" not in repository:
            repository = f"library/{repository}"
    return ImageRef(registry, repository, match.group("tag"), match.group("digest"))
