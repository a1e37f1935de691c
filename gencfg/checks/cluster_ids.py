"""Scheduler and seed-peer cluster IDs exist in the VPC's manager and are not shared.

ID: ``cluster-ids``. Codes GC312 (error), GC322 (warning).

One VPC is one scheduler cluster (and one seed peer cluster) in its manager. VPCs whose
managers share a database (same MySQL host, port and dbname) must use different IDs,
or they would share schedulers and seed peers: the cross-VPC traffic the layout
forbids (dragonfly#2993, #4499) (GC312). A manager creates only cluster 1 when it
migrates a new database; any other ID must be created in the console first, or the
schedulers and seed peers fail to register (GC322, a warning).

Pass::

    vpcs: [{name: a, scheduler_cluster_id: 1}, {name: b, scheduler_cluster_id: 1}]   # own databases

Fail::

    vpcs: [{name: a, scheduler_cluster_id: 1, database: {mysql: {host: db}}},
           {name: b, scheduler_cluster_id: 1, database: {mysql: {host: db}}}]        # one database
"""

from __future__ import annotations

from collections.abc import Iterator

from gencfg.checks.base import CheckContext
from gencfg.inventory.model import Vpc
from gencfg.problem import Level, Problem

ID = "cluster-ids"
CODES = {
    "GC312": "two VPCs sharing a manager database use the same cluster ID",
    "GC322": "a cluster ID other than 1 that a new manager database does not have",
}
SEEDED_ID = 1
_KEYS = ("scheduler_cluster_id", "seed_peer_cluster_id")


def _database(vpc: Vpc) -> tuple[str, int, str]:
    return (vpc.mysql.host, vpc.mysql.port, vpc.mysql.dbname)


def check(ctx: CheckContext) -> Iterator[Problem]:
    """Compare IDs among VPCs of one database; flag IDs a fresh database lacks."""
    for key in _KEYS:
        seen: dict[tuple[tuple[str, int, str], int], str] = {}
        for vpc in ctx.model.vpcs:
            value = getattr(vpc, key)
            explicit = ctx.written((*vpc.path, key))
            path = (*vpc.path, key if explicit else "scheduler_cluster_id")
            slot = (_database(vpc), value)
            if slot in seen and (key == "scheduler_cluster_id" or explicit):
                yield ctx.problem(
                    "GC312",
                    path,
                    f"{key} {value} of VPC {vpc.name!r} is also used by VPC {seen[slot]!r}, "
                    f"whose manager uses the same database; one VPC is one cluster",
                )
            seen.setdefault(slot, vpc.name)
            if value != SEEDED_ID and (explicit or key == "scheduler_cluster_id"):
                yield ctx.problem(
                    "GC322",
                    path,
                    f"{key} {value}: a manager creates only cluster {SEEDED_ID} in a new "
                    f"database; create cluster {value} in the console first, or the "
                    f"{'schedulers' if key == 'scheduler_cluster_id' else 'seed peers'} "
                    f"cannot register",
                    level=Level.WARNING,
                )
