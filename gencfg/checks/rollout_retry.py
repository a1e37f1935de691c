"""The rollout's retry policy can work as written.

ID: ``rollout-retry``. Code GC326 (error).

``deployment.rollout.retry`` retries a host that fails health or cannot be reached
every ``interval`` for up to ``max_duration`` before it counts against the failure
budget. Ansible waits whole seconds between retries, so ``interval`` is a whole number
of seconds, at least 1s; an ``interval`` longer than ``max_duration`` would never retry.
``max_duration`` is at most 24h: the rest of the host's batch waits for it, and a
rollout held for days on one host is a typo (``1h`` meant, ``100h`` written).

Pass::

    rollout: {retry: {max_duration: 1h, interval: 30s}}

Fail::

    rollout: {retry: {max_duration: 1m, interval: 5m}}
    rollout: {retry: {max_duration: 1h, interval: 500ms}}
"""

from __future__ import annotations

from collections.abc import Iterator

from gencfg.checks.base import CheckContext
from gencfg.problem import Problem
from gencfg.units import parse_duration

ID = "rollout-retry"
CODES = {"GC326": "the rollout's retry policy cannot work as written (interval or max_duration)"}

MAX_DURATION = 24 * 3600
"""Longest ``max_duration``, seconds."""


def check(ctx: CheckContext) -> Iterator[Problem]:
    """Check ``deployment.rollout.retry`` when the inventory sets one."""
    retry = ctx.model.rollout.retry
    if retry is None:
        return
    interval, limit = parse_duration(retry.interval), parse_duration(retry.max_duration)
    if interval < 1 or not interval.is_integer():
        yield ctx.problem(
            "GC326",
            (*retry.path, "interval"),
            f"retry interval {retry.interval!r} must be whole seconds, at least 1s "
            f"(Ansible waits whole seconds between retries)",
        )
    elif interval > limit:
        yield ctx.problem(
            "GC326",
            (*retry.path, "interval"),
            f"retry interval {retry.interval!r} is longer than max_duration "
            f"{retry.max_duration!r}: no host would ever be retried",
        )
    if limit > MAX_DURATION:
        yield ctx.problem(
            "GC326",
            (*retry.path, "max_duration"),
            f"retry max_duration {retry.max_duration!r} is over 24h: the rest of the host's "
            f"batch waits for it that long",
        )
