"""The resolved inventory: typed, with every default and layer applied.

Field names are the inventory's key names, so a reader can go from a model field to
the schema (schemas/inventory.schema.json) and back. Every object keeps the JSON path
of its inventory node so problems can point at a file, line and column.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from typing import Any, Literal

from gencfg.dragonfly import releases
from gencfg.inventory.source import JsonPath

Component = Literal["manager", "scheduler", "seed_peer"]
RuntimeName = Literal["containerd", "docker", "nydus"]
OverrideTarget = Literal["manager", "scheduler", "seed_peer", "peer"]

SECRET_PLACEHOLDER = "@@GENCFG_SECRET:{name}@@"


@dataclasses.dataclass(frozen=True, slots=True)
class SecretRef:
    """A reference to a secret; rendered as a placeholder, filled in at push time."""

    name: str
    path: JsonPath

    @property
    def placeholder(self) -> str:
        """The text that stands for the secret in rendered files."""
        return SECRET_PLACEHOLDER.format(name=self.name)


@dataclasses.dataclass(frozen=True, slots=True)
class Layer:
    """One inventory layer's raw override mapping and where it is."""

    data: dict[str, Any]
    path: JsonPath


@dataclasses.dataclass(frozen=True, slots=True)
class ProxyRule:
    """One dfdaemon proxy rule (proxy.proxies[])."""

    regx: str
    use_https: bool = False
    direct: bool = False
    redirect: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class Resources:
    """CPU and memory requests and limits (Kubernetes quantities as strings)."""

    requests: dict[str, str]
    limits: dict[str, str]


@dataclasses.dataclass(frozen=True, slots=True)
class Dfdaemon:
    """Resolved dfdaemon settings; ``origins`` maps each key to the layer that set it."""

    cache_dir: str
    data_dir: str
    log_dir: str
    total_rate_limit: int | str
    per_peer_rate_limit: int | str
    upload_rate_limit: int | str
    piece_download_timeout: str
    calculate_digest: bool
    proxy_rules: tuple[ProxyRule, ...]
    task_expire_time: str
    disk_gc_threshold: int | str | None
    disk_gc_threshold_percent: float | None
    resources: Resources
    origins: dict[str, JsonPath]


@dataclasses.dataclass(frozen=True, slots=True)
class Kubernetes:
    """Where a VPC's node-group manifests are applied."""

    namespace: str
    kubeconfig: str | None
    context: str | None


@dataclasses.dataclass(frozen=True, slots=True)
class Retry:
    """How long and how often a failing or unreachable host is retried (Go durations)."""

    max_duration: str
    interval: str
    path: JsonPath


@dataclasses.dataclass(frozen=True, slots=True)
class Rollout:
    """Batching, failure budget, retry and health-check policy of the playbooks."""

    batch_size: int | str
    canary: int
    max_fail_percentage: int
    health_timeout: str
    health_interval: str
    ssh_user: str
    ssh_port: int
    become: bool
    restart_docker_without_live_restore: bool
    retry: Retry | None
    """None: fail fast (a host fails at once)."""


@dataclasses.dataclass(frozen=True, slots=True)
class Lb:
    """A VPC's load balancer."""

    internal_ip: str
    public_ip: str | None
    path: JsonPath


@dataclasses.dataclass(frozen=True, slots=True)
class Mysql:
    """The manager's MySQL database."""

    host: str
    port: int
    user: str
    password: SecretRef
    dbname: str
    tls_config: str | None
    path: JsonPath


@dataclasses.dataclass(frozen=True, slots=True)
class Redis:
    """The Redis shared by a VPC's managers and schedulers."""

    addrs: tuple[str, ...]
    master_name: str
    username: str
    password: SecretRef | None
    db: int
    broker_db: int
    backend_db: int
    network_topology_db: int
    path: JsonPath


@dataclasses.dataclass(frozen=True, slots=True)
class Host:
    """A Kubernetes node listed for runtime file pushes."""

    name: str
    ip: str
    path: JsonPath


@dataclasses.dataclass(frozen=True, slots=True)
class ControlPlaneVm:
    """A VM running manager, scheduler and/or seed peer with docker compose."""

    name: str
    ip: str
    components: frozenset[Component]
    manager_address: Literal["self", "lb"]
    compose_dir: str
    data_dir: str
    seed_peer: Dfdaemon
    overrides: dict[OverrideTarget, tuple[Layer, ...]]
    path: JsonPath

    def runs(self, component: Component) -> bool:
        """Whether the VM runs ``component``."""
        return component in self.components


@dataclasses.dataclass(frozen=True, slots=True)
class PreheatImage:
    """An image to preheat into a VPC's seed peers."""

    image: str
    size: int | None
    platform: str | None
    path: JsonPath


@dataclasses.dataclass(frozen=True, slots=True)
class Prepull:
    """OpenKruise ImageListPullJob settings of a node group (None fields: Kruise defaults)."""

    parallelism: int
    timeout_seconds: int
    backoff_limit: int
    active_deadline_seconds: int | None
    ttl_seconds_after_finished: int
    path: JsonPath


@dataclasses.dataclass(frozen=True, slots=True)
class Preheat:
    """How a VPC's images are preheated through its manager."""

    images: tuple[PreheatImage, ...]
    token: SecretRef | None
    timeout: str
    interval: str
    path: JsonPath


@dataclasses.dataclass(frozen=True, slots=True)
class NodeGroup:
    """A Kubernetes node group running the peer as a DaemonSet."""

    name: str
    namespace: str
    node_selector: dict[str, str]
    runtimes: tuple[RuntimeName, ...]
    nodes: tuple[Host, ...]
    peer: Dfdaemon
    overrides: dict[OverrideTarget, tuple[Layer, ...]]
    prepull: Prepull | None
    path: JsonPath


@dataclasses.dataclass(frozen=True, slots=True)
class PeerVm:
    """A plain VM running the peer in a container."""

    name: str
    ip: str
    engine: Literal["nerdctl", "docker"]
    runtimes: tuple[RuntimeName, ...]
    compose_dir: str
    peer: Dfdaemon
    overrides: dict[OverrideTarget, tuple[Layer, ...]]
    path: JsonPath


@dataclasses.dataclass(frozen=True, slots=True)
class RegistryCredentials:
    """A registry login: the user name, and the password as a secret reference."""

    username: str
    password: SecretRef


@dataclasses.dataclass(frozen=True, slots=True)
class Registry:
    """A registry whose pulls go through Dragonfly."""

    host: str
    upstream: str
    capabilities: tuple[str, ...]
    skip_verify: bool
    ca: tuple[str, ...]
    preheat: bool
    credentials: RegistryCredentials | None
    path: JsonPath


@dataclasses.dataclass(frozen=True, slots=True)
class HijackCa:
    """CA used by dfdaemon to intercept HTTPS in proxy mode."""

    cert: str
    key: str


@dataclasses.dataclass(frozen=True, slots=True)
class Runtimes:
    """VPC-wide runtime integration settings."""

    certs_dir: str
    fallback_to_origin: bool
    containerd_version: str | None
    docker_live_restore: bool | None
    docker_no_proxy: tuple[str, ...]
    docker_hijack_ca: HijackCa | None
    nydus_version: str | None
    nydus_config_path: str
    nydus_mirrors_dir: str
    path: JsonPath


@dataclasses.dataclass(frozen=True, slots=True)
class Vpc:
    """One VPC: one scheduler cluster and everything in it."""

    name: str
    cidr: ipaddress.IPv4Network
    cidr_text: str
    scheduler_cluster_id: int
    seed_peer_cluster_id: int
    idc: str
    location: str
    lb: Lb
    mysql: Mysql
    redis: Redis
    control_plane: tuple[ControlPlaneVm, ...]
    node_groups: tuple[NodeGroup, ...]
    peer_vms: tuple[PeerVm, ...]
    registries: tuple[Registry, ...]
    runtimes: Runtimes
    kubernetes: Kubernetes
    preheat: Preheat
    largest_image: int | None
    """Bytes of the largest image the VPC distributes, if declared (preheat or max_image_size)."""
    large_images: bool
    """Whether the large-image profile applies (see inventory/defaults.py)."""
    path: JsonPath

    def with_component(self, component: Component) -> tuple[ControlPlaneVm, ...]:
        """The control-plane VMs running ``component``."""
        return tuple(vm for vm in self.control_plane if vm.runs(component))

    def peers(self) -> tuple[NodeGroup | PeerVm, ...]:
        """Node groups and peer VMs: everything running an ordinary peer."""
        return (*self.node_groups, *self.peer_vms)

    def peers_using(self, runtime: RuntimeName) -> tuple[NodeGroup | PeerVm, ...]:
        """Node groups and peer VMs whose ``runtime`` pulls through Dragonfly."""
        return tuple(p for p in self.peers() if runtime in p.runtimes)

    def override_owners(self) -> tuple[ControlPlaneVm | NodeGroup | PeerVm, ...]:
        """Everything that carries overrides below the VPC layer."""
        return (*self.control_plane, *self.node_groups, *self.peer_vms)


@dataclasses.dataclass(frozen=True, slots=True)
class Deployment:
    """The whole resolved inventory."""

    name: str
    version: str
    image_registry: str
    jwt_key: SecretRef | None
    console: bool
    verbose: bool
    metrics: bool
    max_image_size: int | None
    rollout: Rollout
    secrets: dict[str, str]
    vpcs: tuple[Vpc, ...]
    path: JsonPath = ("deployment",)
    client_version: str | None = None
    """The Rust client release on the current line (None on v2.1: dfdaemon has its version)."""

    @property
    def line(self) -> releases.Line:
        """The template line of the pinned release.

        v2.1 for a release gencfg does not support, which the pinned-version check
        rejects before anything is rendered.
        """
        return releases.line_of(self.version) or releases.V2_1

    def image(self, component: str) -> str:
        """Pinned image reference of a Dragonfly component (manager, scheduler, dfdaemon)."""
        return f"{self.image_registry}/{component}:{self.version}"

    @property
    def peer_image(self) -> str:
        """Pinned image of the peers and seeds: v2.1's dfdaemon, or the Rust client."""
        line = self.line
        tag = self.client_version if line.rust_client and self.client_version else self.version
        return f"{self.image_registry}/{line.peer_image}:{tag}"
