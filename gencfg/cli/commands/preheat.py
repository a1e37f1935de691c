"""``gencfg preheat``: submit a rendered tree's preheat jobs and wait for them."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from gencfg.errors import UserError
from gencfg.exitcodes import ExitCode
from gencfg.preheat import submit, tree


def _managers(values: Sequence[str]) -> dict[str, str]:
    """``--manager VPC=URL`` options as {vpc: url}."""
    out: dict[str, str] = {}
    for value in values:
        vpc, sep, url = value.partition("=")
        if not sep or not vpc:
            raise UserError(
                f"--manager {value!r}: expected VPC=URL, e.g. vpc-a=http://127.0.0.1:8080"
            )
        out[vpc] = tree.manager_url(url, f"--manager {vpc}")
    return out


def run(
    *,
    rendered: Path,
    vpcs: Sequence[str],
    managers: Sequence[str],
    dry_run: bool,
    secrets_stdin: bool,
) -> int:
    """Submit the jobs (with ``dry_run``, only show them); the exit code of the outcome."""
    plans = tree.load(rendered, vpcs, _managers(managers))
    supplied = tree.read_secrets(sys.stdin) if secrets_stdin else {}
    tokens = tree.tokens(plans, os.environ, supplied)
    if not dry_run:
        plans = tree.with_secrets(plans, os.environ, supplied)
    if not plans:
        sys.stderr.write(f"{rendered}: no VPC has preheat jobs; nothing to do\n")
        return int(ExitCode.OK)
    runner = submit.Runner(plans, tokens, sys.stderr)
    outcomes = runner.dry_run() if dry_run else runner.run()
    sys.stdout.write(submit.table(outcomes))
    code = submit.exit_code(outcomes)
    if code != ExitCode.OK:
        failed = sum(o.state not in ("SUCCESS", "DRY-RUN") for o in outcomes)
        sys.stderr.write(f"gencfg: {failed} of {len(outcomes)} preheat job(s) did not succeed\n")
    return int(code)
