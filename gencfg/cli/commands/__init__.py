"""Subcommand implementations: one module per command, each ``run(**options) -> int``."""

from __future__ import annotations

import argparse

from gencfg.cli.commands import checks, diff, graph, reference, render, validate


def run(args: argparse.Namespace) -> int:
    """Call the command named in ``args`` with its options as keyword arguments."""
    if args.command == "validate":
        return validate.run(inventory=args.inventory, fmt=args.format, strict=args.strict)
    if args.command == "render":
        return render.run(
            inventory=args.inventory,
            output=args.output,
            check=args.check,
            fmt=args.format,
            verbose=args.verbose,
        )
    if args.command == "diff":
        return diff.run(
            inventory=args.inventory, base=args.base, rendered=args.rendered, fmt=args.format
        )
    if args.command == "graph":
        return graph.run(inventory=args.inventory, fenced=args.fenced)
    if args.command == "reference":
        return reference.run()
    if args.command == "checks":
        return checks.run(check_id=args.id)
    raise AssertionError(f"unhandled command {args.command!r}")
