"""Ansible's linear strategy, with unreachable hosts counted against the failure budget.

Ansible checks ``max_fail_percentage`` against failed hosts only: a host that drops off
the network mid-batch does not stop the rollout, and the rest of its batch and every
later batch are still pushed and restarted. Here an unreachable host counts as a failed
one for that check, so ``max_fail_percentage: 0`` stops the rollout at the first failed
*or* unreachable host, after the task it happened in.
"""

from __future__ import annotations

from typing import Any

from ansible.plugins.strategy.linear import StrategyModule as LinearStrategy

DOCUMENTATION = """
name: gencfg_budget
short_description: linear, with unreachable hosts counted against max_fail_percentage
description:
  - Runs tasks like the linear strategy; an unreachable host counts as failed for the
    play's max_fail_percentage.
author: gencfg
"""


class StrategyModule(LinearStrategy):
    """Linear strategy whose failure budget also counts unreachable hosts."""

    def __init__(self, tqm: Any) -> None:
        super().__init__(tqm)
        self._gencfg_dark: set[str] = set()

    def _process_pending_results(self, iterator: Any, *args: Any, **kwargs: Any) -> Any:
        results = super()._process_pending_results(iterator, *args, **kwargs)
        for result in results:
            host = result._host.name
            if result.is_unreachable() and host in self._tqm._unreachable_hosts:
                # Seen by linear's max_fail_percentage check right after this task.
                self._tqm._failed_hosts.setdefault(host, True)
                self._gencfg_dark.add(host)
        return results

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
