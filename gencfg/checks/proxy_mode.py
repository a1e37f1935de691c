"""Docker's proxy mode really goes through Dragonfly.

ID: ``proxy-mode``. Code GC503 (warning).

Docker reaches registries through the dfdaemon proxy (HTTPS_PROXY), not as a mirror.
For HTTPS registries it sends CONNECT, and the Go dfdaemon only looks inside (and
serves blobs from P2P) when it can intercept TLS with a CA Docker trusts
(``proxy.hijackHTTPS``). Without ``runtimes.docker.hijack_ca``, pulls work but are
tunnelled straight to the registry, untouched (dragonfly-archived#525, #264).

Pass::

    runtimes:
      docker:
        live_restore: true
        hijack_ca: {cert: /etc/dragonfly-ca/cacert.pem, key: /etc/dragonfly-ca/cakey.pem}

Fail::

    runtimes: {docker: {live_restore: true}}
"""

from __future__ import annotations

from collections.abc import Iterator

from gencfg.checks.base import CheckContext
from gencfg.problem import Level, Problem

ID = "proxy-mode"
CODES = {
    "GC503": "Docker uses the proxy but HTTPS pulls cannot be intercepted, so none is accelerated"
}


def check(ctx: CheckContext) -> Iterator[Problem]:
    """Warn once per VPC whose Docker hosts lack a hijack CA.

    On lines without Docker support, docker-support rejects Docker instead.
    """
    if ctx.model.line.rust_client:
        return
    for vpc in ctx.model.vpcs:
        users = vpc.peers_using("docker")
        https = [r.host for r in vpc.registries if r.upstream.startswith("https://")]
        if users and https and vpc.runtimes.docker_hijack_ca is None:
            yield ctx.problem(
                "GC503",
                (*users[0].path, "runtimes"),
                f"Docker on {users[0].name} pulls through the dfdaemon proxy, but without "
                f"runtimes.docker.hijack_ca its HTTPS pulls ({', '.join(https)}) are only "
                f"tunnelled, never served from P2P",
                level=Level.WARNING,
            )
