"""Gencfg's own table: Rust leaf types (with their serde ``with`` helper) -> JSON Schema."""

from __future__ import annotations

from dfschema.goleaves import IPV4
from dfschema.model import JSON

HUMANTIME_UNITS = (
    "nsec|ns|usec|us|msec|ms|seconds|second|secs|sec|s|minutes|minute|mins|min|m|"
    "hours|hour|hrs|hr|h|days|day|d|weeks|week|w|months|month|M|years|year|y"
)
HUMANTIME_PATTERN = rf"^[0-9]+({HUMANTIME_UNITS})( *[0-9]+({HUMANTIME_UNITS}))*$"
BYTESIZE_PATTERN = r"^[0-9]+(\.[0-9]+)? *([kKmMgGtTpP][iI]?[bB]?|[bB])?$"
IPV6 = r"[0-9A-Fa-f.:]*:[0-9A-Fa-f.:]*"

INT_RANGES = {
    "u8": (0, 2**8 - 1),
    "u16": (0, 2**16 - 1),
    "u32": (0, 2**32 - 1),
    "u64": (0, 2**64 - 1),
    "usize": (0, 2**64 - 1),
    "i32": (-(2**31), 2**31 - 1),
    "i64": (-(2**63), 2**63 - 1),
}


def _int(name: str) -> JSON:
    low, high = INT_RANGES[name]
    return {
        "type": "integer",
        "minimum": low,
        "maximum": high,
        "description": f"Rust {name}: a YAML integer (serde_yaml does not coerce strings).",
    }


# (Rust type as written after the use-resolution, serde `with` helper or "") -> ($defs name, schema)
RUST_LEAVES: dict[tuple[str, str], tuple[str, JSON]] = {
    **{(name, ""): (name, _int(name)) for name in INT_RANGES},
    ("bool", ""): ("bool", {"type": "boolean", "description": "Rust bool: true or false."}),
    ("String", ""): ("string", {"type": "string", "description": "Rust String."}),
    ("std::path::PathBuf", ""): ("path", {"type": "string", "description": "PathBuf: a path."}),
    ("f64", ""): ("f64", {"type": "number", "description": "Rust f64."}),
    ("std::net::IpAddr", ""): (
        "ipAddr",
        {
            "type": "string",
            "pattern": rf"^({IPV4}|{IPV6})$",
            "description": (
                "std::net::IpAddr: an IPv4 or IPv6 literal, no hostname (the IPv6 part of the "
                "pattern is approximate; Rust's parser decides)."
            ),
        },
    ),
    ("std::time::Duration", "humantime_serde"): (
        "humantimeDuration",
        {
            "type": "string",
            "pattern": HUMANTIME_PATTERN,
            "description": (
                "Duration via humantime_serde: a STRING of <integer><unit> spans (ns, us, ms, "
                "s/sec/second(s), m/min/minute(s), h/hr/hour(s), d/day(s), w, M, y), optionally "
                'separated by spaces, e.g. "360s", "1h 30m". A bare integer or "1.5h" is an error.'
            ),
        },
    ),
    ("bytesize::ByteSize", "bytesize_serde"): (
        "byteSize",
        {
            "anyOf": [
                {"type": "integer", "minimum": 0},
                {"type": "string", "pattern": BYTESIZE_PATTERN},
            ],
            "description": (
                "ByteSize via bytesize_serde: an integer number of bytes, or a string "
                "<number><unit> with case-insensitive units: k/kb m/mb g/gb t/tb p/pb are "
                'DECIMAL (1000), ki/kib mi/mib gi/gib ti/tib pi/pib are binary (1024); "50GB" is '
                '5e10 bytes, "50GiB" is 50*2^30.'
            ),
        },
    ),
    ("regex::Regex", "serde_regex"): (
        "regex",
        {
            "type": "string",
            "description": "Regex via serde_regex: Rust regex syntax, unanchored; invalid = fatal.",
        },
    ),
    ("reqwest::header::HeaderMap", "http_serde::header_map"): (
        "headerMap",
        {
            "type": "object",
            "additionalProperties": {
                "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
            },
            "description": (
                "HeaderMap via http_serde::header_map: header name -> value or list of values."
            ),
        },
    ),
}
