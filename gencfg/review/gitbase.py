"""Check out an inventory as it was at a git ref, without touching the work tree."""

from __future__ import annotations

import subprocess
from pathlib import Path

from gencfg.errors import UserError


def _git(cwd: Path, *args: str) -> bytes:
    try:
        result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=True)
    except FileNotFoundError as exc:
        raise UserError("--base needs git, which is not installed") from exc
    except subprocess.CalledProcessError as exc:
        message = exc.stderr.decode(errors="replace").strip().splitlines()
        raise UserError(f"git {' '.join(args[:2])}: {message[-1] if message else exc}") from exc
    return result.stdout


def inventory_at(ref: str, inventory: Path, dest: Path) -> Path | None:
    """Write the files of ``inventory`` as of ``ref`` under ``dest``.

    Returns the inventory path inside ``dest`` (mirroring ``inventory``), or None if the
    inventory did not exist at ``ref``.
    """
    start = inventory if inventory.is_dir() else inventory.parent
    top = Path(_git(start, "rev-parse", "--show-toplevel").decode().strip())
    rel = inventory.resolve().relative_to(top.resolve())
    _git(top, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    names = [
        n
        for n in _git(top, "ls-tree", "-r", "-z", "--name-only", ref, "--", rel.as_posix())
        .decode()
        .split("\0")
        if n
    ]
    if not names:
        return None
    for name in names:
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_git(top, "show", f"{ref}:{name}"))
    return dest / rel
