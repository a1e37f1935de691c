"""Built-in defaults: the first (most general) layer of every setting.

Values follow the Dragonfly v2.1 docker-compose templates and Helm chart 1.1.12, except
where those are unsafe or wrong for production (see docs/inventory.md).
"""

from __future__ import annotations

from typing import Any, Final

PEER: Final[dict[str, Any]] = {
    "cache_dir": "/data/dfget/cache",
    "data_dir": "/data/dfget/data",
    "log_dir": "/var/log/dragonfly/daemon",
    "total_rate_limit": "1024Mi",
    "per_peer_rate_limit": "512Mi",
    "upload_rate_limit": "1024Mi",
    "piece_download_timeout": "30s",
    "calculate_digest": True,
    "proxy_rules": [{"regx": "blobs/sha256.*"}],
    "task_expire_time": "6h",
    "disk_gc_threshold": None,
    "disk_gc_threshold_percent": None,
    "resources": {
        "requests": {"cpu": "500m", "memory": "512Mi"},
        "limits": {"cpu": "2", "memory": "2Gi"},
    },
}

# Seed peers serve every peer of the VPC on a cold start: twice the bandwidth.
SEED_PEER: Final[dict[str, Any]] = {
    **PEER,
    "total_rate_limit": "2048Mi",
    "per_peer_rate_limit": "1024Mi",
    "upload_rate_limit": "2048Mi",
    "resources": {
        "requests": {"cpu": "1", "memory": "2Gi"},
        "limits": {"cpu": "2", "memory": "4Gi"},
    },
}

# The current line's Rust client fetches a piece with one timeout for source and parents;
# its code default (v1.4) and the v2.5 chart's peers use 360s.
LINE_PEER: Final[dict[str, dict[str, Any]]] = {"v2.5": {"piece_download_timeout": "360s"}}


def peer(line: str) -> dict[str, Any]:
    """Built-in peer defaults of a template line."""
    return {**PEER, **LINE_PEER.get(line, {})}


def seed_peer(line: str) -> dict[str, Any]:
    """Built-in seed (peer or client) defaults of a template line."""
    return {**SEED_PEER, **LINE_PEER.get(line, {})}


# The large-image profile: images of LARGE_IMAGE bytes and more. Pieces of big files are
# up to 15 MiB and are fetched from busy parents; 30s per piece fails such preheats with
# "error decoding response body" (dragonfly#3890, #3675). Resources as used in practice.
LARGE_IMAGE: Final = 20 * 1024**3
LARGE_PIECE_TIMEOUT: Final = "600s"
PEER_LARGE: Final[dict[str, Any]] = {
    "piece_download_timeout": LARGE_PIECE_TIMEOUT,
    "resources": {
        "requests": {"cpu": "2", "memory": "4Gi"},
        "limits": {"cpu": "8", "memory": "16Gi"},
    },
}
SEED_PEER_LARGE: Final[dict[str, Any]] = {
    "piece_download_timeout": LARGE_PIECE_TIMEOUT,
    "resources": {
        "requests": {"cpu": "4", "memory": "8Gi"},
        "limits": {"cpu": "16", "memory": "32Gi"},
    },
}

ROLLOUT: Final[dict[str, Any]] = {
    "batch_size": "20%",
    "canary": 1,
    "max_fail_percentage": 0,
    "health_timeout": "5m",
    "health_interval": "5s",
    "ssh_user": "root",
    "ssh_port": 22,
    "become": False,
    "restart_docker_without_live_restore": False,
    "retry": None,  # fail fast
}

PREHEAT_TIMEOUT: Final = "1h"
PREHEAT_INTERVAL: Final = "10s"
PREPULL_TIMEOUT_SECONDS: Final = 600
# A finished pre-pull job stays a day for inspection, then Kruise deletes it (a job that
# is gone is applied again by the next rollout: a quick no-op pull of a present image).
PREPULL_TTL_SECONDS: Final = 86400

IMAGE_REGISTRY: Final = "docker.io/dragonflyoss"
NAMESPACE: Final = "dragonfly-system"
COMPOSE_DIR: Final = "/opt/dragonfly"
CONTROL_PLANE_DATA_DIR: Final = "/data/dragonfly"
CERTS_DIR: Final = "/etc/containerd/certs.d"
NYDUS_CONFIG_PATH: Final = "/etc/nydus/nydusd-config.fusedev.json"
NYDUS_MIRRORS_DIR: Final = "/etc/nydus/certs.d"
MYSQL_PORT: Final = 3306
MYSQL_DBNAME: Final = "manager"
REDIS_DB: Final = {"db": 0, "broker_db": 1, "backend_db": 2, "network_topology_db": 3}
REGISTRY_CAPABILITIES: Final = ("pull", "resolve")


def upstream_of(host: str) -> str:
    """Default API endpoint of a registry: Docker Hub's API is not at docker.io."""
    return "https://index.docker.io" if host == "docker.io" else f"https://{host}"


PEER_RUNTIMES: Final = ("containerd",)
