"""tools/dfschema: inline-snippet tests always; byte-for-byte regeneration with upstream clones."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

REPO = Path(__file__).resolve().parent.parent

sys.path.insert(0, str(REPO / "tools"))

from dfschema.cli import generate  # noqa: E402
from dfschema.gojson import BodySchemaBuilder  # noqa: E402
from dfschema.golang import GoParser  # noqa: E402
from dfschema.model import GenError, MemoryTree  # noqa: E402
from dfschema.profiles import LINES, RustProfile  # noqa: E402
from dfschema.rustbuild import RustSchemaBuilder  # noqa: E402

RUST_SRC = """\
use std::path::PathBuf;
use std::time::Duration;
use bytesize::ByteSize;

fn default_port() -> u16 {
    4001
}

fn default_timeout() -> Duration {
    Duration::from_secs(360)
}

fn default_limit() -> ByteSize {
    ByteSize::gb(50)
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub enum Kind {
    #[serde(rename = "normal")]
    Normal,

    #[default]
    #[serde(rename = "super")]
    Super,
}

#[derive(Debug, Clone, Validate, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Section {
    /// The port.
    #[serde(default = "default_port")]
    pub server_port: u16,

    #[serde(default = "default_timeout", with = "humantime_serde")]
    pub piece_timeout: Duration,

    #[serde(with = "bytesize_serde", default = "default_limit", alias = "oldLimit")]
    pub bandwidth_limit: ByteSize,

    #[serde(rename = "enableIPv6")]
    pub enable_ipv6: bool,

    #[validate(range(min = 1))]
    pub count: u32,

    pub ca_cert: Option<PathBuf>,

    #[serde(default, rename = "type")]
    pub kind: Kind,

    #[serde(skip)]
    pub internal: u32,
}

impl Default for Section {
    fn default() -> Self {
        Section {
            server_port: default_port(),
            piece_timeout: default_timeout(),
            bandwidth_limit: default_limit(),
            enable_ipv6: false,
            count: 8,
            ca_cert: None,
            kind: Kind::Normal,
            internal: 0,
        }
    }
}

#[derive(Debug, Clone, Default, Validate, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Config {
    #[validate]
    pub section: Section,
}

impl Config {
    pub async fn load(path: &PathBuf) -> Result<Config> {
        config.validate().or_err(ErrorType::ValidationError)?;
    }
}
"""

CARGO = 'serde_yaml = "0.9"\n'
PROFILE = RustProfile("demo", "Demo", "demo-config/src/demo.rs", "Config", "/etc/demo.yaml")


def rust_schema(source: str = RUST_SRC) -> dict[str, Any]:
    tree = MemoryTree({"Cargo.toml": CARGO, "demo-config/src/demo.rs": source})
    return RustSchemaBuilder(tree, PROFILE, LINES["v2.5"]).build()


def valid(schema: dict[str, Any], doc: Any) -> bool:
    return Draft202012Validator(schema).is_valid(doc)


def test_rust_keys_rename_alias_skip() -> None:
    props = rust_schema()["$defs"]["Section"]["properties"]
    assert set(props) == {
        "serverPort",
        "pieceTimeout",
        "bandwidthLimit",
        "oldLimit",
        "enableIPv6",
        "count",
        "caCert",
        "type",
    }
    assert props["serverPort"]["default"] == 4001
    assert props["pieceTimeout"]["default"] == "360s"
    assert props["bandwidthLimit"]["default"] == "50GB"
    assert props["type"]["default"] == "super"
    assert "impl Default for Section" in props["type"]["description"]
    assert "demo.rs:" in props["serverPort"]["description"]


def test_rust_case_sensitive_and_unknown_keys() -> None:
    schema = rust_schema()
    assert valid(schema, {"section": {"enableIPv6": True}})
    assert not valid(schema, {"section": {"enableIpv6": True}})
    assert not valid(schema, {"section": {"serverport": 1}})
    assert valid(schema, {"section": {"oldLimit": "10GiB"}})


def test_rust_null_struct_rejected_option_null_accepted() -> None:
    schema = rust_schema()
    assert not valid(schema, {"section": None})
    assert valid(schema, {"section": {}})
    assert valid(schema, {"section": {"caCert": None}})
    assert not valid(schema, {"section": {"count": None}})


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        *[("360s", True), ("1h 30m", True), ("5min", True), ("2d", True), ("200ms", True)],
        *[(360, False), ("1.5h", False), ("30", False), ("", False)],
    ],
)
def test_rust_duration_is_humantime_string(value: Any, ok: bool) -> None:
    assert valid(rust_schema(), {"section": {"pieceTimeout": value}}) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        *[(1024, True), ("50GB", True), ("50GiB", True), ("8mib", True), ("1.5 GB", True)],
        *[("50 XB", False), (-1, False), ("GB", False)],
    ],
)
def test_rust_bytesize(value: Any, ok: bool) -> None:
    assert valid(rust_schema(), {"section": {"bandwidthLimit": value}}) is ok


def test_rust_integer_ranges_enum_and_reached_validation() -> None:
    schema = rust_schema()
    assert not valid(schema, {"section": {"serverPort": 65536}})
    assert not valid(schema, {"section": {"serverPort": "4001"}})
    assert not valid(schema, {"section": {"count": 0}})
    assert valid(schema, {"section": {"count": 1, "type": "normal"}})
    assert not valid(schema, {"section": {"type": "strong"}})


def test_rust_validation_not_reached_without_parent_validate() -> None:
    schema = rust_schema(RUST_SRC.replace("    #[validate]\n    pub section", "    pub section"))
    prop = schema["$defs"]["Section"]["properties"]["count"]
    assert "minimum" not in prop or prop["minimum"] == 0
    assert "NOT enforced" in prop["description"]


def test_rust_unknown_type_is_an_error() -> None:
    with pytest.raises(GenError, match="no schema for Rust type"):
        rust_schema(RUST_SRC.replace("pub count: u32", "pub count: Mystery"))
    with pytest.raises(GenError, match=r"serde with="):
        rust_schema(RUST_SRC.replace(', with = "humantime_serde"', ""))


GO_SRC = """\
package config

import (
\t"time"
)

type Config struct {
\t// Port to listen on.
\tPort int `yaml:"port" mapstructure:"port"`
\tTimeout time.Duration `yaml:"timeout" mapstructure:"timeout"`
\tName *string `yaml:"name" mapstructure:"name"`
}
"""


def test_go_reader_fields_tags_and_lines() -> None:
    parser = GoParser(MemoryTree({"x/config/config.go": GO_SRC}))
    struct = parser.package("x/config").structs["Config"]
    assert [(f.name, f.type_expr, f.tags["mapstructure"], f.line) for f in struct.fields] == [
        ("Port", "int", "port", 9),
        ("Timeout", "time.Duration", "timeout", 10),
        ("Name", "*string", "name", 11),
    ]
    assert struct.fields[0].doc == "Port to listen on."
    assert parser.package("x/config").imports["x/config/config.go"]["time"] == "time"


GO_BODY_SRC = """\
package types

import (
\t"time"

\tcommonv2 "d7y.io/api/v2/pkg/apis/common/v2"
)

type Request struct {
\tType string `json:"type" binding:"required"`
\tArgs Args `json:"args" binding:"omitempty"`
\tIDs []uint `json:"ids" binding:"omitempty"`
\tSkipped string `json:"-"`
}

type Args struct {
\tKind string `json:"kind" binding:"required,oneof=image file"`
\tPiece *uint64 `json:"piece" binding:"omitempty,gte=4194304,lte=67108864"`
\tIPs []string `json:"ips" binding:"omitempty,gte=1,lte=3"`
\tTasks int64 `json:"tasks" binding:"omitempty,gte=1,lte=100"`
\tPeers int64 `json:"peers" binding:"omitempty,min=10,max=20"`
\tTimeout time.Duration `json:"timeout" binding:"omitempty"`
\tStore *commonv2.ObjectStorage `json:"store"`
}
"""


def body_schema(source: str = GO_BODY_SRC, external: bool = True) -> dict[str, Any]:
    from dfschema.gojson import ExternalType

    tree = MemoryTree({"m/types/types.go": source, "go.mod": "module d7y.io/dragonfly/v2\n"})
    ext = ExternalType({"type": ["object", "null"]}, "not derived", (("go.mod", "^module"),))
    builder = BodySchemaBuilder(
        GoParser(tree),
        tree,
        {},
        {},
        {"d7y.io/api/v2/pkg/apis/common/v2.ObjectStorage": ext} if external else {},
    )
    schema = builder.object_schema(builder.struct("m/types", "Request"))
    builder.check_all_used()
    return {**schema, "$defs": builder.defs}


@pytest.mark.parametrize(
    ("args", "ok"),
    [
        ({"kind": "image"}, True),
        ({"kind": "oci"}, False),  # oneof
        ({}, False),  # required
        ({"kind": "file", "Kind": "file"}, False),  # json tag spelling only
        ({"kind": "file", "piece": None}, True),  # *uint64 accepts null
        ({"kind": "file", "piece": 4194304}, True),
        ({"kind": "file", "piece": 0}, False),  # non-nil pointer is validated
        ({"kind": "file", "ips": []}, False),  # non-nil slice: gte=1 -> minItems
        ({"kind": "file", "ips": ["a", "b", "c", "d"]}, False),  # lte=3 -> maxItems
        ({"kind": "file", "tasks": 0}, True),  # omitempty: zero skips gte=1
        ({"kind": "file", "tasks": 101}, False),
        ({"kind": "file", "peers": 0}, True),  # omitempty: zero skips min=10
        ({"kind": "file", "peers": 5}, False),
        ({"kind": "file", "timeout": 3600000000000}, True),  # integer nanoseconds
        ({"kind": "file", "timeout": "1h"}, False),
        ({"kind": "file", "store": {"anything": 1}}, True),  # external: not derived
    ],
)
def test_go_json_binding_translation(args: dict[str, Any], ok: bool) -> None:
    schema = body_schema()
    assert schema["required"] == ["type"]
    assert set(schema["properties"]) == {"type", "args", "ids"}
    assert schema["$defs"]["args"]["required"] == ["kind"]
    errors = list(Draft202012Validator(schema).iter_errors({"type": "x", "args": args}))
    assert (not errors) is ok, errors


def test_go_json_unknown_binding_and_external_type_are_errors() -> None:
    with pytest.raises(GenError, match="not in the repository"):
        body_schema(external=False)
    with pytest.raises(GenError, match="unsupported binding validator 'email'"):
        body_schema(GO_BODY_SRC.replace('binding:"required"`', 'binding:"required,email"`'))
    assert Draft202012Validator(body_schema()).is_valid({"args": {"kind": "file"}}) is False


DRAGONFLY = os.environ.get("GENCFG_UPSTREAM_DRAGONFLY")
CLIENT = os.environ.get("GENCFG_UPSTREAM_CLIENT")


@pytest.mark.skipif(not DRAGONFLY, reason="set GENCFG_UPSTREAM_DRAGONFLY to a Dragonfly git dir")
@pytest.mark.parametrize(("tag", "line"), [("v2.1.28", "v2.1"), ("v2.5.1", "v2.5")])
def test_regenerate_byte_for_byte(tmp_path: Path, tag: str, line: str) -> None:
    assert DRAGONFLY is not None
    if LINES[line].rust_profiles and not CLIENT:
        pytest.skip("set GENCFG_UPSTREAM_CLIENT to a dragonflyoss/client git dir")
    client = Path(CLIENT) if CLIENT and LINES[line].rust_profiles else None
    written = generate(Path(DRAGONFLY), tag, tmp_path, client)
    assert written
    for path in written:
        committed = REPO / "schemas" / "dragonfly" / line / path.name
        assert path.read_bytes() == committed.read_bytes(), path.name
