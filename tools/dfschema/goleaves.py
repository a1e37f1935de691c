"""Gencfg's own table: Go leaf/custom types -> JSON Schema fragments.

Only the Go *structure* is parsed; how a leaf type decodes (time.Duration, util.RateLimit,
unit.Bytes, dfnet.NetAddr, ...) is hand-maintained here. Entries added for a newer release
line cite the upstream declaration they were checked against.
"""

from __future__ import annotations

from dfschema.model import JSON, GenError
from dfschema.model import nullable as _nullable

DURATION_PATTERN = r"^[-+]?(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$"
RAM_IN_BYTES_PATTERN = r"^[0-9]+(\.[0-9]+)? ?[kKmMgGtTpP]?[iI]?[bB]?$"
UNIT_BYTES_PATTERN = r"^([0-9]+)(\.0*)?([MmKkGgTtPpEe])?[iI]?[bB]?$"
IPV4 = (
    r"(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}"
)
NET_IP_PATTERN = rf"^(|{IPV4}|[0-9A-Fa-f.:]*:[0-9A-Fa-f.:]*)$"

BUILTIN_LEAVES = {
    "string": "goString",
    "bool": "goBool",
    "int": "goInt",
    "int32": "goInt",
    "int64": "goInt",
    "uint": "goUint",
    "uint64": "goUint",
    "uint32": "goUint32",
    "float64": "goFloat",
    "float32": "goFloat",
    "any": "goAny",
    "interface{}": "goAny",
}

QUALIFIED_LEAVES = {
    "time.Duration": "duration",
    "net.IP": "netIP",
    "crypto/tls.Config": "tlsConfig",
    "d7y.io/api/v2/pkg/apis/common/v1.Priority": "priority",
    "client/util.Duration": "duration",
    "client/util.RateLimit": "rateLimit",
    "pkg/unit.Bytes": "unitBytes",
    "pkg/dfnet.NetAddr": "netAddr",
    "pkg/types.PEMContent": "pemContent",
    "client/config.TCPListenPortRange": "tcpListenPortRange",
    "client/config.URL": "url",
    "client/config.CertPool": "certPool",
    "client/config.Regexp": "regexp",
    "client/config.StoreStrategy": "goString",
    "client/config.ResourceClientsOption": "freeFormMap",
}


def _int_schema(strict: bool, unsigned: bool, maximum: int | None = None) -> JSON:
    schema: JSON = {"type": _nullable("integer")}
    if not strict:
        schema["type"] = _nullable("integer", "string")
        schema["pattern"] = "^[0-9]+$" if unsigned else "^[-+]?[0-9]+$"
    if unsigned:
        schema["minimum"] = 0
    if maximum is not None:
        schema["maximum"] = maximum
    kind = "unsigned integer" if unsigned else "integer"
    schema["description"] = f"Go {kind}. " + (
        "yaml.v3 re-reads dfget.yaml without type coercion, so it must be a YAML integer."
        if strict
        else 'viper/mapstructure decode weakly, so a decimal string such as "1" is accepted too.'
    )
    return schema


def _simple_leaf(name: str, strict: bool) -> JSON | None:
    simple: dict[str, JSON] = {
        "goString": {"type": _nullable("string"), "description": "Go string."},
        "goBool": {"type": _nullable("boolean"), "description": "Go bool (a YAML boolean)."},
        "goFloat": {"type": _nullable("number"), "description": "Go float64."},
        "goAny": {"description": "Go any: free-form value."},
        "goInt": _int_schema(strict, unsigned=False),
        "goUint": _int_schema(strict, unsigned=True),
        "goUint32": _int_schema(strict, unsigned=True, maximum=2**32 - 1),
        "freeFormMap": {
            "type": _nullable("object"),
            "additionalProperties": True,
            "description": "Free-form mapping (Go map[string]any).",
        },
    }
    return simple.get(name)


def _custom_leaves() -> dict[str, JSON]:
    """Return the schema fragments of the custom (non-builtin) Go value types."""
    port: JSON = {"type": "integer", "minimum": 0, "maximum": 65535}
    return {
        "duration": {
            "type": _nullable("string", "integer"),
            "pattern": DURATION_PATTERN,
            "description": (
                "time.Duration / client util.Duration: a Go duration string (units ns, us, µs, "
                'ms, s, m, h; no \'d\'), e.g. "30s", "1h30m", or an integer number of '
                "NANOSECONDS."
            ),
        },
        "netIP": {
            "type": _nullable("string"),
            "pattern": NET_IP_PATTERN,
            "description": (
                'net.IP: an IPv4 or IPv6 literal (no hostname); "" means unset. The IPv6 part '
                "of the pattern is approximate, Go net.ParseIP decides."
            ),
        },
        "pemContent": {
            "type": _nullable("string"),
            "description": (
                "types.PEMContent: inline PEM (starting with -----BEGIN) or a file path that is "
                'read at load time (a missing file is fatal); "" means unset.'
            ),
        },
        "rateLimit": {
            "type": _nullable("number", "string"),
            "pattern": RAM_IN_BYTES_PATTERN,
            "description": (
                "util.RateLimit / util.Size: a number (bytes or bytes/s) or a docker/go-units "
                'RAMInBytes string with BINARY multipliers, e.g. "1024Mi", "2G", "1.5Gi", '
                '"20MiB". (go-units\' regex allows repeated .N groups, which then fail to parse; '
                "the pattern here does not.)"
            ),
        },
        "unitBytes": {
            "type": _nullable("integer", "string"),
            "pattern": UNIT_BYTES_PATTERN,
            "description": (
                'unit.Bytes: an integer number of bytes or a string like "50Gi", "100GB", '
                '"2M" (binary multipliers K M G T P E). A real fraction such as "1.5Gi" is an '
                "error."
            ),
        },
        "netAddr": {
            "anyOf": [
                {"type": "string", "description": '"host:port" (implies type tcp).'},
                {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "type": {
                            "enum": ["tcp", "unix", "vsock"],
                            "description": "dfnet.NetworkType (pkg/dfnet/dfnet.go).",
                        },
                        "addr": {
                            "type": "string",
                            "description": '"host:port" for tcp, a socket path for unix.',
                        },
                    },
                },
                {"type": "null"},
            ],
            "description": 'dfnet.NetAddr: "host:port" or {type: tcp|unix|vsock, addr}.',
        },
        "tcpListenPortRange": {
            "anyOf": [
                {
                    **port,
                    "description": "A single port N = {start: N, end: 0}: only N is tried.",
                },
                {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["start"],
                    "properties": {
                        "start": {**port, "description": "First port tried."},
                        "end": {**port, "description": "Last port tried (0 = only start)."},
                    },
                },
                {"type": "null"},
            ],
            "description": (
                "client config.TCPListenPortRange: an integer port, or {start, end} (start "
                "required); the listener tries start, start+1, ... end. Port 0 disables the "
                "proxy listener."
            ),
        },
        "url": {"type": _nullable("string"), "description": "config.URL: a URL string."},
        "certPool": {
            "type": _nullable("array"),
            "items": {"type": "string"},
            "description": "config.CertPool: a list of PEM file paths, read at load time.",
        },
        "regexp": {
            "type": _nullable("string"),
            "description": "config.Regexp: a Go RE2 pattern, unanchored unless ^/$ are written.",
        },
        "tlsConfig": {
            "type": _nullable("object"),
            "maxProperties": 0,
            "description": "*crypto/tls.Config: only null or {} is accepted by this schema.",
        },
        "priority": {
            "type": _nullable("integer"),
            "minimum": 0,
            "maximum": 6,
            "description": "commonv1.Priority: 0 (LEVEL0) ... 6 (LEVEL6), d7y.io/api v2.0.73.",
        },
    }


def leaf_schema(name: str, strict: bool) -> JSON:
    """Return the $defs entry for a leaf type name from the tables above."""
    simple = _simple_leaf(name, strict)
    if simple is not None:
        return simple
    custom = _custom_leaves()
    if name not in custom:
        raise GenError(f"no schema for leaf type {name!r}")
    return custom[name]
