"""Registries are named as images name them and reached at their real API endpoint.

ID: ``registries``. Codes GC501 (error), GC502 (warning), GC505 (warning), GC514 (error),
GC515 (warning).

Docker Hub images are ``docker.io/...``, so containerd looks in ``certs.d/docker.io``,
but Docker Hub's API is not at ``https://docker.io``: that upstream answers with an
HTML page and pulls fail with "unexpected media type text/html" (dragonfly#2523). Use
``https://index.docker.io`` (gencfg's default) or ``https://registry-1.docker.io``
(GC501). A registry named by its API host (``registry-1.docker.io``) never matches an
image reference, so nothing is mirrored (dragonfly#1344) (GC502). Skipping TLS
verification or a plain-http upstream leaves pulls open to tampering (GC505). A port
in a registry's host or upstream is 1 to 65535 (GC514: ``ghcr.io:99999``). On v2.1 the
dfdaemon's registry mirror has one ``insecure`` for every registry it serves, so gencfg
sets it only when every registry has ``skip_verify``; otherwise the mirror keeps
verifying and the skip_verify registry's requests through it fail TLS (GC515).

Pass::

    registries: [{host: docker.io, upstream: https://index.docker.io}]

Fail::

    registries: [{host: docker.io, upstream: https://docker.io}]
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from gencfg.checks.base import CheckContext
from gencfg.dragonfly import releases
from gencfg.problem import Level, Problem

ID = "registries"
CODES = {
    "GC501": "Docker Hub's upstream is not its API endpoint (text/html media type errors)",
    "GC502": "a registry is named by an API host that image references never use",
    "GC505": "TLS to a registry is not verified",
    "GC514": "a registry's port is not 1 to 65535",
    "GC515": "v2.1's registry mirror cannot skip TLS verification for one registry only",
}
_PORT = re.compile(r"^(?:https?://)?[^/:]+:([0-9]+)(?:/|$)")


def _bad_port(address: str) -> str | None:
    match = _PORT.match(address)
    if match and not 1 <= int(match.group(1)) <= 65535:
        return match.group(1)
    return None


DOCKER_HUB_APIS = ("https://index.docker.io", "https://registry-1.docker.io")
API_HOST_ALIASES = {"registry-1.docker.io": "docker.io", "index.docker.io": "docker.io"}


def _mirror_cannot_skip(ctx: CheckContext) -> Iterator[Problem]:
    """GC515: v2.1's proxy.registryMirror.insecure is one setting for every registry."""
    line = releases.line_of(ctx.model.version)
    if line is None or line.rust_client:
        return
    for vpc in ctx.model.vpcs:
        if all(r.skip_verify for r in vpc.registries):
            continue  # insecure is then exactly what every registry asks for
        for r in vpc.registries:
            if r.skip_verify:
                yield ctx.problem(
                    "GC515",
                    (*r.path, "skip_verify"),
                    f"registry {r.host}: the v2.1 dfdaemon's registry mirror has one "
                    f"insecure setting for every registry (proxy.registryMirror.insecure), "
                    f"so gencfg keeps it verifying: what the mirror fetches from {r.host} "
                    f"itself (manifests, tokens) fails TLS; give its CA with ca: instead",
                    level=Level.WARNING,
                )


def check(ctx: CheckContext) -> Iterator[Problem]:
    """Check each registry's name and upstream."""
    yield from _mirror_cannot_skip(ctx)
    for vpc in ctx.model.vpcs:
        for r in vpc.registries:
            for key in ("host", "upstream"):
                port = _bad_port(getattr(r, key))
                if port is not None:
                    yield ctx.problem(
                        "GC514",
                        (*r.path, key),
                        f"registry {key} {getattr(r, key)}: port {port} is not 1 to 65535",
                    )
            if r.host == "docker.io" and r.upstream not in DOCKER_HUB_APIS:
                yield ctx.problem(
                    "GC501",
                    (*r.path, "upstream"),
                    f"Docker Hub's API is not {r.upstream}: pulls would fail with 'unexpected "
                    f"media type text/html'; use https://index.docker.io",
                )
            if r.host in API_HOST_ALIASES:
                yield ctx.problem(
                    "GC502",
                    (*r.path, "host"),
                    f"images are referenced as {API_HOST_ALIASES[r.host]}/..., so containerd "
                    f"never looks in certs.d/{r.host}: use host: {API_HOST_ALIASES[r.host]} "
                    f"(with upstream: https://{r.host})",
                    level=Level.WARNING,
                )
            if r.skip_verify or r.upstream.startswith("http://"):
                what = "skip_verify is set" if r.skip_verify else "the upstream is plain http"
                yield ctx.problem(
                    "GC505",
                    (*r.path, "skip_verify" if r.skip_verify else "upstream"),
                    f"registry {r.host}: {what}, so pulls are not protected by TLS; give "
                    f"its CA with ca: instead",
                    level=Level.WARNING,
                )
