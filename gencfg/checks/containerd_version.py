"""The declared containerd release reads ``certs.d/<registry>/hosts.toml``.

ID: ``containerd-version``. Code GC321 (error).

gencfg configures containerd only through ``hosts.toml`` files in the directory that
containerd's CRI ``registry.config_path`` names; containerd reads them from v1.5 on
(its docs/hosts.md). A VPC whose hosts pull through containerd and that declares
``runtimes.containerd.version`` below 1.5 would get files its containerd never reads.
The rollout's preflight compares the declared release with ``containerd --version`` on
each host.

Pass::

    runtimes: {containerd: {version: 1.7.24}}

Fail::

    runtimes: {containerd: {version: 1.4.13}}
"""

from __future__ import annotations

from collections.abc import Iterator

from gencfg.checks.base import CheckContext
from gencfg.problem import Problem

ID = "containerd-version"
CODES = {"GC321": "the declared containerd release cannot read certs.d (config_path needs 1.5+)"}

CONFIG_PATH_FIRST = (1, 5)
"""containerd v1.5 introduced the CRI registry config_path (certs.d/<host>/hosts.toml)."""


def _release(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.removeprefix("v").split("."))


def check(ctx: CheckContext) -> Iterator[Problem]:
    """Refuse a declared containerd release that predates config_path."""
    for vpc in ctx.model.vpcs:
        version = vpc.runtimes.containerd_version
        if version is None or not vpc.peers_using("containerd"):
            continue
        if _release(version)[:2] < CONFIG_PATH_FIRST:
            yield ctx.problem(
                "GC321",
                (*vpc.runtimes.path, "containerd", "version"),
                f"containerd {version} cannot read the certs.d/<registry>/hosts.toml files "
                f"gencfg writes for VPC {vpc.name!r} (registry config_path needs containerd "
                f"1.5 or later): upgrade containerd and declare its release",
            )
