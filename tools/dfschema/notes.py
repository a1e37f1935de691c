"""Hand-maintained facts that are not visible in the Go struct declarations, per release line.

Each "evidence" is (file, regex); the generator cites the first matching line at the tag and
fails if the regex no longer matches, so a re-run against a newer tag flags stale facts. Notes are
kept per release line: a v2.1 note is reused for v2.5 only where its evidence still matches there.
"""

from __future__ import annotations

from dataclasses import dataclass

NoteKey = tuple[str, str, str]


@dataclass(frozen=True)
class FieldNote:
    """Extra schema facts for one Go field (package dir, struct, field)."""

    note: str = ""
    enum_consts: tuple[str, ...] = ()
    enum_literals: tuple[str, ...] = ()
    allow_empty: bool = False
    evidence: tuple[tuple[str, str], ...] = ()


TLS_POLICY_CONSTS = ("rpc.DefaultTLSPolicy", "rpc.ForceTLSPolicy", "rpc.PreferTLSPolicy")

NOTES_V21: dict[tuple[str, str, str], FieldNote] = {
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
NOTES_V21.update(
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


# v2.5 (checked at v2.5.1). Reused from v2.1 where the field and the evidence are unchanged; the
# TLS-policy, object-storage and dfget notes are gone with their fields, the DynConfig note cites a
# v2.1-era Helm chart and is not repeated, and the closed sets changed (polardb; no 'ml').
_REUSED_V25 = (
    ("manager/config", "GRPCConfig", "AdvertiseIP"),
    ("manager/config", "GRPCConfig", "ListenIP"),
    ("scheduler/config", "ServerConfig", "AdvertiseIP"),
    ("scheduler/config", "ServerConfig", "ListenIP"),
    ("manager/config", "SyncPeersConfig", "Interval"),
)
NOTES_V25: dict[NoteKey, FieldNote] = {key: NOTES_V21[key] for key in _REUSED_V25}
NOTES_V25.update(
    {
        ("manager/config", "DatabaseConfig", "Type"): FieldNote(
            note="Closed set: any other value fails start-up ('invalid database type').",
            enum_consts=(
                "DatabaseTypeMysql",
                "DatabaseTypeMariaDB",
                "DatabaseTypePostgres",
                "DatabaseTypePolardb",
            ),
            evidence=(
                ("manager/database/database.go", r"case config\.DatabaseTypePolardb:"),
                ("manager/database/database.go", r"invalid database type"),
            ),
        ),
        ("scheduler/config", "SchedulerConfig", "Algorithm"): FieldNote(
            note=(
                "Known values: default, plugin. Not a closed set: unknown values (and a plugin "
                "that fails to load) fall back to the default evaluator, so no enum."
            ),
            evidence=(("scheduler/scheduling/evaluator/evaluator.go", r"^func New\("),),
        ),
    }
)
