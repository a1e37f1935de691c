#!/usr/bin/env python3
"""Generate JSON Schemas (draft 2020-12) for the Dragonfly v2.1 Go config files.

The schemas are derived from the upstream Go structs of dragonflyoss/Dragonfly2 at a git tag:
this script reads the Go sources with ``git show`` from a (bare) clone, parses the
``type X struct {...}`` declarations and their ``mapstructure``/``yaml`` tags, follows field
types across packages, and writes ``manager.schema.json``, ``scheduler.schema.json`` and
``dfget.schema.json``.

Only the Go *structure* is parsed.  The mapping from Go leaf/custom types (time.Duration,
util.RateLimit, unit.Bytes, dfnet.NetAddr, ...) to JSON Schema fragments is gencfg's own,
hand-maintained table (``_leaf_schema``); so is the small table of per-field facts that are not
visible in the struct declarations (closed value sets enforced elsewhere in the code, keys that
are read but ignored; ``FIELD_NOTES``).  Code defaults are read from the composite literal that
builds the default config (``New()`` / ``peerHostConfig()``) and from the constants it uses.

Usage::

    python3 tools/gen_dragonfly_schemas.py --git-dir <Dragonfly2 .git dir> --tag v2.1.28 \
        --out schemas/dragonfly/v2.1

The script only uses the Python standard library and ``git``.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

JSON: TypeAlias = dict[str, Any]
LitNode: TypeAlias = "str | dict[str, LitNode]"

MODULE = "d7y.io/dragonfly/v2"
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
ID_BASE = "https://gencfg.invalid/schemas/dragonfly/v2.1"


class GenError(Exception):
    """Raised when the Go sources do not look the way this generator expects."""


# --------------------------------------------------------------------------------------------
# Profiles: one per config file.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """What to generate for one config file."""

    name: str
    title: str
    root_pkg: str
    root_type: str
    defaults_file: str
    defaults_marker: str
    root_command: str
    yaml_strict: bool
    config_path: str


PROFILES: tuple[Profile, ...] = (
    Profile(
        name="manager",
        title="Dragonfly manager configuration (manager.yaml)",
        root_pkg="manager/config",
        root_type="Config",
        defaults_file="manager/config/config.go",
        defaults_marker=r"return &Config\{",
        root_command="manager",
        yaml_strict=False,
        config_path="/etc/dragonfly/manager.yaml",
    ),
    Profile(
        name="scheduler",
        title="Dragonfly scheduler configuration (scheduler.yaml)",
        root_pkg="scheduler/config",
        root_type="Config",
        defaults_file="scheduler/config/config.go",
        defaults_marker=r"return &Config\{",
        root_command="scheduler",
        yaml_strict=False,
        config_path="/etc/dragonfly/scheduler.yaml",
    ),
    Profile(
        name="dfget",
        title="Dragonfly dfget daemon / seed peer configuration (dfget.yaml)",
        root_pkg="client/config",
        root_type="DaemonOption",
        defaults_file="client/config/peerhost_linux.go",
        defaults_marker=r"return &DaemonOption\{",
        root_command="dfget",
        yaml_strict=True,
        config_path="/etc/dragonfly/dfget.yaml",
    ),
)

# Where the cobra root flags (console, verbose, pprof-port, jaeger, service-name) are declared.
COBRA_FLAGS_FILE = "cmd/dependency/dependency.go"

# --------------------------------------------------------------------------------------------
# Hand-maintained facts that are not visible in the struct declarations.
# Each "evidence" is (file, regex); the generator cites the first matching line at the tag and
# fails if the regex no longer matches, so a re-run against a newer tag flags stale facts.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldNote:
    """Extra schema facts for one Go field (package dir, struct, field)."""

    note: str = ""
    enum_consts: tuple[str, ...] = ()
    enum_literals: tuple[str, ...] = ()
    allow_empty: bool = False
    evidence: tuple[tuple[str, str], ...] = ()


TLS_POLICY_CONSTS = ("rpc.DefaultTLSPolicy", "rpc.ForceTLSPolicy", "rpc.PreferTLSPolicy")

FIELD_NOTES: dict[tuple[str, str, str], FieldNote] = {
    ("manager/config", "DatabaseConfig", "Type"): FieldNote(
        note="Closed set: any other value fails start-up ('invalid database type').",
        enum_consts=("DatabaseTypeMysql", "DatabaseTypeMariaDB", "DatabaseTypePostgres"),
        evidence=(("manager/database/database.go", r"invalid database type"),),
    ),
    ("manager/config", "SecurityConfig", "TLSPolicy"): FieldNote(
        note="Closed set, checked when autoIssueCert is true.",
        enum_consts=TLS_POLICY_CONSTS,
        evidence=(
            ("manager/config/config.go", r"security requires parameter tlsPolicy"),
            ("pkg/rpc/credential.go", r"invalid tlsPolicy"),
        ),
    ),
    ("scheduler/config", "SecurityConfig", "TLSPolicy"): FieldNote(
        note="Closed set, checked when autoIssueCert is true.",
        enum_consts=TLS_POLICY_CONSTS,
        evidence=(
            ("scheduler/config/config.go", r"security requires parameter tlsPolicy"),
            ("pkg/rpc/credential.go", r"invalid tlsPolicy"),
        ),
    ),
    ("client/config", "GlobalSecurityOption", "TLSPolicy"): FieldNote(
        note="Closed set, used when autoIssueCert is true.",
        enum_consts=TLS_POLICY_CONSTS,
        evidence=(("client/daemon/daemon.go", r"invalid tlsPolicy"),),
    ),
    ("manager/config", "ObjectStorageConfig", "Name"): FieldNote(
        note="Closed set, checked when objectStorage.enable is true.",
        enum_consts=(
            "objectstorage.ServiceNameS3",
            "objectstorage.ServiceNameOSS",
            "objectstorage.ServiceNameOBS",
        ),
        evidence=(("manager/config/config.go", r"objectstorage\.ServiceNameS3, objectstorage"),),
    ),
    ("scheduler/config", "DownloadTinyConfig", "Scheme"): FieldNote(
        note="Closed set, always validated.",
        enum_literals=("http", "https"),
        evidence=(("scheduler/config/config.go", r'\[\]string\{"http", "https"\}'),),
    ),
    ("client/config", "SeedPeerOption", "Type"): FieldNote(
        note=(
            "Closed set enforced by the manager API when seedPeer.enable is true "
            "(d7y.io/api v2.0.73 pkg/apis/manager/v1/manager.proto:118, UpdateSeedPeerRequest.type "
            "in [super, strong, weak]); the scheduler always treats an enabled seed peer as super."
        ),
        enum_literals=("super", "strong", "weak"),
        evidence=(("client/daemon/announcer/announcer.go", r"SeedPeer\.Type,"),),
    ),
    ("client/config", "StorageOption", "StoreStrategy"): FieldNote(
        note="Closed set; empty means io.d7y.storage.v2.simple.",
        enum_consts=("SimpleLocalTaskStoreStrategy", "AdvanceLocalTaskStoreStrategy"),
        allow_empty=True,
        evidence=(("client/daemon/storage/storage_manager.go", r"not support store strategy"),),
    ),
    ("scheduler/config", "SchedulerConfig", "Algorithm"): FieldNote(
        note=(
            "Known values: default, ml, plugin. Not a closed set: unknown values fall back to "
            "the default evaluator, so no enum. Must be non-empty."
        ),
        evidence=(("scheduler/scheduling/evaluator/evaluator.go", r"^func New\("),),
    ),
    ("client/config", "DownloadOption", "TrafficShaperType"): FieldNote(
        note=(
            "Known values: plain, sampling. Not a closed set: empty/unknown falls back to plain "
            "with a warning, so no enum."
        ),
        evidence=(("client/daemon/peer/traffic_shaper.go", r"use plain traffic shaper instead"),),
    ),
    ("client/config", "StorageOption", "DataPath"): FieldNote(
        note="Read but overwritten with dataDir at start-up, so setting it has no effect.",
        evidence=(("client/daemon/daemon.go", r"opt\.Storage\.DataPath = d\.DataDir\(\)"),),
    ),
    ("client/config", "ProxyOption", "DefaultPriority"): FieldNote(
        note=(
            "commonv1.Priority (0=LEVEL0 ... 6=LEVEL6). Honoured by the viper/mapstructure "
            "decode; the yaml.v3 re-read drops it (ProxyOption.unmarshal), which is harmless."
        ),
        evidence=(("client/config/peerhost.go", r"^func \(p \*ProxyOption\) unmarshal\("),),
    ),
    ("client/config", "DownloadOption", "ResourceClients"): FieldNote(
        note=(
            "Free-form map keyed by URL scheme (http, https, oss, s3, ...). Taken from the "
            "case-sensitive yaml.v3 re-read of dfget.yaml, not from viper; for http/https the "
            "known keys are proxy, dialTimeout, keepAlive, maxIdleConns, idleConnTimeout, "
            "responseHeaderTimeout, tlsHandshakeTimeout, expectContinueTimeout, "
            "insecureSkipVerify (pkg/source/transport_option.go)."
        ),
        evidence=(
            ("client/daemon/daemon.go", r"InitSourceClients\(tmpOpt\.Download\.ResourceClients\)"),
        ),
    ),
    ("client/config", "SecurityOption", "TLSConfig"): FieldNote(
        note=(
            "A *crypto/tls.Config. It cannot be expressed sensibly in YAML; the schema only "
            "allows null or an empty mapping (what the upstream templates write)."
        ),
        evidence=(("client/daemon/daemon.go", r"opt\.TLSConfig == nil"),),
    ),
    ("client/config", "DaemonOption", "Proxy"): FieldNote(
        note=(
            "Must be a mapping: the scalar 'path to a proxy file' form works only on the yaml.v3 "
            "path and is a decode error under viper. The proxy listens only if "
            "tcpListen.port (start) is non-zero."
        ),
    ),
}

ADVERTISE_NOTE = (
    "Unset/empty: Convert() uses the first non-loopback IPv4 (IPv6 with network.enableIPv6)."
)
LISTEN_NOTE = "Unset/empty: Convert() uses 0.0.0.0 (:: with network.enableIPv6)."
FIELD_NOTES.update(
    {
        ("manager/config", "GRPCConfig", "AdvertiseIP"): FieldNote(
            note=ADVERTISE_NOTE,
            evidence=(("manager/config/config.go", r"cfg\.Server\.GRPC\.AdvertiseIP = ip\.IPv4"),),
        ),
        ("manager/config", "GRPCConfig", "ListenIP"): FieldNote(
            note=LISTEN_NOTE,
            evidence=(
                ("manager/config/config.go", r"cfg\.Server\.GRPC\.ListenIP = net\.IPv4zero"),
            ),
        ),
        ("scheduler/config", "ServerConfig", "AdvertiseIP"): FieldNote(
            note=ADVERTISE_NOTE,
            evidence=(("scheduler/config/config.go", r"cfg\.Server\.AdvertiseIP = ip\.IPv4"),),
        ),
        ("scheduler/config", "ServerConfig", "ListenIP"): FieldNote(
            note=LISTEN_NOTE,
            evidence=(("scheduler/config/config.go", r"cfg\.Server\.ListenIP = net\.IPv4zero"),),
        ),
        ("client/config", "HostOption", "AdvertiseIP"): FieldNote(
            note=ADVERTISE_NOTE,
            evidence=(("client/config/peerhost.go", r"p\.Host\.AdvertiseIP = ip\.IPv4"),),
        ),
        ("manager/config", "SyncPeersConfig", "Interval"): FieldNote(
            note="Must be greater than 12h, else start-up fails.",
            evidence=(("manager/config/config.go", r"must be greater than 12 hours"),),
        ),
        ("client/config", "DownloadOption", "TotalRateLimit"): FieldNote(
            note="Must be at least 20Mi (DefaultMinRate), else start-up fails.",
            evidence=(("client/config/peerhost.go", r"Download\.TotalRateLimit\.Limit\) < "),),
        ),
        ("client/config", "UploadOption", "RateLimit"): FieldNote(
            note="Must be at least 20Mi (DefaultMinRate), else start-up fails.",
            evidence=(("client/config/peerhost.go", r"Upload\.RateLimit\.Limit\) < "),),
        ),
        ("client/config", "DaemonOption", "GCInterval"): FieldNote(
            note="Must be greater than 0.",
            evidence=(("client/config/peerhost.go", r"gcInterval must be greater than 0"),),
        ),
        ("client/config", "ReloadOption", "Interval"): FieldNote(
            note="0 (off) or at least 1s.",
            evidence=(("client/config/peerhost.go", r"reload interval too short"),),
        ),
        ("client/config", "SecurityOption", "CACert"): FieldNote(
            note=(
                "The upstream docker-compose templates write 'cacert': viper accepts it "
                "(case-insensitive) but the yaml.v3 re-read does not, so this schema requires "
                "'caCert'."
            ),
        ),
        ("scheduler/config", "Config", "DynConfig"): FieldNote(
            note=(
                "Helm chart 1.1.12 writes 'dynconfig' (plus an ignored 'type'); viper matches it "
                "case-insensitively, but this schema requires the canonical 'dynConfig'."
            ),
        ),
    }
)

# Struct types whose yaml tag and mapstructure tag legitimately differ and how to explain it.
TAG_MISMATCH_NOTE = (
    "The yaml tag says {ytag!r} but the mapstructure tag says {mtag!r}; viper/mapstructure is "
    "what the binary uses, so the key is {mtag!r} and {ytag!r} is silently ignored."
)

# --------------------------------------------------------------------------------------------
# Reading Go sources from git.
# --------------------------------------------------------------------------------------------


class GitTree:
    """Read files of one tag of a git repository."""

    def __init__(self, git_dir: Path, tag: str) -> None:
        self.git_dir = git_dir
        self.tag = tag
        self._cache: dict[str, str] = {}

    def _git(self, *args: str) -> str:
        cmd = ["git", "--git-dir", str(self.git_dir), *args]
        proc = subprocess.run(cmd, check=True, capture_output=True, text=True)
        return proc.stdout

    def commit(self) -> str:
        """Return the commit id of the tag."""
        return self._git("rev-parse", f"{self.tag}^{{commit}}").strip()

    def show(self, path: str) -> str:
        """Return the text of a file at the tag."""
        if path not in self._cache:
            self._cache[path] = self._git("show", f"{self.tag}:{path}")
        return self._cache[path]

    def list_dir(self, path: str) -> list[str]:
        """Return the file paths directly under a directory at the tag."""
        out = self._git("ls-tree", "--name-only", f"{self.tag}:{path}")
        return [f"{path}/{name}" for name in out.splitlines() if name]

    def find_line(self, path: str, pattern: str) -> int:
        """Return the 1-based line of the first regex match in a file, or raise."""
        rx = re.compile(pattern)
        for number, line in enumerate(self.show(path).splitlines(), start=1):
            if rx.search(line):
                return number
        raise GenError(f"evidence {pattern!r} not found in {path} at {self.tag}")


# --------------------------------------------------------------------------------------------
# A deliberately small Go declaration parser.
# --------------------------------------------------------------------------------------------


@dataclass
class GoField:
    """One field of a Go struct."""

    name: str
    type_expr: str
    tags: dict[str, str]
    embedded: bool
    file: str
    line: int
    doc: str


@dataclass
class GoStruct:
    """A Go struct type declaration."""

    pkg: str
    name: str
    file: str
    line: int
    fields: list[GoField]
    problem: str = ""


@dataclass
class GoPackage:
    """The declarations of one Go package (directory) that the generator needs."""

    path: str
    imports: dict[str, dict[str, str]] = field(default_factory=dict)
    structs: dict[str, GoStruct] = field(default_factory=dict)
    named: dict[str, tuple[str, str]] = field(default_factory=dict)
    consts: dict[str, tuple[str, str]] = field(default_factory=dict)


STRUCT_START = re.compile(r"^type\s+(\w+)\s+struct\s*\{\s*(\}\s*)?$")
NAMED_TYPE = re.compile(r"^type\s+(\w+)\s+(=\s*)?([^{]+?)\s*$")
IMPORT_LINE = re.compile(r'^\s*(?:(\w+|\.|_)\s+)?"([^"]+)"\s*$')
EMBED_FIELD = re.compile(r"^(?P<type>\*?[A-Za-z_][\w.]*(?:\[[^\]]*\])?)\s*(?:`(?P<tag>[^`]*)`)?$")
NAMED_FIELD = re.compile(
    r"^(?P<names>[A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s+(?P<type>[^`]+?)\s*(?:`(?P<tag>[^`]*)`)?$"
)
TAG_PAIR = re.compile(r'(\w+):"((?:[^"\\]|\\.)*)"')
CONST_ENTRY = re.compile(r"^(\w+)(?:\s+[\w.\[\]*]+)?\s*=\s*(.*)$")
SKIPPED_SUFFIXES = ("_test.go", "_darwin.go", "_windows.go", "_freebsd.go")
OTHER_OS_BUILD = re.compile(r"^//go:build\s+(darwin|windows|freebsd|!linux)")


def strip_comment(line: str) -> str:
    """Remove a trailing // comment that is outside quotes and backticks."""
    quote = ""
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = ""
            continue
        if char in "\"`'":
            quote = char
        elif line.startswith("//", index):
            return line[:index].rstrip()
    return line.rstrip()


def default_import_alias(path: str) -> str:
    """Return the package name Go uses for an import path without an explicit alias."""
    parts = path.split("/")
    name = parts[-1]
    if re.fullmatch(r"v\d+", name) and len(parts) > 1:
        name = parts[-2]
    name = re.sub(r"\.v\d+$", "", name)
    return name.removeprefix("go-").replace("-", "")


class GoParser:
    """Parse the declarations the generator needs from Go files read through GitTree."""

    def __init__(self, tree: GitTree) -> None:
        self.tree = tree
        self._packages: dict[str, GoPackage] = {}

    def package(self, path: str) -> GoPackage:
        """Return the parsed package in directory ``path`` (repository-relative)."""
        if path not in self._packages:
            pkg = GoPackage(path=path)
            for file in self.tree.list_dir(path):
                if file.endswith(".go") and not file.endswith(SKIPPED_SUFFIXES):
                    self._parse_file(pkg, file)
            self._packages[path] = pkg
        return self._packages[path]

    def _parse_file(self, pkg: GoPackage, file: str) -> None:
        lines = self.tree.show(file).splitlines()
        if any(OTHER_OS_BUILD.match(line) for line in lines[:5]):
            return
        index = 0
        while index < len(lines):
            index = self._parse_top_level(pkg, file, lines, index)

    def _parse_top_level(self, pkg: GoPackage, file: str, lines: list[str], index: int) -> int:
        line = lines[index]
        if line.startswith("import"):
            return self._parse_imports(pkg.imports.setdefault(file, {}), lines, index)
        if line.startswith(("const", "var")):
            return self._parse_consts(pkg, file, lines, index)
        match = STRUCT_START.match(line)
        if match:
            return self._parse_struct(pkg, file, lines, index, match.group(1))
        match = NAMED_TYPE.match(strip_comment(line))
        if match and not match.group(3).startswith(("interface", "func", "struct")):
            pkg.named[match.group(1)] = (match.group(3), file)
        return index + 1

    @staticmethod
    def _parse_imports(imports: dict[str, str], lines: list[str], index: int) -> int:
        block = lines[index].rstrip().endswith("(")
        candidates = [lines[index].removeprefix("import")] if not block else []
        end = index + 1
        if block:
            while lines[end].strip() != ")":
                candidates.append(lines[end])
                end += 1
            end += 1
        for text in candidates:
            match = IMPORT_LINE.match(strip_comment(text))
            if match:
                alias = match.group(1) or default_import_alias(match.group(2))
                imports[alias] = match.group(2)
        return end

    def _parse_consts(self, pkg: GoPackage, file: str, lines: list[str], index: int) -> int:
        head = strip_comment(lines[index])
        if head.endswith("("):
            end = index + 1
            while end < len(lines) and lines[end].strip() != ")":
                end = self._parse_const_entry(pkg, file, lines, end, lines[end].strip())
            return end + 1
        text = re.sub(r"^(const|var)\s+", "", head)
        return self._parse_const_entry(pkg, file, lines, index, text)

    @staticmethod
    def _parse_const_entry(
        pkg: GoPackage, file: str, lines: list[str], index: int, text: str
    ) -> int:
        match = CONST_ENTRY.match(strip_comment(text))
        if not match:
            return index + 1
        expr = match.group(2)
        end = index + 1
        while expr.count("{") > expr.count("}") and end < len(lines):
            expr += " " + strip_comment(lines[end]).strip()
            end += 1
        pkg.consts[match.group(1)] = (expr.strip(), file)
        return end

    def _parse_struct(
        self, pkg: GoPackage, file: str, lines: list[str], index: int, name: str
    ) -> int:
        fields: list[GoField] = []
        doc: list[str] = []
        problem = ""
        end = index + 1
        if not lines[index].rstrip().endswith("}"):
            while lines[end].rstrip() != "}":
                if not problem:
                    try:
                        doc = self._parse_struct_line(fields, doc, lines[end], file, end + 1)
                    except GenError as exc:
                        problem = str(exc)
                end += 1
        pkg.structs[name] = GoStruct(pkg.path, name, file, index + 1, fields, problem)
        return end + 1

    @staticmethod
    def _parse_struct_line(
        fields: list[GoField], doc: list[str], raw: str, file: str, line_no: int
    ) -> list[str]:
        stripped = raw.strip()
        if not stripped:
            return []
        if stripped.startswith("//"):
            return [*doc, stripped.removeprefix("//").strip()]
        text = strip_comment(stripped)
        if "struct {" in text or "struct{" in text:
            raise GenError(f"{file}:{line_no}: anonymous struct fields are not supported")
        embed = EMBED_FIELD.match(text)
        if embed:
            type_expr = embed.group("type")
            tags = dict(TAG_PAIR.findall(embed.group("tag") or ""))
            name = type_expr.lstrip("*").rsplit(".", 1)[-1]
            fields.append(GoField(name, type_expr, tags, True, file, line_no, " ".join(doc)))
            return []
        named = NAMED_FIELD.match(text)
        if not named:
            raise GenError(f"{file}:{line_no}: cannot parse struct field {text!r}")
        tags = dict(TAG_PAIR.findall(named.group("tag") or ""))
        for name in re.split(r"\s*,\s*", named.group("names")):
            fields.append(
                GoField(
                    name, named.group("type").strip(), tags, False, file, line_no, " ".join(doc)
                )
            )
        return []


# --------------------------------------------------------------------------------------------
# Default values: the composite literal of the default config and the constants it uses.
# --------------------------------------------------------------------------------------------

PAIRS = {"{": "}", "(": ")", "[": "]"}


def _skip_string(text: str, index: int) -> int:
    quote = text[index]
    index += 1
    while index < len(text) and text[index] != quote:
        index += 2 if text[index] == "\\" and quote != "`" else 1
    return index + 1


def matching_close(text: str, start: int) -> int:
    """Return the index of the bracket that closes the one at ``start``."""
    stack = [PAIRS[text[start]]]
    index = start + 1
    while index < len(text):
        char = text[index]
        if char in "\"`'":
            index = _skip_string(text, index)
            continue
        if char in PAIRS:
            stack.append(PAIRS[char])
        elif stack and char == stack[-1]:
            stack.pop()
            if not stack:
                return index
        index += 1
    raise GenError("unbalanced brackets in Go source")


def split_top_level(text: str, sep: str) -> list[str]:
    """Split on ``sep`` where it is not nested inside brackets or strings."""
    parts: list[str] = []
    depth = 0
    start = 0
    index = 0
    while index < len(text):
        char = text[index]
        if char in "\"`'":
            index = _skip_string(text, index)
            continue
        if char in PAIRS:
            depth += 1
        elif char in PAIRS.values():
            depth -= 1
        elif depth == 0 and text.startswith(sep, index):
            parts.append(text[start:index])
            start = index + len(sep)
        index += 1
    parts.append(text[start:])
    return [part.strip() for part in parts if part.strip()]


COMPOSITE = re.compile(r"^&?(?P<type>[A-Za-z_][\w.]*)\{")


def parse_composite(body: str) -> dict[str, LitNode]:
    """Parse the keyed elements of a Go composite literal body into a nested dict."""
    result: dict[str, LitNode] = {}
    for element in split_top_level(body, ","):
        key_value = split_top_level(element, ":")
        if len(key_value) != 2:
            raise GenError(f"unkeyed element in default literal: {element!r}")
        key, value = key_value
        match = COMPOSITE.match(value)
        if match and value.endswith("}"):
            inner = value[match.end() : -1]
            keyed = any(len(split_top_level(e, ":")) == 2 for e in split_top_level(inner, ","))
            result[key] = parse_composite(inner) if keyed or not inner.strip() else value
        else:
            result[key] = value
    return result


def strip_all_comments(text: str) -> str:
    """Remove // comments from Go source (string aware)."""
    return "\n".join(strip_comment(line) for line in text.splitlines())


def read_default_literal(tree: GitTree, profile: Profile) -> dict[str, LitNode]:
    """Return the default-config composite literal of a profile as a nested dict."""
    text = strip_all_comments(tree.show(profile.defaults_file))
    match = re.search(profile.defaults_marker, text)
    if not match:
        raise GenError(f"default literal {profile.defaults_marker!r} not found")
    start = match.end() - 1
    return parse_composite(text[start + 1 : matching_close(text, start)])


@dataclass(frozen=True)
class GoValue:
    """A statically evaluated Go expression."""

    kind: str  # duration | int | bytes | float | string | bool | list | runtime
    value: Any
    source: str


TIME_UNITS = {
    "time.Nanosecond": 1,
    "time.Microsecond": 1_000,
    "time.Millisecond": 1_000_000,
    "time.Second": 1_000_000_000,
    "time.Minute": 60_000_000_000,
    "time.Hour": 3_600_000_000_000,
}
BYTE_UNITS = {
    f"unit.{name}": 1024**power for power, name in enumerate(["B", "KB", "MB", "GB", "TB", "PB"])
}
CONVERSIONS = re.compile(
    r"^(?:rate\.Limit|types\.PEMContent|time\.Duration|StoreStrategy|float64|int|uint)\((.*)\)$"
)


class Evaluator:
    """Evaluate the small subset of Go constant expressions used by the default configs."""

    def __init__(self, parser: GoParser) -> None:
        self.parser = parser

    def evaluate(self, expr: str, scope: str) -> GoValue:
        """Evaluate ``expr`` as written in file ``scope``; unknown things become 'runtime'."""
        expr = expr.strip()
        conv = CONVERSIONS.match(expr)
        if conv:
            return self.evaluate(conv.group(1), scope)
        literal = self._literal(expr)
        if literal is not None:
            return literal
        if expr in TIME_UNITS:
            return GoValue("duration", TIME_UNITS[expr], expr)
        if expr in BYTE_UNITS:
            return GoValue("bytes", BYTE_UNITS[expr], expr)
        factors = split_top_level(expr, "*")
        if len(factors) > 1:
            return self._product(factors, scope, expr)
        if expr.startswith("[]string{"):
            items = split_top_level(expr[len("[]string{") : -1], ",")
            return GoValue("list", [json.loads(item) for item in items], expr)
        return self._identifier(expr, scope)

    @staticmethod
    def _literal(expr: str) -> GoValue | None:
        if expr.startswith('"'):
            return GoValue("string", json.loads(expr), expr)
        if expr in ("true", "false"):
            return GoValue("bool", expr == "true", expr)
        if re.fullmatch(r"-?\d+", expr):
            return GoValue("int", int(expr), expr)
        if re.fullmatch(r"-?\d+\.\d*", expr):
            return GoValue("float", float(expr), expr)
        return None

    def _product(self, factors: list[str], scope: str, expr: str) -> GoValue:
        kind = "int"
        total = 1
        for factor in factors:
            value = self.evaluate(factor, scope)
            if value.kind not in ("int", "duration", "bytes"):
                return GoValue("runtime", None, expr)
            kind = value.kind if value.kind != "int" else kind
            total *= int(value.value)
        return GoValue(kind, total, expr)

    def _identifier(self, expr: str, scope: str) -> GoValue:
        pkg_path = scope.rsplit("/", 1)[0]
        target_pkg, name = pkg_path, expr
        if "." in expr:
            alias, name = expr.split(".", 1)
            import_path = self._import_path(pkg_path, scope, alias)
            if not import_path.startswith(MODULE + "/"):
                return GoValue("runtime", None, expr)
            target_pkg = import_path.removeprefix(MODULE + "/")
        consts = self.parser.package(target_pkg).consts
        if name not in consts:
            return GoValue("runtime", None, expr)
        const_expr, const_file = consts[name]
        inner = self.evaluate(const_expr, const_file)
        return GoValue(inner.kind, inner.value, expr)

    def _import_path(self, pkg_path: str, scope: str, alias: str) -> str:
        """Return the import path of ``alias`` in file ``scope`` (else in any file of the package).

        The package-wide fallback is only needed for the enum constants of FIELD_NOTES, which are
        written relative to the package of the struct, not to one file.
        """
        imports = self.parser.package(pkg_path).imports
        if alias in imports.get(scope, {}):
            return imports[scope][alias]
        candidates = {paths[alias] for paths in imports.values() if alias in paths}
        return candidates.pop() if len(candidates) == 1 else ""


def format_duration(ns: int) -> str:
    """Format nanoseconds compactly in Go duration syntax (e.g. 48h, 1h30m, 200ms)."""
    if ns == 0:
        return "0s"
    sign = "-" if ns < 0 else ""
    ns = abs(ns)
    hours, rest = divmod(ns, 3_600_000_000_000)
    minutes, rest = divmod(rest, 60_000_000_000)
    seconds, rest = divmod(rest, 1_000_000_000)
    out = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
    if rest and not (hours or minutes or seconds):
        for unit, size in (("ms", 1_000_000), ("us", 1_000), ("ns", 1)):
            if rest % size == 0:
                return f"{sign}{rest // size}{unit}"
    if rest:
        return f"{sign}{out}{seconds}.{rest:09d}".rstrip("0") + "s"
    return sign + out + (f"{seconds}s" if seconds else "")


def format_bytes(size: int) -> str:
    """Format a byte count with the largest exact binary unit (e.g. 512Mi, 1Gi)."""
    for suffix, power in (("Ti", 4), ("Gi", 3), ("Mi", 2), ("Ki", 1)):
        if size and size % 1024**power == 0:
            return f"{size // 1024**power}{suffix}"
    return str(size)


# --------------------------------------------------------------------------------------------
# Gencfg's own table: Go leaf/custom types -> JSON Schema fragments.
# --------------------------------------------------------------------------------------------

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


def _nullable(*types: str) -> list[str]:
    return [*types, "null"]


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


# --------------------------------------------------------------------------------------------
# Type resolution and schema building.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolved:
    """A resolved Go type: a leaf def, a struct, an array or a map."""

    kind: str  # leaf | struct | array | map
    leaf: str = ""
    struct: GoStruct | None = None
    elem: Resolved | None = None
    go_name: str = ""


@dataclass
class Ctx:
    """Where we are while walking the struct tree."""

    go_path: tuple[str, ...]
    key_path: tuple[str, ...]
    squashed_into: str = ""


class SchemaBuilder:
    """Build one JSON Schema document for a profile."""

    def __init__(self, parser: GoParser, tree: GitTree, profile: Profile) -> None:
        self.parser = parser
        self.tree = tree
        self.profile = profile
        self.evaluator = Evaluator(parser)
        self.defaults = read_default_literal(tree, profile)
        self.cobra_defaults = self._cobra_defaults()
        self.defs: dict[str, JSON] = {}
        self.struct_uses: dict[tuple[str, str], int] = {}
        self.notes_used: set[tuple[str, str, str]] = set()

    # ---- type resolution -------------------------------------------------------------------

    def resolve(self, type_expr: str, scope: str) -> Resolved:
        """Resolve a Go type expression written in file ``scope``."""
        expr = type_expr.strip().lstrip("*")
        if expr.startswith("[]"):
            return Resolved("array", elem=self.resolve(expr[2:], scope), go_name=expr)
        if expr.startswith("map["):
            close = matching_close(expr, 3)
            if expr[4:close] != "string":
                raise GenError(f"unsupported map key in {type_expr!r}")
            return Resolved("map", elem=self.resolve(expr[close + 1 :], scope), go_name=expr)
        if expr in BUILTIN_LEAVES:
            return Resolved("leaf", leaf=BUILTIN_LEAVES[expr], go_name=expr)
        target_pkg, name, in_repo = self._qualify(expr, scope)
        qualified = f"{target_pkg}.{name}"
        if qualified in QUALIFIED_LEAVES:
            return Resolved("leaf", leaf=QUALIFIED_LEAVES[qualified], go_name=expr)
        if not in_repo:
            raise GenError(f"external type {qualified!r} has no entry in the leaf table")
        pkg = self.parser.package(target_pkg)
        if name in pkg.structs:
            if pkg.structs[name].problem:
                raise GenError(pkg.structs[name].problem)
            return Resolved("struct", struct=pkg.structs[name], go_name=expr)
        if name in pkg.named:
            return self.resolve(*pkg.named[name])
        raise GenError(f"type {qualified!r} not found")

    def _qualify(self, expr: str, scope: str) -> tuple[str, str, bool]:
        """Return (package dir or import path, type name, declared in this repository?)."""
        pkg_path = scope.rsplit("/", 1)[0]
        if "." not in expr:
            return pkg_path, expr, True
        alias, name = expr.split(".", 1)
        import_path = self.parser.package(pkg_path).imports.get(scope, {}).get(alias)
        if import_path is None:
            raise GenError(f"unknown import alias {alias!r} in {scope}")
        if import_path.startswith(MODULE + "/"):
            return import_path.removeprefix(MODULE + "/"), name, True
        return import_path, name, False

    # ---- keys ------------------------------------------------------------------------------

    def field_key(self, fld: GoField) -> tuple[str | None, bool, str]:
        """Return (key or None if skipped, squash?, $comment) for a field."""
        if not fld.name[0].isupper():
            return None, False, ""
        m_name, _, m_opts = fld.tags.get("mapstructure", "").partition(",")
        y_name, _, y_opts = fld.tags.get("yaml", "").partition(",")
        if m_name == "-":
            return None, False, ""
        squash = "squash" in m_opts.split(",")
        if squash:
            if self.profile.yaml_strict and "inline" not in y_opts.split(","):
                raise GenError(f"{fld.file}:{fld.line}: squash without yaml inline")
            return "", True, ""
        if fld.embedded and not m_name:
            raise GenError(f"{fld.file}:{fld.line}: embedded field without squash")
        # yaml.v3 uses the lower-cased field name when there is no yaml tag; mapstructure uses
        # the field name, matched case-insensitively (and viper lower-cases every key anyway).
        y_key = y_name or fld.name.lower()
        m_key = m_name or y_key
        if m_key.lower() != y_key.lower():
            return m_key, False, TAG_MISMATCH_NOTE.format(ytag=y_key, mtag=m_key)
        if m_key != y_key:
            # Same key up to case: yaml.v3 (dfget.yaml second read) needs the yaml spelling.
            key = y_key if self.profile.yaml_strict else m_key
            return key, False, f"mapstructure tag {m_key!r}, yaml tag {y_key!r}; using {key!r}."
        return m_key, False, ""

    # ---- walking ---------------------------------------------------------------------------

    def count_uses(self, struct: GoStruct, seen: tuple[tuple[str, str], ...] = ()) -> None:
        """Count how often each struct type is reached (to decide where defaults go)."""
        key = (struct.pkg, struct.name)
        if key in seen:
            raise GenError(f"recursive struct {struct.name}")
        for fld in struct.fields:
            name, squash, _ = self.field_key(fld)
            if name is None:
                continue
            resolved = self.resolve(fld.type_expr, fld.file)
            while resolved.kind in ("array", "map") and resolved.elem is not None:
                resolved = resolved.elem
            if resolved.kind == "struct" and resolved.struct is not None:
                if not squash:
                    sub = (resolved.struct.pkg, resolved.struct.name)
                    self.struct_uses[sub] = self.struct_uses.get(sub, 0) + 1
                self.count_uses(resolved.struct, (*seen, key))

    def build(self) -> JSON:
        """Build the whole schema document."""
        root_pkg = self.parser.package(self.profile.root_pkg)
        root = root_pkg.structs[self.profile.root_type]
        self.count_uses(root)
        properties = self.struct_properties(root, Ctx((), ()))
        schema: JSON = {
            "$schema": SCHEMA_DIALECT,
            "$id": f"{ID_BASE}/{self.profile.name}.schema.json",
            "title": f"{self.profile.title}, Dragonfly2 {self.tree.tag}",
            "description": self._root_description(root),
            "type": "object",
            "additionalProperties": False,
            "properties": properties,
            "$defs": dict(sorted(self.defs.items())),
        }
        return schema

    def _root_description(self, root: GoStruct) -> str:
        loader = (
            "Loaded by viper v1.15 + mapstructure v1.5 (WeaklyTypedInput, unknown keys silently "
            "ignored, keys case-insensitive) and, for dfget.yaml only, decoded a SECOND time by "
            "a strict, case-sensitive yaml.v3 unmarshal into DaemonOption "
            "(client/daemon/daemon.go). Keys here use the one spelling that satisfies both."
            if self.profile.yaml_strict
            else "Loaded by viper v1.15 + mapstructure v1.5 (WeaklyTypedInput, unknown keys "
            "silently ignored, keys case-insensitive); the key is the mapstructure tag and this "
            "schema requires its canonical spelling."
        )
        return (
            f"Generated by tools/gen_dragonfly_schemas.py from dragonflyoss/Dragonfly2 "
            f"{self.tree.tag} (commit {self.tree.commit()}), root struct {root.name} "
            f"({root.file}:{root.line}). Default path {self.profile.config_path}. {loader} "
            "additionalProperties:false on every struct means: keys the binary does not read "
            "are rejected. YAML null is accepted everywhere because both decoders treat it as "
            "'keep the code default'."
        )

    def struct_properties(self, struct: GoStruct, ctx: Ctx) -> dict[str, JSON]:
        """Return the JSON properties of a struct, with squashed fields merged in."""
        properties: dict[str, JSON] = {}
        for fld in struct.fields:
            key, squash, comment = self.field_key(fld)
            if key is None:
                continue
            resolved = self.resolve(fld.type_expr, fld.file)
            go_path = (*ctx.go_path, fld.name)
            if squash:
                if resolved.struct is None:
                    raise GenError(f"{fld.file}:{fld.line}: squash of a non-struct")
                sub_ctx = Ctx(go_path, ctx.key_path, ctx.squashed_into or struct.name)
                for sub_key, sub_schema in self.struct_properties(resolved.struct, sub_ctx).items():
                    self._add_property(properties, sub_key, sub_schema, fld)
                continue
            sub_ctx = Ctx(go_path, (*ctx.key_path, key), ctx.squashed_into)
            prop = self.property_schema(struct, fld, resolved, sub_ctx)
            if comment:
                prop["$comment"] = comment
            self._add_property(properties, key, prop, fld)
        return properties

    @staticmethod
    def _add_property(properties: dict[str, JSON], key: str, prop: JSON, fld: GoField) -> None:
        if any(existing.lower() == key.lower() for existing in properties):
            raise GenError(f"{fld.file}:{fld.line}: duplicate key {key!r}")
        properties[key] = prop

    def property_schema(self, struct: GoStruct, fld: GoField, resolved: Resolved, ctx: Ctx) -> JSON:
        """Return the schema of one property (a $ref or an inline array/map)."""
        prop = self.type_schema(resolved, ctx)
        where = f"{fld.file}:{fld.line}"
        if ctx.squashed_into:
            where += f", squashed into {ctx.squashed_into}"
        parts = [f"Go: {struct.name}.{fld.name} ({where}), {fld.type_expr}."]
        default = self.default_for(fld, resolved, ctx)
        if default is not None:
            parts.append(default[0])
            if default[1] is not None:
                prop["default"] = default[1]
        note = FIELD_NOTES.get((struct.pkg, struct.name, fld.name))
        if note is not None:
            self.notes_used.add((struct.pkg, struct.name, fld.name))
            self._apply_note(prop, note, parts, fld.file)
        if fld.doc:
            parts.append(f"Upstream comment: {fld.doc}")
        return {"description": " ".join(parts), **prop}

    def _apply_note(self, prop: JSON, note: FieldNote, parts: list[str], scope: str) -> None:
        evidence = [f"{path}:{self.tree.find_line(path, rx)}" for path, rx in note.evidence]
        parts.append(note.note + (f" See {', '.join(evidence)}." if evidence else ""))
        values: list[str] = list(note.enum_literals)
        for const in note.enum_consts:
            value = self.evaluator.evaluate(const, scope)
            if value.kind != "string":
                raise GenError(f"enum constant {const} did not evaluate to a string")
            values.append(str(value.value))
        if values:
            prop["enum"] = [*values, *([""] if note.allow_empty else []), None]

    def type_schema(self, resolved: Resolved, ctx: Ctx) -> JSON:
        """Return the schema for a resolved type (without description)."""
        if resolved.kind == "leaf":
            self._ensure_leaf(resolved.leaf)
            return {"$ref": f"#/$defs/{resolved.leaf}"}
        if resolved.kind in ("array", "map") and resolved.elem is not None:
            item_ctx = Ctx((*ctx.go_path, "[]"), (*ctx.key_path, "[]"))
            items = self.type_schema(resolved.elem, item_ctx)
            if resolved.kind == "array":
                return {"type": _nullable("array"), "items": items}
            return {"type": _nullable("object"), "additionalProperties": items}
        if resolved.struct is None:
            raise GenError(f"cannot build schema for {resolved}")
        return {"$ref": f"#/$defs/{self._ensure_struct(resolved.struct, ctx)}"}

    def _ensure_leaf(self, name: str) -> None:
        if name not in self.defs:
            self.defs[name] = leaf_schema(name, self.profile.yaml_strict)

    def _ensure_struct(self, struct: GoStruct, ctx: Ctx) -> str:
        name = struct.name
        clash = self.defs.get(name, {}).get("x-go-type")
        if clash is not None and clash != f"{struct.pkg}.{struct.name}":
            name = f"{struct.pkg.replace('/', '_')}_{struct.name}"
        if name in self.defs:
            return name
        self.defs[name] = {}  # placeholder against recursion
        single_use = self.struct_uses.get((struct.pkg, struct.name), 0) <= 1
        walk_ctx = Ctx(ctx.go_path if single_use else ("<shared>",), ctx.key_path)
        self.defs[name] = {
            "type": _nullable("object"),
            "additionalProperties": False,
            "description": f"Go struct {struct.name} ({struct.file}:{struct.line})."
            + ("" if single_use else " Used in several places; defaults are given per use."),
            "x-go-type": f"{struct.pkg}.{struct.name}",
            "properties": self.struct_properties(struct, walk_ctx),
        }
        return name

    # ---- defaults --------------------------------------------------------------------------

    def _literal_at(self, go_path: tuple[str, ...]) -> LitNode | None:
        node: LitNode = self.defaults
        for part in go_path:
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node

    def default_for(self, fld: GoField, resolved: Resolved, ctx: Ctx) -> tuple[str, Any] | None:
        """Return (description text, JSON default or None) for a field, if known."""
        if ctx.go_path and ctx.go_path[0] == "<shared>":
            return None
        if fld.file.startswith("cmd/dependency/base/"):
            key = fld.tags.get("mapstructure", "").split(",")[0]
            if key in self.cobra_defaults:
                value = self.cobra_defaults[key]
                return f"Default: {json.dumps(value)} (cobra root flag, {COBRA_FLAGS_FILE}).", value
        node = self._literal_at(ctx.go_path)
        if node is None:
            return None
        if resolved.kind == "struct":
            return self._struct_default(resolved, node)
        value = self._leaf_default(resolved, node, fld)
        if value is None:
            return None
        text, json_value = value
        return f"Default: {text}.", json_value

    def _struct_default(self, resolved: Resolved, node: LitNode) -> tuple[str, Any] | None:
        if resolved.struct is None or not isinstance(node, dict):
            return None
        single_use = self.struct_uses.get((resolved.struct.pkg, resolved.struct.name), 0) <= 1
        if single_use:
            return None
        value = self._struct_default_object(resolved.struct, node)
        if not value:
            return None
        return f"Default here: {json.dumps(value)}.", value

    def _struct_default_object(self, struct: GoStruct, node: dict[str, LitNode]) -> JSON:
        result: JSON = {}
        for fld in struct.fields:
            key, squash, _ = self.field_key(fld)
            if key is None or fld.name not in node:
                continue
            resolved = self.resolve(fld.type_expr, fld.file)
            sub = node[fld.name]
            if squash and resolved.struct is not None and isinstance(sub, dict):
                result.update(self._struct_default_object(resolved.struct, sub))
            elif resolved.struct is not None and isinstance(sub, dict):
                nested = self._struct_default_object(resolved.struct, sub)
                if nested:
                    result[key] = nested
            else:
                leaf = self._leaf_default(resolved, sub, fld)
                if leaf is not None and leaf[1] is not None:
                    result[key] = leaf[1]
        return result

    def _leaf_default(
        self, resolved: Resolved, node: LitNode, fld: GoField
    ) -> tuple[str, Any] | None:
        if isinstance(node, dict):
            if resolved.leaf == "tcpListenPortRange":
                pairs = {
                    k.lower(): self.evaluator.evaluate(str(v), self.profile.defaults_file)
                    for k, v in node.items()
                }
                obj = {k: v.value for k, v in pairs.items()}
                return (json.dumps(obj) if obj else "{start: 0} (port 0)"), (obj or 0)
            if len(node) == 1:
                inner = next(iter(node.values()))
                if isinstance(inner, str):
                    return self._render_value(
                        self.evaluator.evaluate(inner, self.profile.defaults_file), resolved
                    )
            return None
        return self._render_value(
            self.evaluator.evaluate(node, self.profile.defaults_file), resolved
        )

    @staticmethod
    def _render_value(value: GoValue, resolved: Resolved) -> tuple[str, Any] | None:
        if value.kind == "runtime":
            return f"computed at run time ({value.source})", None
        if value.kind == "duration":
            text = format_duration(int(value.value))
            return f"{text} ({value.source})", text
        if value.kind == "bytes":
            size = int(value.value)
            return f"{size} = {format_bytes(size)} ({value.source})", size
        if resolved.leaf == "duration" and value.kind == "int":
            text = format_duration(int(value.value))
            return f"{text} ({value.source})", text
        suffix = "" if value.source == json.dumps(value.value) else f" ({value.source})"
        return f"{json.dumps(value.value)}{suffix}", value.value

    def _cobra_defaults(self) -> dict[str, Any]:
        text = self.tree.show(COBRA_FLAGS_FILE)
        result: dict[str, Any] = {}
        for kind, name, expr in re.findall(
            r'flags\.(Bool|Int|String)\("([^"]+)",\s*([^,]+(?:\([^)]*\))?),', text
        ):
            if name == "config":
                continue
            if kind == "Bool":
                result[name] = expr.strip() == "true"
            elif kind == "Int":
                result[name] = int(expr)
            elif expr.startswith('"'):
                result[name] = json.loads(expr)
            else:
                # service-name: fmt.Sprintf("%s-%s", "dragonfly", cmd.Name()), cmd = root command
                result[name] = f"dragonfly-{self.profile.root_command}"
        return result


# --------------------------------------------------------------------------------------------
# Entry point.
# --------------------------------------------------------------------------------------------


def generate(git_dir: Path, tag: str, out_dir: Path) -> list[Path]:
    """Generate all schemas and return the written paths."""
    tree = GitTree(git_dir, tag)
    parser = GoParser(tree)
    written: list[Path] = []
    used_notes: set[tuple[str, str, str]] = set()
    relevant_notes: set[tuple[str, str, str]] = set()
    out_dir.mkdir(parents=True, exist_ok=True)
    for profile in PROFILES:
        builder = SchemaBuilder(parser, tree, profile)
        schema = builder.build()
        used_notes |= builder.notes_used
        relevant_notes |= {k for k in FIELD_NOTES if k[0] == profile.root_pkg}
        path = out_dir / f"{profile.name}.schema.json"
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    stale = relevant_notes - used_notes
    if stale:
        raise GenError(f"FIELD_NOTES entries that match no field: {sorted(stale)}")
    return written


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--git-dir", type=Path, required=True, help="Dragonfly2 git directory")
    parser.add_argument("--tag", required=True, help="git tag, e.g. v2.1.28")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    args = parser.parse_args(argv)
    try:
        for path in generate(args.git_dir, args.tag, args.out):
            print(path)
    except (GenError, subprocess.CalledProcessError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
