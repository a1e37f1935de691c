"""Subcommand implementations: one module per command, each ``run(**options) -> int``."""

from __future__ import annotations

import argparse

from gencfg.cli.commands import (
    checks,
    diff,
    graph,
    lint,
    migrate,
    preheat,
    reference,
    render,
    rollout,
    validate,
)


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
            cache=args.cache,
        )
    if args.command == "diff":
        return diff.run(
            inventory=args.inventory, base=args.base, rendered=args.rendered, fmt=args.format
        )
    if args.command == "graph":
        return graph.run(inventory=args.inventory, fenced=args.fenced)
    if args.command == "rollout":
        return rollout.run(
            tree=args.tree,
            layer=args.layer,
            limit=args.limit,
            check=args.check,
            diff=args.diff,
            extra_vars=args.extra_vars,
            allow_vpc_removal=args.allow_vpc_removal,
        )
    if args.command == "preheat":
        return preheat.run(
            rendered=args.rendered,
            vpcs=args.vpc,
            managers=args.manager,
            dry_run=args.dry_run,
            secrets_stdin=args.secrets_stdin,
        )
    if args.command == "lint":
        return lint.run(
            trees=args.trees, fmt=args.format, kubernetes_version=args.kubernetes_version
        )
    if args.command == "migrate":
        return migrate.run(
            inventory=args.inventory,
            to=args.to,
            output=args.output,
            drop_unsupported=args.drop_unsupported,
            dry_run=args.dry_run,
            fmt=args.format,
        )
    if args.command == "reference":
        return reference.run()
    if args.command == "checks":
        return checks.run(check_id=args.id)
    raise AssertionError(f"unhandled command {args.command!r}")
