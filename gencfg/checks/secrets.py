"""Secrets are referenced, declared, and never written in clear.

ID: ``secrets``. Codes GC308 (error), GC314 (warning), GC316 (error).

Every ``{secret: NAME}`` must name a secret declared under ``secrets:`` (GC308). A
declared secret nobody uses is a warning (GC314). A literal value under a key that
holds credentials in an override (``password``, ``key``, ``secretKey``, ``accessKey``,
``token``) is an error (GC316): it would land in git and in every diff.

Pass::

    secrets: {mysql_password: {}}
    vpcs: [{database: {mysql: {password: {secret: mysql_password}}}}]

Fail::

    vpcs: [{database: {mysql: {password: {secret: mysql_pasword}}}}]
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from gencfg.checks.base import CheckContext
from gencfg.inventory.model import Layer, SecretRef
from gencfg.inventory.source import JsonPath
from gencfg.problem import Level, Problem

ID = "secrets"
CODES = {
    "GC308": "a referenced secret is not declared under secrets:",
    "GC314": "a declared secret is never referenced",
    "GC316": "a credential is written in clear in an override",
}

CREDENTIAL_KEYS = frozenset({"password", "key", "secretkey", "accesskey", "token", "cakey"})


def _override_layers(ctx: CheckContext) -> Iterator[Layer]:
    seen: set[JsonPath] = set()
    for vpc in ctx.model.vpcs:
        for owner in vpc.override_owners():
            for layers in owner.overrides.values():
                for layer in layers:
                    if layer.path not in seen:
                        seen.add(layer.path)
                        yield layer


def _walk(value: Any, path: JsonPath) -> Iterator[tuple[JsonPath, Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, (*path, i))


def references(ctx: CheckContext) -> Iterator[SecretRef]:
    """Every secret reference in the model and in the overrides."""
    model = ctx.model
    if model.jwt_key:
        yield model.jwt_key
    for vpc in model.vpcs:
        yield vpc.mysql.password
        if vpc.redis.password:
            yield vpc.redis.password
        if vpc.preheat.token:
            yield vpc.preheat.token
        for registry in vpc.registries:
            if registry.credentials:
                yield registry.credentials.password
    for layer in _override_layers(ctx):
        for path, value in _walk(layer.data, layer.path):
            if (
                isinstance(value, dict)
                and set(value) == {"secret"}
                and isinstance(value["secret"], str)
            ):
                yield SecretRef(value["secret"], (*path, "secret"))


def check(ctx: CheckContext) -> Iterator[Problem]:
    """Check references against declarations, then look for clear-text credentials."""
    declared = ctx.model.secrets
    used: set[str] = set()
    for ref in references(ctx):
        used.add(ref.name)
        if ref.name not in declared:
            hint = difflib.get_close_matches(ref.name, list(declared), n=1)
            extra = f"; did you mean {hint[0]!r}?" if hint else "; declare it under secrets:"
            yield ctx.problem("GC308", ref.path, f"secret {ref.name!r} is not declared{extra}")
    for name in sorted(set(declared) - used):
        yield ctx.problem(
            "GC314",
            ("secrets", name),
            f"secret {name!r} is declared but never used",
            level=Level.WARNING,
            key=True,
        )
    for layer in _override_layers(ctx):
        for path, value in _walk(layer.data, layer.path):
            key = path[-1]
            if (
                isinstance(key, str)
                and key.lower() in CREDENTIAL_KEYS
                and isinstance(value, str)
                and value
            ):
                yield ctx.problem(
                    "GC316",
                    path,
                    f"{key!r} is written in clear; declare a secret and write {{secret: NAME}}",
                )
