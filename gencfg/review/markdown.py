"""A pull-request comment: per VPC, what changes, on which hosts, with what effect."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from gencfg.problem import Problem
from gencfg.review.changes import FileChange, unified

_MARK = {"added": "+", "changed": "~", "removed": "-"}
_MAX_DIFF = 60_000  # GitHub comments stop at 65,536 characters


def _hosts_text(hosts: Sequence[str]) -> str:
    if not hosts:
        return "no hosts (applied from the controller)"
    shown = ", ".join(hosts[:5])
    return shown + (f" and {len(hosts) - 5} more" if len(hosts) > 5 else "")


def render(
    title: str,
    changes: list[FileChange],
    warnings: Sequence[Problem],
    rollout_policy: str | None = None,
) -> str:
    """The Markdown summary (with the full diff folded away at the end)."""
    if not changes:
        return f"### {title}\n\nNo rendered file changes.\n"
    by_vpc: dict[str, list[FileChange]] = defaultdict(list)
    for change in changes:
        by_vpc[change.vpc].append(change)
    lines = [
        f"### {title}",
        "",
        "| VPC | added | changed | removed | hosts | effects |",
        "|---|---|---|---|---|---|",
    ]
    for vpc, items in sorted(by_vpc.items()):
        count = Counter(c.status for c in items)
        hosts = sorted({h for c in items for h in c.hosts})
        effects = sorted({c.effect for c in items})
        lines.append(
            f"| {vpc} | {count['added']} | {count['changed']} | {count['removed']} "
            f"| {len(hosts)} | {'; '.join(effects)} |"
        )
    for vpc, items in sorted(by_vpc.items()):
        lines += ["", f"#### {vpc}", ""]
        for c in items:
            lines.append(f"- `{_MARK[c.status]}` `{c.path}`: {_hosts_text(c.hosts)}; {c.effect}")
    if warnings:
        lines += ["", "#### Warnings", ""]
        lines += [f"- `{w.location()}` {w.code} {w.message}" for w in warnings]
    if rollout_policy:
        lines += ["", f"Rollout policy: {rollout_policy}."]
    diff = unified(changes)
    if len(diff) > _MAX_DIFF:
        diff = diff[:_MAX_DIFF] + "\n... (truncated; run gencfg diff locally for the rest)\n"
    lines += [
        "",
        f"<details><summary>Unified diff ({len(changes)} files)</summary>",
        "",
        "```diff",
        diff.rstrip("\n"),
        "```",
        "",
        "</details>",
    ]
    return "\n".join(lines) + "\n"
