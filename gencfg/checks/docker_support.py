"""Docker integration only where Dragonfly supports it, and never as a surprise.

ID: ``docker-support``. Codes GC310 (error), GC317 (warning).

Dragonfly v2.2.0 dropped Docker support, so a host with ``runtimes: [docker]`` is an
error from v2.2 on (GC310). Loading the proxy drop-in restarts dockerd, which restarts
every container on the host unless ``/etc/docker/daemon.json`` has ``live-restore``:
the VPC must declare ``runtimes.docker.live_restore: true`` or the rollout will refuse
to restart dockerd (GC317, a warning at render time).

Pass::

    runtimes: {docker: {live_restore: true}}
    peer_vms: [{name: build-1, ip: 10.10.3.11, runtimes: [docker]}]

Fail::

    peer_vms: [{name: build-1, ip: 10.10.3.11, runtimes: [docker]}]   # live_restore unknown
"""

from __future__ import annotations

from collections.abc import Iterator

from gencfg.checks.base import CheckContext
from gencfg.dragonfly import releases
from gencfg.problem import Level, Problem

ID = "docker-support"
CODES = {
    "GC310": "Docker integration is requested but the Dragonfly release does not support it",
    "GC317": "Docker integration without live-restore: the rollout would restart every container",
}


def check(ctx: CheckContext) -> Iterator[Problem]:
    """Check each group and VM that asks for the docker runtime."""
    release = releases.parse(ctx.model.version)
    for vpc in ctx.model.vpcs:
        users = vpc.peers_using("docker")
        for owner in users:
            if release and not releases.supports_docker(release):
                yield ctx.problem(
                    "GC310",
                    (*owner.path, "runtimes"),
                    f"Dragonfly {release} does not support Docker (dropped in "
                    f"{releases.DOCKER_DROPPED}: upstream documents no Docker integration for "
                    f"the Rust client); use containerd (hosts.toml through the client's "
                    f"proxy), e.g. runtimes: [containerd] with engine: nerdctl",
                )
        if users and release and not releases.supports_docker(release):
            continue  # GC310 says what to do instead; live-restore is beside the point
        if users and vpc.runtimes.docker_live_restore is not True:
            yield ctx.problem(
                "GC317",
                (*users[0].path, "runtimes"),
                f"VPC {vpc.name!r} integrates Docker but does not declare "
                f"runtimes.docker.live_restore: true; the rollout will not restart dockerd "
                f"(that would restart every container) and the proxy drop-in stays inactive",
                level=Level.WARNING,
            )
