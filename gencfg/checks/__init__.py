"""Semantic checks of the inventory: one module per check, registered here explicitly.

Each module has ``ID``, ``CODES`` and ``check(ctx)``, and documents itself (pass and
fail examples) in its docstring; ``gencfg checks`` prints them.
"""

from __future__ import annotations

from gencfg.checks import (
    addresses_in_vpc,
    cluster_ids,
    containerd_version,
    control_plane_roles,
    docker_support,
    large_images,
    line_keys,
    manager_address,
    manager_auth,
    pinned_version,
    port_conflicts,
    preheat_images,
    prepull,
    proxy_mode,
    proxy_regexes,
    rate_limits,
    registries,
    rollout_retry,
    runtime_settings,
    safe_names,
    secrets,
    unique_addresses,
    unique_names,
    vpc_cidrs,
    vpc_isolation,
)
from gencfg.checks.base import Check, CheckContext
from gencfg.problem import Problem

_MODULES: tuple[Check, ...] = (
    pinned_version,
    line_keys,
    safe_names,
    unique_names,
    unique_addresses,
    vpc_cidrs,
    addresses_in_vpc,
    cluster_ids,
    control_plane_roles,
    vpc_isolation,
    port_conflicts,
    manager_auth,
    secrets,
    rate_limits,
    docker_support,
    runtime_settings,
    containerd_version,
    registries,
    proxy_mode,
    proxy_regexes,
    manager_address,
    large_images,
    preheat_images,
    prepull,
    rollout_retry,
)

CHECKS: dict[str, Check] = {module.ID: module for module in _MODULES}


def run_checks(ctx: CheckContext) -> list[Problem]:
    """Run every registered check and collect what they find."""
    return [problem for module in CHECKS.values() for problem in module.check(ctx)]


def all_codes() -> dict[str, tuple[str, str]]:
    """Every check code -> (check id, meaning)."""
    return {code: (m.ID, meaning) for m in CHECKS.values() for code, meaning in m.CODES.items()}
