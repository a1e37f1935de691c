"""The Dragonfly version is an exact, supported release.

ID: ``pinned-version``. Codes GC306 (error), GC319 (warning).

Images are pinned to ``deployment.dragonfly.version``; ``latest`` or a moving tag makes
two hosts run two releases. gencfg renders two lines: v2.1 (Go dfdaemon, dfget.yaml,
v2.1.0 to v2.1.48, verified against v2.1.28) and the current line v2.5 (Rust client,
dfdaemon.yaml, verified against v2.5.1 with client v1.4.2). Other releases of a line
get a warning (GC319).

Pass::

    dragonfly: {version: v2.5.1}

Fail::

    dragonfly: {version: latest}
"""

from __future__ import annotations

from collections.abc import Iterator

from gencfg.checks.base import CheckContext
from gencfg.dragonfly import releases
from gencfg.problem import Level, Problem

ID = "pinned-version"
CODES = {
    "GC306": "the Dragonfly version is not an exact, supported release",
    "GC319": "the release is in a supported line but not the one its templates were verified with",
}


def check(ctx: CheckContext) -> Iterator[Problem]:
    """Check the version and that the image registry carries no tag of its own."""
    model = ctx.model
    path = ("deployment", "dragonfly", "version")
    release = releases.parse(model.version)
    supported = ", ".join(f"{ln.name} ({ln.first} to {ln.last})" for ln in releases.LINES)
    if release is None:
        yield ctx.problem(
            "GC306",
            path,
            f"version {model.version!r} is not an exact release: pin one such as v2.5.1 "
            f"(never latest)",
        )
    elif (line := releases.line_for(release)) is None:
        yield ctx.problem(
            "GC306",
            path,
            f"Dragonfly {release} is not supported; gencfg renders: {supported}",
        )
    elif release != line.verified:
        yield ctx.problem(
            "GC319",
            path,
            f"the {line.name} templates are verified against {line.verified}; check the "
            f"release notes of {release} for config changes",
            level=Level.WARNING,
        )
    last = model.image_registry.rsplit("/", 1)[-1]
    if ":" in last or "@" in last:
        yield ctx.problem(
            "GC306",
            ("deployment", "dragonfly", "image_registry"),
            f"image_registry {model.image_registry!r} must not carry a tag or digest; the tag "
            f"is the version",
        )
