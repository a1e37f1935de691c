"""``gencfg rollout``: push a rendered tree with the playbooks, with progress per host."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from gencfg.exitcodes import ExitCode
from gencfg.rollout import hostguard, lineguard, vpcguard
from gencfg.rollout.runner import run as run_playbook


def run(
    *,
    tree: Path,
    layer: str,
    limit: str | None,
    check: bool,
    diff: bool,
    extra_vars: Sequence[str],
    allow_vpc_removal: Sequence[str] = (),
    allow_host_removal: Sequence[str] = (),
    forks: int | None = None,
) -> int:
    """0 when every host succeeded, 4 when the rollout stopped on failed hosts.

    3 when Ansible stopped before playing (a vault it cannot open, ...); Ctrl-C raises
    KeyboardInterrupt (exit 130).
    """
    pushing = vpcguard.check(tree, allow_vpc_removal)  # before Ansible: a lost VPC stops here
    lineguard.check(tree, layer)  # and so do peers ahead of their control plane's line
    # and a host the tree no longer names, unless confirmed (then it is decommissioned)
    fleet = hostguard.check(tree, layer, allow_host_removal, allow_vpc_removal)
    leaving = hostguard.inventory(fleet.decommission) if fleet.decommission else None
    if fleet.decommission:
        names = ", ".join(sorted(fleet.decommission))
        sys.stdout.write(f"taking out of the fleet (removed from the inventory): {names}\n")
    outcome = run_playbook(
        tree,
        layer=layer,
        limit=limit,
        check=check,
        diff=diff,
        extra_vars=extra_vars,
        out=sys.stdout,
        forks=forks,
        extra_inventory=leaving,
    )
    changed = outcome.stats.get("changed", {})
    for host in sorted(set(outcome.stats.get("ok", {})) | set(outcome.failed_hosts)):
        state = "FAILED" if host in outcome.failed_hosts else f"ok ({changed.get(host, 0)} changed)"
        sys.stdout.write(f"{host:26} {state}\n")
    if outcome.rc != 0 and not outcome.played:
        for line in outcome.errors:
            sys.stderr.write(f"{line}\n")
        sys.stderr.write(f"gencfg: error: Ansible stopped before playing (rc {outcome.rc})\n")
        return int(ExitCode.ERROR)
    if outcome.rc != 0:
        hosts = ", ".join(outcome.failed_hosts) or "see the output above"
        sys.stderr.write(f"gencfg: rollout stopped ({outcome.status}): {hosts}\n")
        for host in outcome.failed_hosts:
            reason = outcome.reasons.get(host, "no reason reported")
            sys.stderr.write(f"  {host}: {reason}\n")
        return int(ExitCode.ROLLOUT_FAILED)
    if not check:
        vpcguard.record(tree, pushing)
        lineguard.record(tree, layer)
        reached = set(outcome.stats.get("processed", {})) | set(outcome.stats.get("ok", {}))
        hostguard.record(tree, fleet, reached - set(outcome.failed_hosts))
    return int(ExitCode.OK)
