"""The manager gets a JWT signing key of the deployment's own.

ID: ``manager-auth``. Code GC315 (error).

manager.yaml requires ``auth.jwt.key``; the upstream samples ship ``ZHJhZ29uZmx5Cg==``
(base64 of "dragonfly"), with which anyone can forge console tokens.

Pass::

    deployment: {jwt_key: {secret: jwt_key}}

Fail::

    deployment: {}                       # no jwt_key
"""

from __future__ import annotations

from collections.abc import Iterator

from gencfg.checks.base import CheckContext
from gencfg.problem import Problem

ID = "manager-auth"
CODES = {"GC315": "the managers have no JWT signing key"}


def check(ctx: CheckContext) -> Iterator[Problem]:
    """Require deployment.jwt_key when any VPC runs a manager."""
    if ctx.model.jwt_key is None and any(v.with_component("manager") for v in ctx.model.vpcs):
        yield ctx.problem(
            "GC315",
            ("deployment",),
            "deployment.jwt_key is required: the manager signs console tokens with it "
            "(write {secret: NAME}; never the upstream sample key)",
        )
