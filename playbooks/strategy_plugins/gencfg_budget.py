"""Ansible's linear strategy, with unreachable hosts counted against the failure budget.

Ansible checks ``max_fail_percentage`` against failed hosts only: a host that drops off
the network mid-batch does not stop the rollout, and the rest of its batch and every
later batch are still pushed and restarted. Here an unreachable host counts as a failed
one for that check, so ``max_fail_percentage: 0`` stops the rollout at the first failed
*or* unreachable host, after the task it happened in.

With a retry policy (the host variable ``gencfg_retry``: ``{max_duration, interval}`` in
seconds, rendered from the inventory's ``deployment.rollout.retry``), a task a host
could not be reached for is run again for that host every ``interval`` seconds, for up
to ``max_duration`` seconds after the host was first found unreachable: a host that
answers again carries on from that task; only one that stays unreachable is reported
unreachable and counts against the budget. Ansible's own ``retries``/``until`` never
retry an unreachable host, and a block's ``rescue`` never runs for one, so this can only
be done here. The rest of the batch waits at that task (linear runs hosts in lockstep).
"""

from __future__ import annotations

import dataclasses
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

from ansible.plugins.strategy.linear import StrategyModule as LinearStrategy
from ansible.utils.display import Display

DOCUMENTATION = """
name: gencfg_budget
short_description: linear, with unreachable hosts counted against max_fail_percentage
description:
  - Runs tasks like the linear strategy; an unreachable host counts as failed for the
    play's max_fail_percentage.
  - With the host variable gencfg_retry ({max_duration, interval} in seconds), a task
    an unreachable host missed is run again every interval seconds for up to
    max_duration seconds before the host counts as unreachable.
author: gencfg
"""

display = Display()


@dataclasses.dataclass(slots=True)
class _Held:
    """An unreachable host's task, to be queued again at ``due`` (time.monotonic)."""

    due: float
    host: Any
    task: Any
    task_vars: Any
    play_context: Any


def _policy(task_vars: Mapping[str, Any]) -> tuple[int, int] | None:
    """(interval, max_duration) of the host's retry policy; None: fail fast."""
    retry = task_vars.get("gencfg_retry")
    if not isinstance(retry, Mapping):
        return None
    try:
        interval, limit = int(retry["interval"]), int(retry["max_duration"])
    except (KeyError, TypeError, ValueError):
        display.warning(f"gencfg_retry is not {{max_duration, interval}} in seconds: {retry!r}")
        return None
    return (interval, limit) if interval >= 1 else None


class _Results(deque[Any]):
    """The strategy's queue of results, minus those ``divert`` takes (it returns True).

    Ansible's results thread appends every task result here; a result diverted on its
    way in is never seen by linear's processing, so it cannot be counted by mistake.
    """

    def __init__(self, divert: Callable[[Any], bool], *items: Any) -> None:
        super().__init__(items)
        self._divert = divert

    def append(self, result: Any) -> None:
        if not self._divert(result):
            super().append(result)


class StrategyModule(LinearStrategy):
    """Linear strategy whose failure budget also counts unreachable hosts."""

    def __init__(self, tqm: Any) -> None:
        super().__init__(tqm)
        self._gencfg_dark: set[str] = set()
        self._gencfg_since: dict[str, float] = {}  # host -> first found unreachable
        self._gencfg_attempts: dict[str, int] = {}
        self._gencfg_diverted: list[tuple[Any, int, int]] = []  # (result, interval, limit)
        self._gencfg_held: list[_Held] = []
        with self._results_lock:
            self._results = _Results(self._gencfg_divert, *self._results)

    def _process_pending_results(self, iterator: Any, *args: Any, **kwargs: Any) -> Any:
        self._gencfg_hold_diverted()
        self._gencfg_requeue_due()
        results = super()._process_pending_results(iterator, *args, **kwargs)
        for result in results:
            host = result._host.name
            if not result.is_unreachable():
                self._gencfg_since.pop(host, None)  # reachable again: a new retry window
                self._gencfg_attempts.pop(host, None)
            elif host in self._tqm._unreachable_hosts:
                # Seen by linear's max_fail_percentage check right after this task.
                self._tqm._failed_hosts.setdefault(host, True)
                self._gencfg_dark.add(host)
        return results

    def _gencfg_divert(self, result: Any) -> bool:
        """Keep an unreachable result its retry policy retries (results thread)."""
        if not result.is_unreachable() or result._task.ignore_unreachable:
            return False
        entry = self._queued_task_cache.get((result._host.name, result._task._uuid))
        policy = _policy(entry["task_vars"]) if entry is not None else None
        if policy is None:
            return False
        interval, limit = policy
        now = time.monotonic()
        since = self._gencfg_since.setdefault(result._host.name, now)
        # Retried while the next attempt still starts within max_duration.
        if now + interval > since + limit:
            return False
        self._gencfg_diverted.append((result, interval, limit))
        return True

    def _gencfg_hold_diverted(self) -> None:
        """Say that each diverted task will be retried, and when to queue it again."""
        while self._gencfg_diverted:
            result, interval, limit = self._gencfg_diverted.pop(0)
            host = result._host.name
            entry = self._queued_task_cache[(host, result._task._uuid)]
            self._gencfg_held.append(
                _Held(
                    time.monotonic() + interval,
                    entry["host"],
                    entry["task"],
                    entry["task_vars"],
                    entry["play_context"],
                )
            )
            attempts = self._gencfg_attempts[host] = self._gencfg_attempts.get(host, 0) + 1
            data = dict(result._return_data)
            reason = " ".join(str(data.get("msg", "")).split())
            data["msg"] = (
                f"unreachable ({reason}); retrying every {interval}s for up to {limit}s "
                f"(retry policy)"
            )
            data["attempts"], data["retries"] = attempts, max(attempts, limit // interval)
            # _host/_task/_task_fields: the names from ansible-core 2.16 up.
            retry = type(result)(result._host, result._task, data, result._task_fields)
            self._tqm.send_callback("v2_runner_retry", retry)

    def _gencfg_requeue_due(self) -> None:
        """Queue again the held tasks whose interval has passed."""
        now = time.monotonic()
        due = [held for held in self._gencfg_held if held.due <= now]
        for held in due:
            self._gencfg_held.remove(held)
            # Still pending: the held result was never counted down; queueing counts up.
            self._pending_results -= 1
            self._queue_task(held.host, held.task, held.task_vars, held.play_context)

    def run(self, iterator: Any, play_context: Any) -> Any:
        """Run one batch like linear, then forget the hosts only counted for the budget."""
        try:
            return super().run(iterator, play_context)
        finally:
            # The playbook executor counts unreachable hosts itself at the end of a
            # batch; do not let it count them twice.
            for host in self._gencfg_dark:
                self._tqm._failed_hosts.pop(host, None)
            self._gencfg_dark.clear()
            self._gencfg_held.clear()
