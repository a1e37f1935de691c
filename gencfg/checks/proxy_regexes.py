r"""Proxy rule regexes compile with the regex engine of the daemon that reads them.

ID: ``proxy-regexes``. Code GC325 (error).

A rule the daemon cannot compile stops it at start-up (or the rule is dropped). v2.1's
Go dfdaemon uses Go's RE2 syntax, the current line's Rust client the Rust ``regex``
crate: neither has look-around (``(?=``) or backreferences (``\1``). Rules are checked
whichever way they are written: ``proxy_rules`` keys and raw ``overrides`` of the peer
and seed files (``proxy.proxies[].regx`` on v2.1, ``proxy.rules[].regex`` on the
current line).

Pass::

    peer: {proxy_rules: [{regx: "blobs/sha256.*"}]}

Fail::

    peer: {proxy_rules: [{regx: "blobs/(sha256.*"}]}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gencfg.checks.base import CheckContext
from gencfg.dragonfly.regex import go_error, rust_error
from gencfg.inventory.model import OverrideTarget
from gencfg.inventory.source import JsonPath
from gencfg.problem import Problem

ID = "proxy-regexes"
CODES = {"GC325": "a proxy rule regex does not compile with the daemon's regex engine"}
_TARGETS: tuple[OverrideTarget, ...] = ("peer", "seed_peer")


def _override_rules(ctx: CheckContext, rust: bool) -> Iterator[tuple[str, JsonPath]]:
    section, key = ("rules", "regex") if rust else ("proxies", "regx")
    for vpc in ctx.model.vpcs:
        for owner in vpc.override_owners():
            for target in _TARGETS:
                for layer in owner.overrides.get(target, ()):
                    proxy: Any = layer.data.get("proxy")
                    rules = proxy.get(section) if isinstance(proxy, dict) else None
                    for i, rule in enumerate(rules if isinstance(rules, list) else []):
                        if isinstance(rule, dict) and isinstance(rule.get(key), str):
                            yield rule[key], (*layer.path, "proxy", section, i, key)


def _rules(ctx: CheckContext, rust: bool) -> Iterator[tuple[str, JsonPath]]:
    for ref in ctx.dfdaemons():
        base = ref.settings.origins.get("proxy_rules", ref.path)
        for i, rule in enumerate(ref.settings.proxy_rules):
            yield rule.regx, (*base, i, "regx")
    yield from _override_rules(ctx, rust)


def check(ctx: CheckContext) -> Iterator[Problem]:
    """Compile every proxy rule regex once, with the line's engine."""
    rust = ctx.model.line.rust_client
    engine, compile_error = ("Rust regex", rust_error) if rust else ("Go RE2", go_error)
    reported: set[JsonPath] = set()
    for pattern, path in _rules(ctx, rust):
        if path in reported:
            continue
        reported.add(path)
        error = compile_error(pattern)
        if error is not None:
            yield ctx.problem(
                "GC325",
                path,
                f"proxy rule regex {pattern!r} does not compile with the daemon's engine "
                f"({engine}): {error}",
            )
