"""``gencfg checks``: list the semantic checks and their documentation."""

from __future__ import annotations

import inspect
import sys

from gencfg.checks import CHECKS
from gencfg.errors import UserError
from gencfg.exitcodes import ExitCode


def run(*, check_id: str | None) -> int:
    """Print one check (by id or by one of its codes) in full, or a line per check."""
    if check_id is not None:
        module = CHECKS.get(check_id) or next(
            (m for m in CHECKS.values() if check_id.upper() in m.CODES), None
        )
        if module is None:
            raise UserError(f"no check or code {check_id!r}; `gencfg checks` lists them")
        sys.stdout.write(inspect.getdoc(module) or "")
        sys.stdout.write("\n")
        return int(ExitCode.OK)
    for cid, module in CHECKS.items():
        codes = ", ".join(module.CODES)
        first = (inspect.getdoc(module) or "").splitlines()[0]
        sys.stdout.write(f"{cid:22} {codes:14} {first}\n")
    return int(ExitCode.OK)
