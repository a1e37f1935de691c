"""Subcommand implementations: one module per command, each ``run(**options) -> int``."""

from __future__ import annotations

import argparse

from gencfg.cli.commands import checks, reference, validate


def run(args: argparse.Namespace) -> int:
    """Call the command named in ``args`` with its options as keyword arguments."""
    if args.command == "validate":
        return validate.run(inventory=args.inventory, fmt=args.format, strict=args.strict)
    if args.command == "reference":
        return reference.run()
    if args.command == "checks":
        return checks.run(check_id=args.id)
    raise AssertionError(f"unhandled command {args.command!r}")
