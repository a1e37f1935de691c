"""Values given through ``overrides`` are read in each line's format and checked like keys."""

from __future__ import annotations

from typing import Any

import pytest

from gencfg.checks import effective
from gencfg.dragonfly.concepts import read_duration, read_size
from gencfg.inventory.model import Dfdaemon, Layer, Resources


@pytest.mark.parametrize(
    ("value", "line", "size"),
    [
        ("1024Mi", "v2.1", 1024**3),
        ("2G", "v2.1", 2 * 1024**3),
        (1048576, "v2.1", 1048576),
        (-1, "v2.1", -1),
        ("2GiB", "v2.5", 2 * 1024**3),
        ("2GB", "v2.5", 2 * 1000**3),
        ("50 mb", "v2.5", 50 * 1000**2),
        ("512b", "v2.5", 512),
        (1000, "v2.5", 1000),
        ("lots", "v2.1", None),
        ("2 GiBs", "v2.5", None),
        (True, "v2.5", None),
    ],
)
def test_read_size(value: Any, line: str, size: int | None) -> None:
    assert read_size(value, line) == size


@pytest.mark.parametrize(
    ("value", "line", "seconds"),
    [
        ("1m30s", "v2.1", 90.0),
        (30_000_000_000, "v2.1", 30.0),
        ("2min", "v2.5", 120.0),
        ("1h 30m", "v2.5", 5400.0),
        ("360s", "v2.5", 360.0),
        ("1.5h", "v2.5", None),
        (360, "v2.5", None),
        ("1d", "v2.1", None),
        ("5 parsecs", "v2.5", None),
    ],
)
def test_read_duration(value: Any, line: str, seconds: float | None) -> None:
    assert read_duration(value, line) == seconds


def _settings() -> Dfdaemon:
    return Dfdaemon(
        cache_dir="/c",
        data_dir="/d",
        log_dir="/l",
        total_rate_limit="2Gi",
        per_peer_rate_limit="512Mi",
        upload_rate_limit="1Gi",
        piece_download_timeout="30s",
        calculate_digest=True,
        proxy_rules=(),
        task_expire_time="6h",
        disk_gc_threshold=None,
        disk_gc_threshold_percent=None,
        resources=Resources({}, {}),
        origins={"total_rate_limit": ("deployment", "peer", "total_rate_limit")},
    )


def test_the_last_override_wins_and_points_at_its_key() -> None:
    layers = [
        Layer({"download": {"totalRateLimit": "10Mi"}}, ("deployment", "overrides", "peer")),
        Layer(
            {"download": {"totalRateLimit": "4Gi", "pieceDownloadTimeout": "2m"}},
            ("vpcs", 0, "overrides", "peer"),
        ),
    ]
    s, keys, unreadable = effective.apply(_settings(), layers, "v2.1")
    assert s.total_rate_limit == 4 * 1024**3
    assert s.origins["total_rate_limit"] == (
        "vpcs",
        0,
        "overrides",
        "peer",
        "download",
        "totalRateLimit",
    )
    assert s.piece_download_timeout == "120s"
    assert s.per_peer_rate_limit == "512Mi" and "per_peer_rate_limit" not in s.origins
    assert keys == {
        "total_rate_limit": "download.totalRateLimit",
        "piece_download_timeout": "download.pieceDownloadTimeout",
    }
    assert unreadable == frozenset()


def test_current_line_keys_and_unreadable_values() -> None:
    layers = [Layer({"download": {"bandwidthLimit": "2GB", "pieceTimeout": 360}}, ("x",))]
    s, keys, unreadable = effective.apply(_settings(), layers, "v2.5")
    assert s.total_rate_limit == 2 * 1000**3
    assert keys["total_rate_limit"] == "download.bandwidthLimit"
    # a bare integer is no humantime duration: unknown, left to the output schema (GC402)
    assert unreadable == frozenset({"piece_download_timeout"})
    # v2.1's key means nothing on the current line
    s, keys, _ = effective.apply(
        _settings(), [Layer({"download": {"totalRateLimit": "1Mi"}}, ("x",))], "v2.5"
    )
    assert s.total_rate_limit == "2Gi" and keys == {}
