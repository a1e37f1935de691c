"""Per-user records of past rollouts, written whole or not at all."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from gencfg.errors import ExternalError


def write(path: Path, data: Any, what: str) -> None:
    """Write ``data`` as JSON to ``path`` atomically (a reader never sees half a record).

    Raises:
        ExternalError: naming ``what`` could not be written, and why; the rollout itself
            succeeded by then.
    """
    text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.NamedTemporaryFile(
            "w", dir=path.parent, prefix=".tmp-", suffix=".json", delete=False, encoding="utf-8"
        ) as tmp:
            tmp.write(text)
        Path(tmp.name).replace(path)
    except OSError as exc:
        raise ExternalError(
            f"the rollout succeeded, but its {what} could not be written to {path} ({exc})"
        ) from exc
