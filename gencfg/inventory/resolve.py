"""Schema-valid inventory data -> typed model, with defaults and layers applied."""

from __future__ import annotations

import ipaddress
from typing import Any, cast

from gencfg.dragonfly import releases
from gencfg.inventory import defaults
from gencfg.inventory.model import (
    ControlPlaneVm,
    Deployment,
    Dfdaemon,
    HijackCa,
    Host,
    Kubernetes,
    Layer,
    Lb,
    Mysql,
    NodeGroup,
    OverrideTarget,
    PeerVm,
    Preheat,
    PreheatImage,
    Prepull,
    ProxyRule,
    Redis,
    Registry,
    RegistryCredentials,
    Resources,
    Retry,
    Rollout,
    RuntimeName,
    Runtimes,
    SecretRef,
    Vpc,
)
from gencfg.inventory.source import JsonPath
from gencfg.merge import deep_merge
from gencfg.units import parse_size

Data = dict[str, Any]
Scope = list[tuple[Data, JsonPath]]
"""The enclosing layers of an object, most general first: (data, json path) pairs."""

_ALL_COMPONENTS = ("manager", "scheduler", "seed_peer")


def _secret(data: Data | None, path: JsonPath) -> SecretRef | None:
    return SecretRef(data["secret"], path) if data else None


def _layered(base: Data, scope: Scope, key: str) -> tuple[Data, dict[str, JsonPath]]:
    """Merge ``key`` of every layer in ``scope`` over ``base``; remember who set what."""
    merged = dict(base)
    origins: dict[str, JsonPath] = {}
    for data, path in scope:
        layer = data.get(key) or {}
        merged = deep_merge(merged, layer)
        origins.update({k: (*path, key, k) for k in layer})
    return merged, origins


def _dfdaemon(base: Data, scope: Scope, key: str) -> Dfdaemon:
    s, origins = _layered(base, scope, key)
    resources = s["resources"]
    return Dfdaemon(
        cache_dir=s["cache_dir"],
        data_dir=s["data_dir"],
        log_dir=s["log_dir"],
        total_rate_limit=s["total_rate_limit"],
        per_peer_rate_limit=s["per_peer_rate_limit"],
        upload_rate_limit=s["upload_rate_limit"],
        piece_download_timeout=s["piece_download_timeout"],
        calculate_digest=s["calculate_digest"],
        proxy_rules=tuple(ProxyRule(**r) for r in s["proxy_rules"]),
        task_expire_time=s["task_expire_time"],
        disk_gc_threshold=s["disk_gc_threshold"],
        disk_gc_threshold_percent=s["disk_gc_threshold_percent"],
        resources=Resources(
            requests={k: str(v) for k, v in resources.get("requests", {}).items()},
            limits={k: str(v) for k, v in resources.get("limits", {}).items()},
        ),
        origins=origins,
    )


def _overrides(
    scope: Scope, targets: tuple[OverrideTarget, ...]
) -> dict[OverrideTarget, tuple[Layer, ...]]:
    out: dict[OverrideTarget, tuple[Layer, ...]] = {}
    for target in targets:
        out[target] = tuple(
            Layer(data["overrides"][target], (*path, "overrides", target))
            for data, path in scope
            if target in data.get("overrides", {})
        )
    return out


def _kubernetes(scope: Scope) -> Kubernetes:
    merged, _ = _layered({"namespace": defaults.NAMESPACE}, scope, "kubernetes")
    return Kubernetes(merged["namespace"], merged.get("kubeconfig"), merged.get("context"))


def _control_plane_vm(
    data: Data, path: JsonPath, scope: Scope, large: bool, line: str
) -> ControlPlaneVm:
    components = data.get("components", list(_ALL_COMPONENTS))
    data_dir = data.get("data_dir", defaults.CONTROL_PLANE_DATA_DIR)
    seed = releases.BY_NAME[line].seed_dir
    seed_base = {
        **_base(defaults.seed_peer(line), defaults.SEED_PEER_LARGE, large),
        "cache_dir": f"{data_dir}/{seed}/cache",
        "data_dir": f"{data_dir}/{seed}/data",
        "log_dir": f"{data_dir}/log/{seed}",
    }
    own = [*scope, (data, path)]
    return ControlPlaneVm(
        name=data["name"],
        ip=data["ip"],
        components=frozenset(components),
        manager_address=data.get("manager_address", "self" if "manager" in components else "lb"),
        compose_dir=data.get("compose_dir", defaults.COMPOSE_DIR),
        data_dir=data_dir,
        seed_peer=_dfdaemon(seed_base, own, "seed_peer"),
        overrides=_overrides(own, ("manager", "scheduler", "seed_peer")),
        path=path,
    )


def _base(normal: Data, large_profile: Data, large: bool) -> Data:
    """Built-in dfdaemon defaults, with the large-image profile applied when it applies."""
    return deep_merge(normal, large_profile) if large else dict(normal)


def _runtimes_of(data: Data) -> tuple[RuntimeName, ...]:
    return tuple(cast(list[RuntimeName], data.get("runtimes", list(defaults.PEER_RUNTIMES))))


def _node_group(
    data: Data, path: JsonPath, scope: Scope, namespace: str, *, large: bool, line: str
) -> NodeGroup:
    own = [*scope, (data, path)]
    return NodeGroup(
        name=data["name"],
        namespace=data.get("namespace", namespace),
        node_selector=dict(data.get("node_selector", {})),
        runtimes=_runtimes_of(data),
        nodes=tuple(
            Host(n["name"], n["ip"], (*path, "nodes", i))
            for i, n in enumerate(data.get("nodes", []))
        ),
        peer=_dfdaemon(_base(defaults.peer(line), defaults.PEER_LARGE, large), own, "peer"),
        overrides=_overrides(own, ("peer",)),
        prepull=_prepull(data.get("prepull"), (*path, "prepull")),
        path=path,
    )


def _peer_vm(data: Data, path: JsonPath, scope: Scope, large: bool, line: str) -> PeerVm:
    own = [*scope, (data, path)]
    return PeerVm(
        name=data["name"],
        ip=data["ip"],
        engine=data.get("engine", "nerdctl"),
        runtimes=_runtimes_of(data),
        compose_dir=data.get("compose_dir", defaults.COMPOSE_DIR),
        peer=_dfdaemon(_base(defaults.peer(line), defaults.PEER_LARGE, large), own, "peer"),
        overrides=_overrides(own, ("peer",)),
        path=path,
    )


def _registry(data: Data, path: JsonPath) -> Registry:
    return Registry(
        host=data["host"],
        upstream=data.get("upstream", defaults.upstream_of(data["host"])).rstrip("/"),
        capabilities=tuple(data.get("capabilities", defaults.REGISTRY_CAPABILITIES)),
        skip_verify=data.get("skip_verify", False),
        ca=tuple(data.get("ca", [])),
        preheat=data.get("preheat", True),
        credentials=RegistryCredentials(
            username=data["credentials"]["username"],
            password=SecretRef(
                data["credentials"]["password"]["secret"], (*path, "credentials", "password")
            ),
        )
        if "credentials" in data
        else None,
        path=path,
    )


def _runtimes(data: Data, path: JsonPath) -> Runtimes:
    containerd = data.get("containerd", {})
    docker = data.get("docker", {})
    nydus = data.get("nydus", {})
    ca = docker.get("hijack_ca")
    return Runtimes(
        certs_dir=containerd.get("certs_dir", defaults.CERTS_DIR),
        fallback_to_origin=containerd.get("fallback_to_origin", True),
        containerd_version=containerd.get("version"),
        docker_live_restore=docker.get("live_restore"),
        docker_no_proxy=tuple(docker.get("no_proxy", [])),
        docker_hijack_ca=HijackCa(ca["cert"], ca["key"]) if ca else None,
        nydus_version=nydus.get("version"),
        nydus_config_path=nydus.get("config_path", defaults.NYDUS_CONFIG_PATH),
        nydus_mirrors_dir=nydus.get("mirrors_dir", defaults.NYDUS_MIRRORS_DIR),
        path=path,
    )


def _preheat(data: Data, path: JsonPath) -> Preheat:
    spec = data.get("preheat", {})
    ppath = (*path, "preheat")
    return Preheat(
        images=tuple(
            PreheatImage(
                image=img["image"],
                size=parse_size(img["size"]) if "size" in img else None,
                platform=img.get("platform"),
                path=(*ppath, "images", i),
            )
            for i, img in enumerate(spec.get("images", []))
        ),
        token=_secret(spec.get("token"), (*ppath, "token")),
        timeout=spec.get("timeout", defaults.PREHEAT_TIMEOUT),
        interval=spec.get("interval", defaults.PREHEAT_INTERVAL),
        path=ppath,
    )


def _prepull(data: Data | None, path: JsonPath) -> Prepull | None:
    if data is None:
        return None
    return Prepull(
        parallelism=data.get("parallelism", 1),
        timeout_seconds=data.get("timeout_seconds", defaults.PREPULL_TIMEOUT_SECONDS),
        backoff_limit=data.get("backoff_limit", 3),
        active_deadline_seconds=data.get("active_deadline_seconds"),
        ttl_seconds_after_finished=data.get(
            "ttl_seconds_after_finished", defaults.PREPULL_TTL_SECONDS
        ),
        path=path,
    )


def _vpc(data: Data, path: JsonPath, top: Scope, max_image_size: int | None, line: str) -> Vpc:
    scope = [*top, (data, path)]
    preheat = _preheat(data, path)
    sizes = [s for s in (max_image_size, *(img.size for img in preheat.images)) if s is not None]
    largest = max(sizes) if sizes else None
    large = largest is not None and largest >= defaults.LARGE_IMAGE
    db = data["database"]
    mysql, redis = db["mysql"], db["redis"]
    mpath, rpath = (*path, "database", "mysql"), (*path, "database", "redis")
    kubernetes = _kubernetes(scope)
    password = _secret(mysql["password"], (*mpath, "password"))
    assert password is not None  # required by the schema
    return Vpc(
        name=data["name"],
        cidr=ipaddress.IPv4Network(data["cidr"], strict=False),
        cidr_text=data["cidr"],
        scheduler_cluster_id=data.get("scheduler_cluster_id", 1),
        seed_peer_cluster_id=data.get("seed_peer_cluster_id")
        or data.get("scheduler_cluster_id", 1),
        idc=data.get("idc", ""),
        location=data.get("location", ""),
        lb=Lb(data["lb"]["internal_ip"], data["lb"].get("public_ip"), (*path, "lb")),
        mysql=Mysql(
            host=mysql["host"],
            port=mysql.get("port", defaults.MYSQL_PORT),
            user=mysql["user"],
            password=password,
            dbname=mysql.get("dbname", defaults.MYSQL_DBNAME),
            tls_config=mysql.get("tls_config"),
            path=mpath,
        ),
        redis=Redis(
            addrs=tuple(redis["addrs"]),
            master_name=redis.get("master_name", ""),
            username=redis.get("username", ""),
            password=_secret(redis.get("password"), (*rpath, "password")),
            path=rpath,
            **{k: redis.get(k, v) for k, v in defaults.REDIS_DB.items()},
        ),
        control_plane=tuple(
            _control_plane_vm(vm, (*path, "control_plane", i), scope, large, line)
            for i, vm in enumerate(data["control_plane"])
        ),
        node_groups=tuple(
            _node_group(
                g, (*path, "node_groups", i), scope, kubernetes.namespace, large=large, line=line
            )
            for i, g in enumerate(data.get("node_groups", []))
        ),
        peer_vms=tuple(
            _peer_vm(v, (*path, "peer_vms", i), scope, large, line)
            for i, v in enumerate(data.get("peer_vms", []))
        ),
        registries=tuple(
            _registry(r, (*path, "registries", i)) for i, r in enumerate(data.get("registries", []))
        ),
        runtimes=_runtimes(data.get("runtimes", {}), (*path, "runtimes")),
        kubernetes=kubernetes,
        preheat=preheat,
        largest_image=largest,
        large_images=large,
        path=path,
    )


def resolve(data: Data) -> Deployment:
    """Build the model from a document that passed the inventory schema."""
    dep = data["deployment"]
    top: Scope = [(dep, ("deployment",))]
    rollout, _ = _layered(defaults.ROLLOUT, top, "rollout")
    retry = rollout["retry"]
    if retry is not None:
        rollout["retry"] = Retry(**retry, path=("deployment", "rollout", "retry"))
    max_image_size = parse_size(dep["max_image_size"]) if "max_image_size" in dep else None
    version = dep["dragonfly"]["version"]
    found = releases.line_of(version)
    line = found.name if found else releases.V2_1.name
    return Deployment(
        name=dep["name"],
        version=version,
        image_registry=dep["dragonfly"].get("image_registry", defaults.IMAGE_REGISTRY).rstrip("/"),
        jwt_key=_secret(dep.get("jwt_key"), ("deployment", "jwt_key")),
        console=dep.get("console", False),
        verbose=dep.get("verbose", False),
        metrics=dep.get("metrics", True),
        max_image_size=max_image_size,
        rollout=Rollout(**rollout),
        secrets={
            name: spec.get("description", "") for name, spec in data.get("secrets", {}).items()
        },
        vpcs=tuple(
            _vpc(v, ("vpcs", i), top, max_image_size, line) for i, v in enumerate(data["vpcs"])
        ),
        client_version=dep["dragonfly"].get("client_version") or releases.default_client(version),
    )
