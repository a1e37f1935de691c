"""Plan the edits that move one inventory file from the v2.1 line to the current line.

Each rule reads the file's own values (and the validated model for what spans files:
which VPC uses Docker, which has a preheat token) and plans edits on its Document.
What cannot be translated is a Problem at its key; nothing is written when any exists.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any, cast

from gencfg.dragonfly import concepts, releases
from gencfg.inventory import defaults
from gencfg.inventory.model import Deployment
from gencfg.merge import lookup
from gencfg.migrate import keys
from gencfg.migrate.textedit import Document, Path
from gencfg.problem import Problem
from gencfg.render.outschema import validator
from gencfg.schemautil import has_path
from gencfg.units import parse_duration, parse_size

CODES = {
    "GC701": "a v2.1 setting has no counterpart on the target line, and dropping it matters",
    "GC702": "a host uses Docker, which the target line does not support",
    "GC703": "preheat images without the manager token the target line requires",
    "GC704": "the inventory cannot move to the requested release",
    "GC705": "a change cannot be made without rewriting lines around it",
}
OVERRIDE_TARGETS = ("manager", "scheduler", "seed_peer", "peer")
_FILE = {"manager": "manager", "scheduler": "scheduler", "seed_peer": "peer", "peer": "peer"}
"""Override target -> the file it merges into (``peer``: the line's peer config)."""


@dataclasses.dataclass(slots=True)
class Context:
    """What the rules of one file need: the model, the target, and what to report."""

    model: Deployment
    target: str
    target_line: str
    drop_unsupported: bool
    problems: list[Problem] = dataclasses.field(default_factory=list)
    human: list[str] = dataclasses.field(default_factory=list)
    """Things a person must do or check, for the summary."""

    def block(self, doc: Document, path: Path, code: str, message: str) -> None:
        """Record what stops the migration, at ``path`` of ``doc``."""
        line, col = doc.mark(path)
        self.problems.append(Problem(doc.name, line, col, code, message))


def _at(data: Any, path: Path) -> Any:
    return lookup(data, path)[1]


def _settings_paths(data: dict[str, Any]) -> Iterator[tuple[Path, str]]:
    """Every peer/seed settings mapping of the file, with its kind (peer or seed_peer)."""
    for kind in ("peer", "seed_peer"):
        yield ("deployment", kind), kind
    for i, vpc in enumerate(data.get("vpcs") or []):
        for kind in ("peer", "seed_peer"):
            yield ("vpcs", i, kind), kind
        for j, _ in enumerate(vpc.get("control_plane") or []):
            yield ("vpcs", i, "control_plane", j, "seed_peer"), "seed_peer"
        for j, _ in enumerate(vpc.get("node_groups") or []):
            yield ("vpcs", i, "node_groups", j, "peer"), "peer"
        for j, _ in enumerate(vpc.get("peer_vms") or []):
            yield ("vpcs", i, "peer_vms", j, "peer"), "peer"


def _override_paths(data: dict[str, Any]) -> Iterator[Path]:
    yield ("deployment", "overrides")
    for i, vpc in enumerate(data.get("vpcs") or []):
        yield ("vpcs", i, "overrides")
        for section in ("control_plane", "node_groups", "peer_vms"):
            for j, _ in enumerate(vpc.get(section) or []):
                yield ("vpcs", i, section, j, "overrides")


def _drop_or_block(
    ctx: Context, doc: Document, path: Path, *, harmless: bool, why: str, what: str
) -> None:
    """Drop a key with no counterpart: silently when harmless, else only when allowed."""
    if harmless:
        doc.delete(path, f"removed {what} ({why})")
    elif ctx.drop_unsupported:
        doc.delete(path, f"removed {what} (--drop-unsupported: {why})")
        line, _ = doc.mark(path)
        ctx.human.append(f"{doc.name}:{line}: {what} was dropped: {why}")
    else:
        ctx.block(
            doc,
            path,
            "GC701",
            f"{what} has no counterpart on {ctx.target_line}: {why}; change it by hand, or "
            f"pass --drop-unsupported to drop it",
        )


def _settings(ctx: Context, doc: Document, data: dict[str, Any]) -> None:
    for path, kind in _settings_paths(data):
        s = _at(data, path)
        if not isinstance(s, dict):
            continue
        base = defaults.SEED_PEER if kind == "seed_peer" else defaults.PEER
        # (key, harmless, why): keys with no counterpart on the client.
        gone: list[tuple[str, bool, str]] = []
        if "per_peer_rate_limit" in s:
            total = parse_size(s.get("total_rate_limit", base["total_rate_limit"]))
            harmless = parse_size(s["per_peer_rate_limit"]) >= total
            gone.append(
                ("per_peer_rate_limit", harmless, concepts.BY_NAME["per_peer_rate_limit"].missing)
            )
        if "calculate_digest" in s:
            # The client has no switch: it always checks what it stores (the safe side).
            gone.append(("calculate_digest", True, "the client has no such setting"))
        allowed = all(harmless or ctx.drop_unsupported for _, harmless, _ in gone)
        if gone and allowed and len(gone) == len(s):
            doc.delete(path, f"removed {path[-1]} (only v2.1 settings in it)")
            continue
        for key, harmless, why in gone:
            _drop_or_block(ctx, doc, (*path, key), harmless=harmless, why=why, what=key)
        rules = s.get("proxy_rules")
        if isinstance(rules, list):
            _direct_rules(ctx, doc, (*path, "proxy_rules"), rules)
        timeout = s.get("piece_download_timeout")
        if isinstance(timeout, str) and parse_duration(timeout) < 360:
            line, _ = doc.mark((*path, "piece_download_timeout"))
            ctx.human.append(
                f"{doc.name}:{line}: piece_download_timeout {timeout} is shorter than the "
                f"client's default 360s; large pieces from busy parents time out"
            )


def _direct_rules(ctx: Context, doc: Document, path: Path, rules: list[Any]) -> None:
    """Direct rules at the end change nothing on the client (unmatched URLs go direct)."""
    trailing = len(rules)
    while trailing and isinstance(rules[trailing - 1], dict) and rules[trailing - 1].get("direct"):
        trailing -= 1
    for i, rule in enumerate(rules):
        if isinstance(rule, dict) and rule.get("direct"):
            if i >= trailing:
                doc.delete((*path, i), f"removed direct proxy rule {rule.get('regx')!r}")
            else:
                why = concepts.RULE_MISSING_V25["direct"].split(":")[0]
                _drop_or_block(
                    ctx,
                    doc,
                    (*path, i),
                    harmless=False,
                    why=f"{why}; here it keeps later rules from matching",
                    what=f"direct proxy rule {rule.get('regx')!r}",
                )


def _vpc_keys(ctx: Context, doc: Document, data: dict[str, Any]) -> None:
    uses_docker = {vpc.name for vpc in ctx.model.vpcs if vpc.peers_using("docker")}
    for i, vpc in enumerate(data.get("vpcs") or []):
        if not isinstance(vpc, dict):
            continue
        base: Path = ("vpcs", i)
        if "seed_peer_cluster_id" in vpc:
            same = vpc["seed_peer_cluster_id"] == vpc.get("scheduler_cluster_id", 1)
            why = "seed clients join the VPC's scheduler cluster (host.schedulerClusterID)"
            _drop_or_block(
                ctx,
                doc,
                (*base, "seed_peer_cluster_id"),
                harmless=same,
                why=why,
                what="seed_peer_cluster_id",
            )
        redis = _at(vpc, ("database", "redis"))
        if isinstance(redis, dict) and "network_topology_db" in redis:
            doc.delete(
                (*base, "database", "redis", "network_topology_db"),
                "removed network_topology_db (the v2.5 scheduler has no network topology)",
            )
        for section in ("node_groups", "peer_vms"):
            for j, owner in enumerate(vpc.get(section) or []):
                if isinstance(owner, dict) and "docker" in (owner.get("runtimes") or []):
                    ctx.block(
                        doc,
                        (*base, section, j, "runtimes"),
                        "GC702",
                        f"{owner.get('name')} uses Docker, which Dragonfly dropped in v2.2.0 "
                        f"(no supported Docker path for the Rust client): switch it to "
                        f"runtimes: [containerd] (engine: nerdctl on a VM) first, then migrate",
                    )
        runtimes = vpc.get("runtimes")
        if (
            isinstance(runtimes, dict)
            and "docker" in runtimes
            and vpc.get("name") not in uses_docker
        ):
            doc.delete(
                (*base, "runtimes", "docker"), "removed runtimes.docker (no host uses Docker)"
            )
        preheat = vpc.get("preheat")
        if isinstance(preheat, dict) and preheat.get("images") and not preheat.get("token"):
            ctx.block(
                doc,
                (*base, "preheat", "images"),
                "GC703",
                f"{ctx.target_line}'s manager takes preheat jobs only with a personal access "
                f"token: create one (scope job) and set preheat.token: {{secret: NAME}} first",
            )


def _flatten(data: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(data, dict) and data:
        for key, value in data.items():
            yield from _flatten(value, (*prefix, str(key)))
    else:
        yield prefix, data


def _nest(leaves: list[tuple[tuple[str, ...], Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path, value in leaves:
        node = out
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    return out


def _translate_override(
    ctx: Context, doc: Document, path: Path, target: str, data: dict[str, Any]
) -> None:
    schema = releases.BY_NAME[ctx.target_line].schema(_FILE[target])
    peer = target in ("peer", "seed_peer")
    out: list[tuple[tuple[str, ...], Any]] = []
    changed = False
    for leaf, value in _flatten(data):
        move = (keys.PEER if peer else keys.CONTROL).get(leaf)
        where = (*path, *leaf)
        if move is not None:
            if leaf == ("proxy", "proxies") and any(
                isinstance(r, dict) and r.get("direct") for r in value or []
            ):
                ctx.block(
                    doc,
                    where,
                    "GC701",
                    "proxy.proxies has direct rules, which the "
                    "client does not have: write proxy.rules by hand",
                )
                continue
            out.append((move.to, move.convert(value)))
            changed = True
        elif not peer and leaf == keys.DEBUG and value is True:
            out.append((("server", "logLevel"), "debug"))
            changed = True
        elif keys.harmless(leaf, value):
            changed = True
        elif not peer and has_path(cast(Mapping[str, Any], validator(schema).schema), leaf):
            out.append((leaf, value))
        else:
            ctx.block(
                doc,
                where,
                "GC701",
                f"{'.'.join(leaf)} of the {target} override has no counterpart in "
                f"{ctx.target_line}'s {schema.rsplit('/', 1)[-1]}.yaml; rewrite it by hand",
            )
    if not changed:
        return
    if out:
        doc.replace(path, _nest(out), f"translated the {target} override")
    else:
        doc.delete(path, f"removed the {target} override (nothing in it applies any more)")


def _overrides(ctx: Context, doc: Document, data: dict[str, Any]) -> None:
    for path in _override_paths(data):
        overrides = _at(data, path)
        if not isinstance(overrides, dict):
            continue
        for target in OVERRIDE_TARGETS:
            if isinstance(overrides.get(target), dict):
                _translate_override(ctx, doc, (*path, target), target, overrides[target])


def plan_file(ctx: Context, doc: Document, data: dict[str, Any]) -> None:
    """Plan every edit of one file (problems go to ``ctx``)."""
    version = ("deployment", "dragonfly", "version")
    if _at(data, version) is not None:
        doc.set_scalar(version, ctx.target, f"version {_at(data, version)} -> {ctx.target}")
    try:
        _settings(ctx, doc, data)
        _vpc_keys(ctx, doc, data)
        _overrides(ctx, doc, data)
    except ValueError as exc:
        ctx.problems.append(
            Problem(doc.name, 1, 1, "GC705", f"{exc}: put that mapping in block style first")
        )
