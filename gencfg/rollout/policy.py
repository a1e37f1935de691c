"""Which failure policy a rollout runs with, in words, for ``gencfg diff`` and ``rollout``.

Read from the rendered Ansible variables (``ansible/group_vars/all.yaml``), which are
what the playbooks run with: ``gencfg_retry`` ({max_duration, interval} in seconds,
absent when the inventory sets no ``deployment.rollout.retry``) and
``gencfg_max_fail_percentage``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from gencfg.units import format_duration

VARIABLES = "ansible/group_vars/all.yaml"
"""The rendered variables, relative to the tree."""


def describe(variables: Mapping[str, Any]) -> str:
    """The policy of the rendered ``variables`` as one sentence."""
    budget = int(variables.get("gencfg_max_fail_percentage") or 0)
    retry = variables.get("gencfg_retry")
    if isinstance(retry, Mapping):
        every = format_duration(int(retry["interval"]))
        limit = format_duration(int(retry["max_duration"]))
        head = f"retry unhealthy or unreachable hosts every {every} for up to {limit}; "
        if budget:
            return head + (
                f"a host still failing then counts against the failure budget "
                f"(max_fail_percentage {budget})"
            )
        return head + "a host still failing then stops the rollout"
    if budget:
        return (
            f"fail fast: a failed or unreachable host counts against the failure budget "
            f"at once (max_fail_percentage {budget})"
        )
    return "fail fast: the first failed host stops the rollout"


def of_files(files: Mapping[str, bytes]) -> str | None:
    """The policy of a tree given as ``{path: bytes}``; None if it has no variables."""
    data = files.get(VARIABLES)
    if data is None:
        return None
    try:
        variables = yaml.safe_load(data)
    except yaml.YAMLError:
        return None
    if not isinstance(variables, Mapping):
        return None
    try:
        return describe(variables)
    except (KeyError, TypeError, ValueError):  # hand-edited variables: say nothing
        return None


def of_tree(tree: Path) -> str | None:
    """The policy of the rendered tree at ``tree``; None if it has no variables."""
    try:
        data = (tree / VARIABLES).read_bytes()
    except OSError:
        return None
    return of_files({VARIABLES: data})
