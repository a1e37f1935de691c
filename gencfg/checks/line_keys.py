"""Every setting the inventory gives exists in the Dragonfly line it renders for.

ID: ``line-keys``. Codes GC323, GC324 (errors).

One inventory key serves both lines where the concept exists in both (translated in
``gencfg/dragonfly/concepts.py``). A key whose concept only one line has is an error on
the other, with the reason and what to use instead (GC323): rendering it would silently
drop the setting. The Rust client of the current line is released on its own; the
inventory may pin ``deployment.dragonfly.client_version``, which must be a release
upstream pairs with the Dragonfly release, and is an error on v2.1 (GC324).

Pass::

    dragonfly: {version: v2.5.1, client_version: v1.4.2}
    peer: {total_rate_limit: 2Gi, piece_download_timeout: 600s}

Fail::

    dragonfly: {version: v2.5.1, client_version: v1.2.0}   # pairs with v2.4
    peer: {per_peer_rate_limit: 512Mi}                     # no per-task limit in the client
"""

from __future__ import annotations

from collections.abc import Iterator

from gencfg.checks.base import CheckContext
from gencfg.dragonfly import concepts, releases
from gencfg.inventory.source import JsonPath
from gencfg.problem import Problem

ID = "line-keys"
CODES = {
    "GC323": "a setting has no counterpart in the Dragonfly line the inventory renders for",
    "GC324": "the Rust client release is not one upstream pairs with the Dragonfly release",
}

# Keys outside the peer settings that only the v2.1 line reads.
_V21_ONLY: dict[tuple[str, ...], str] = {
    ("seed_peer_cluster_id",): "seed clients join the VPC's scheduler cluster "
    "(host.schedulerClusterID); there is no seed peer cluster",
    ("database", "redis", "network_topology_db"): "the v2.5 scheduler has no network "
    "topology (removed in v2.2)",
}
"""VPC keys (paths below the VPC) that only the v2.1 line reads."""


def _concepts(ctx: CheckContext, line: releases.Line) -> Iterator[Problem]:
    reported: set[JsonPath] = set()
    for ref in ctx.dfdaemons():
        s = ref.settings
        for name, path in sorted(s.origins.items()):
            concept = concepts.BY_NAME.get(name)
            if concept is None or path in reported:
                continue
            reported.add(path)
            if concept.key(line.name) is None:
                yield ctx.problem(
                    "GC323",
                    path,
                    f"{name} has no counterpart on the {line.name} line: {concept.missing}",
                    key=True,
                )
            elif name == "proxy_rules" and line.rust_client:
                for i, rule in enumerate(s.proxy_rules):
                    for field, why in concepts.RULE_MISSING_V25.items():
                        if getattr(rule, field, None):
                            yield ctx.problem(
                                "GC323", (*path, i, field), f"proxy rule {field}: {why}", key=True
                            )
            elif name == "disk_gc_threshold_percent" and line.rust_client:
                value = s.disk_gc_threshold_percent
                if value is not None and not float(value).is_integer():
                    yield ctx.problem(
                        "GC323",
                        path,
                        f"disk_gc_threshold_percent {value} must be a whole number on the "
                        f"{line.name} line (gc.policy.diskHighThresholdPercent is an integer)",
                    )


def _other_keys(ctx: CheckContext) -> Iterator[Problem]:
    for vpc in ctx.model.vpcs:
        for keys, why in _V21_ONLY.items():
            where = (*vpc.path, *keys)
            if ctx.written(where):
                yield ctx.problem(
                    "GC323", where, f"{keys[-1]} exists only on the v2.1 line: {why}", key=True
                )


def _client(ctx: CheckContext, line: releases.Line) -> Iterator[Problem]:
    path = ("deployment", "dragonfly", "client_version")
    if not ctx.written(path):
        return
    given = ctx.model.client_version or ""
    if not line.rust_client:
        yield ctx.problem(
            "GC324",
            path,
            f"client_version is for the Rust client of the current line; on {line.name} the "
            f"dfdaemon is Dragonfly's own image, versioned {ctx.model.version}",
            key=True,
        )
        return
    release = releases.parse(ctx.model.version)
    pair = line.pairing(release) if release else None
    client = releases.parse(given)
    if pair is None:
        return
    if client is None or not pair[0] <= client <= pair[1]:
        yield ctx.problem(
            "GC324",
            path,
            f"client {given} is not paired with Dragonfly {ctx.model.version}: upstream pins "
            f"client {pair[0]} (and pairs v{pair[0].major}.{pair[0].minor}.x from it on)",
        )


def check(ctx: CheckContext) -> Iterator[Problem]:
    """Check the peer settings, the v2.1-only keys and the client release."""
    line = releases.line_of(ctx.model.version)
    if line is None:
        return  # the pinned-version check reports it
    yield from _concepts(ctx, line)
    if line.rust_client:
        yield from _other_keys(ctx)
    yield from _client(ctx, line)
