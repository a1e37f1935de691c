"""Manager and scheduler addresses in overrides have the v2.1 form.

ID: ``manager-address``. Code GC506 (error).

The Go dfdaemon and scheduler of v2.1 dial the manager's gRPC port as ``host:port``
(65003). Two mistakes make peers fail with "can not find available addresses"
(dragonfly#1248, #1371): an ``http://`` URL (the Rust client's format) and the REST
port 8080 of the console.

Pass::

    overrides: {peer: {scheduler: {manager: {netAddrs: [{type: tcp, addr: "10.10.0.10:65003"}]}}}}

Fail::

    overrides: {peer: {scheduler: {manager: {netAddrs: ["http://10.10.0.10:8080"]}}}}
"""

from __future__ import annotations

from collections.abc import Iterator

from gencfg.checks.base import CheckContext
from gencfg.checks.vpc_isolation import manager_addresses
from gencfg.dragonfly import ports
from gencfg.problem import Problem

ID = "manager-address"
CODES = {"GC506": "a manager address in an override is not host:port of the manager's gRPC"}

REST_PORT = ports.default(ports.MANAGER, "rest")


def check(ctx: CheckContext) -> Iterator[Problem]:
    """Check every manager address written in an override."""
    for addr, path in manager_addresses(ctx):
        if "://" in addr:
            yield ctx.problem(
                "GC506",
                path,
                f"{addr!r}: Dragonfly v2.1 expects host:port without a scheme "
                f"(http:// is the Rust client's format)",
            )
        elif addr.rsplit(":", 1)[-1] == str(REST_PORT):
            yield ctx.problem(
                "GC506",
                path,
                f"{addr!r} is the manager's REST/console port; components dial its gRPC "
                f"port {ports.default(ports.MANAGER, 'grpc')}",
            )
