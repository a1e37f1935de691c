r"""Proxy rule regexes compiled by the regex engine of the daemon that reads them.

v2.1's Go dfdaemon compiles ``proxy.proxies[].regx`` with Go's ``regexp`` (RE2 syntax),
checked here with ``google-re2``, the maintained binding of RE2. The current line's
Rust client compiles ``proxy.rules[].regex`` with the Rust ``regex`` crate, checked
here with ``flpc``, a binding of that crate. Both engines refuse look-around and
backreferences; they differ in details (``\Z``, ``(?<name>)``), hence one engine each.
"""

from __future__ import annotations

import re2

_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # RE2 would also print each error on stderr


def go_error(pattern: str) -> str | None:
    """Why Go's ``regexp`` (RE2) rejects ``pattern``, or None if it compiles."""
    try:
        re2.compile(pattern, _RE2_OPTIONS)
    except re2.error as exc:
        raw = exc.args[0] if exc.args else exc
        text = raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)
        return text.split(":", 1)[0]
    return None


def rust_error(pattern: str) -> str | None:
    """Why the Rust ``regex`` crate rejects ``pattern``, or None if it compiles."""
    import flpc  # noqa: PLC0415 - a compiled extension, loaded only for the current line

    try:
        flpc.compile(pattern)
    except ValueError as exc:
        lines = str(exc).splitlines()
        return next((ln[len("error: ") :] for ln in lines if ln.startswith("error: ")), lines[-1])
    return None
