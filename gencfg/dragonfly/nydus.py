"""nydus releases and the nydusd config family each one reads."""

from __future__ import annotations

import re
from typing import Literal

Family = Literal["mirrors", "proxy"]

_VERSION = re.compile(r"^v?([0-9]+)\.([0-9]+)\.([0-9]+)$")
MIRRORS_FIRST = (2, 1, 1)
"""mirrors[] with ping_url/health_check_interval/failure_limit appeared in nydus v2.1.1."""
MIRRORS_REMOVED = (2, 3, 5)
"""nydus v2.3.5 dropped mirrors (commit "Remove mirrors configuration"); it ignores the key."""


def family(version: str) -> Family:
    """Which backend entry nydusd ``version`` honours for a Dragonfly peer."""
    match = _VERSION.match(version)
    if match is None:
        raise ValueError(f"not a nydus version: {version!r}")
    release = tuple(int(g) for g in match.groups())
    return "mirrors" if MIRRORS_FIRST <= release < MIRRORS_REMOVED else "proxy"
