"""containerd registry host files (``certs.d/<namespace>/hosts.toml``) that pull via Dragonfly.

ID: ``containerd-hosts``. Codes GC640 to GC646 (errors).

Besides the containerd/hosts schema, what makes such a file route pulls through the
node's dfdaemon: containerd tries the ``[host]`` entries in file order and then
``server``, so the first entry must be the local proxy, and dfdaemon learns which
registry to fetch from only from the ``X-Dragonfly-Registry`` header, which must
name the registry containerd itself falls back to (``server``).

Pass::

    server = "https://index.docker.io"
    [host."http://127.0.0.1:65001"]
      capabilities = ["pull", "resolve"]
    [host."http://127.0.0.1:65001".header]
      X-Dragonfly-Registry = ["https://index.docker.io"]

Fail::

    server = "https://docker.io"            # GC645: not a registry API endpoint
    [host.mirror.example.com]              # GC646: TOML splits it at the dots
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from gencfg.inventory.source import JsonPath, SourceMap
from gencfg.lint import schema
from gencfg.lint.base import LintContext
from gencfg.problem import Problem

ID = "containerd-hosts"
CODES = {
    "GC640": "a key containerd's hosts.toml does not define",
    "GC641": "a value containerd's hosts.toml refuses",
    "GC642": "no [host] entry: pulls go straight to server, bypassing Dragonfly",
    "GC643": "the first [host] is not the local dfdaemon proxy (http://127.0.0.1:<port>)",
    "GC644": "the proxy's X-Dragonfly-Registry header is missing or differs from server",
    "GC645": "namespace docker.io with server https://docker.io (not a registry endpoint)",
    "GC646": "a nested table under [host] (an unquoted host URL, or a table other than header)",
}
SCHEMA = "containerd/hosts"
HEADER = "X-Dragonfly-Registry"

_PROXY = re.compile(r"^http://127\.0\.0\.1:[0-9]{1,5}/?$")
_URL = re.compile(r"^https?://")
_NOT_HUB = ("https://docker.io", "http://docker.io")
"""The web site, not Docker Hub's registry API (registry-1.docker.io)."""
_HOST_FIELDS = ("capabilities", "ca", "client", "skip_verify", "header", "override_path")


def default_server(namespace: str) -> str | None:
    """The upstream containerd uses for a namespace whose hosts.toml has no ``server``."""
    if namespace == "_default":
        return None
    return "https://registry-1.docker.io" if namespace == "docker.io" else f"https://{namespace}"


def _dotted(key: str, entry: dict[str, Any]) -> str:
    """``mirror.example.com`` back from ``{"mirror": {"example": {"com": {...}}}}``."""
    parts = [key]
    while len(entry) == 1:
        ((name, value),) = entry.items()
        if not isinstance(value, dict) or name in _HOST_FIELDS:
            break
        parts.append(name)
        entry = value
    return ".".join(parts)


def _nested(hosts: dict[str, Any]) -> Iterator[tuple[JsonPath, str]]:
    for key, entry in hosts.items():
        if not isinstance(entry, dict):
            continue
        if not _URL.match(key):
            name = _dotted(key, entry)
            yield (
                ("host", key),
                f"[host.{name}] is a nested table: TOML splits an unquoted key at its dots, "
                f"so containerd sees a host named {key!r}; quote the whole URL: "
                f'[host."https://{name}"]',
            )
            continue
        for name, value in entry.items():
            if isinstance(value, dict) and name != "header":
                yield (
                    ("host", key, name),
                    f"[host.{key!r}.{name}] is a nested table: a host entry's only table is "
                    f'header; each host is its own [host."<url>"] table',
                )


def _header(entry: dict[str, Any]) -> tuple[str, list[Any]] | None:
    headers = entry.get("header")
    if not isinstance(headers, dict):
        return None
    for name, value in headers.items():
        if name.lower() == HEADER.lower():  # HTTP header names are case-insensitive
            return name, value if isinstance(value, list) else [value]
    return None


def _routing(
    doc: dict[str, Any], hosts: dict[str, Any], namespace: str, smap: SourceMap
) -> Iterator[tuple[str, JsonPath, str]]:
    """(code, where, message) of the rules that make pulls go through dfdaemon."""
    server = doc.get("server")
    if namespace == "docker.io" and isinstance(server, str) and server.rstrip("/") in _NOT_HUB:
        yield (
            "GC645",
            ("server",),
            f"server {server!r} does not serve the registry API; Docker Hub's is "
            f"https://registry-1.docker.io (containerd's default) or https://index.docker.io",
        )
    urls = [key for key in hosts if _URL.match(key)]
    if not urls:
        where: JsonPath = ("host",) if ("host",) in smap.keys else ()
        yield "GC642", where, 'no [host."<url>"] entry: every pull bypasses Dragonfly'
        return
    first = urls[0]
    if not _PROXY.match(first):
        yield (
            "GC643",
            ("host", first),
            f"the first host is {first!r}, not the local dfdaemon proxy "
            f"(http://127.0.0.1:<port>): containerd tries hosts in file order, so pulls "
            f"bypass Dragonfly",
        )
        return
    expected = server if isinstance(server, str) else default_server(namespace)
    found = _header(hosts[first]) if isinstance(hosts[first], dict) else None
    if found is None:
        yield (
            "GC644",
            ("host", first),
            f"the proxy host has no {HEADER} header: dfdaemon then fetches from its "
            f"registryMirror.url, not from {expected or 'this registry'}",
        )
    elif expected is not None and found[1] != [expected]:
        values = ", ".join(map(repr, found[1])) or "nothing"
        yield (
            "GC644",
            ("host", first, "header", found[0]),
            f"{HEADER} is {values} but server is {expected!r}: dfdaemon would fetch from "
            f"another registry than the one containerd falls back to",
        )


def _lint_file(ctx: LintContext, rel: str) -> Iterator[Problem]:
    parsed = ctx.parsed(rel)
    if parsed.problem is not None:
        yield parsed.problem
        return
    doc: dict[str, Any] = parsed.doc
    hosts = doc.get("host", {})
    nested = list(_nested(hosts)) if isinstance(hosts, dict) else []
    for path, message in nested:
        mark = parsed.smap.locate(path, key=True)
        yield ctx.problem(rel, "GC646", message, line=mark.line, col=mark.col)
    for finding in schema.findings(doc, SCHEMA):
        # A nested table also breaks the schema (odd key names, unknown keys): say it once.
        if any(finding.path[: len(path)] == path for path, _ in nested):
            continue
        yield schema.problem(finding, parsed.smap, ("GC640", "GC641"), "containerd hosts.toml")
    if not isinstance(hosts, dict):
        return
    namespace = PurePosixPath(rel).parent.name
    for code, where, message in _routing(doc, hosts, namespace, parsed.smap):
        mark = parsed.smap.locate(where, key=True)
        yield ctx.problem(rel, code, message, line=mark.line, col=mark.col)


def lint(ctx: LintContext) -> Iterator[Problem]:
    """Every file of MANIFEST kind ``containerd-hosts``."""
    for rel in ctx.files_of_kind("containerd-hosts"):
        yield from _lint_file(ctx, rel)
