"""Sizes and durations in the syntaxes Dragonfly v2.1 accepts."""

from __future__ import annotations

import re

_SIZE = re.compile(r"^([0-9]+(?:\.[0-9]+)?) ?([kKmMgGtTpP])?[iI]?[bB]?$")
_MULTIPLIER = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4, "p": 1024**5}
_DURATION_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)")
_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}

GO_MAX_DURATION_NS = 2**63 - 1
"""Go's ``time.Duration`` is an int64 of nanoseconds: about 292 years."""
GiB = 1024**3
MiB = 1024**2


def parse_size(value: int | str) -> int:
    """Bytes of a size or rate (``512Mi``, ``2G``, ``1.5Gi``, 1048576); k/M/G are 1024-based.

    Raises:
        ValueError: if ``value`` is not a size.
    """
    if isinstance(value, int):
        return value
    match = _SIZE.match(value.strip())
    if not match:
        raise ValueError(f"not a size: {value!r}")
    number, unit = match.groups()
    return int(float(number) * _MULTIPLIER[(unit or "").lower()])


def parse_duration(value: str) -> float:
    """Seconds of a Go duration string (``30s``, ``1h30m``, ``0``).

    Raises:
        ValueError: if ``value`` is not a Go duration.
    """
    if value == "0":
        return 0.0
    pos, total = 0, 0.0
    for match in _DURATION_PART.finditer(value):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _SECONDS[match.group(2)]
        pos = match.end()
    if pos != len(value) or not value:
        raise ValueError(f"not a Go duration: {value!r}")
    return total


def format_duration(seconds: int) -> str:
    """Whole seconds as a Go duration, largest units first: ``5400`` -> ``1h30m``."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{n}{unit}" for n, unit in ((hours, "h"), (minutes, "m"), (secs, "s")) if n]
    return "".join(parts) or "0s"


_UNIT_SUFFIX = re.compile(r"^[0-9.]+ ?(.*)$")


def size_mistake(value: str) -> str:
    """What is wrong with a size string, as ``: <reason>``, or ``""`` when unknown."""
    text = value.strip()
    if text.startswith("-"):
        return ": a size cannot be negative"
    if text.lower().endswith(("/s", "ps")):
        return ": write a rate without '/s' (1024Mi is 1024 MiB per second)"
    if "," in text:
        return ": use '.' for decimals and no thousands separators"
    match = _UNIT_SUFFIX.match(text)
    if match and match.group(1):
        return f": unknown unit {match.group(1)!r} (units: Ki, Mi, Gi, Ti, Pi, 1024-based)"
    if not text or not text[0].isdigit():
        return ": a size starts with a number"
    return ""


def format_size(size: int) -> str:
    """A human size for messages: ``25769803776`` -> ``24Gi``."""
    for unit, factor in (("Ti", 1024**4), ("Gi", GiB), ("Mi", MiB), ("Ki", 1024)):
        if size >= factor:
            value = size / factor
            return f"{value:g}{unit}" if value == int(value) else f"{value:.1f}{unit}"
    return str(size)
