"""Subcommand implementations: one module per command, each ``run(**options) -> int``."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    """Call the command named in ``args`` with its options as keyword arguments.

    Each command's module is imported when it runs: a no-op render must not pay for
    importing Jinja, jsonschema and every other command (a third of its time).
    """
    if args.command == "validate":
        from gencfg.cli.commands import validate  # noqa: PLC0415

        return validate.run(inventory=args.inventory, fmt=args.format, strict=args.strict)
    if args.command == "render":
        from gencfg.cli.commands import render  # noqa: PLC0415

        return render.run(
            inventory=args.inventory,
            output=args.output,
            check=args.check,
            fmt=args.format,
            verbose=args.verbose,
            cache=args.cache,
        )
    if args.command == "diff":
        from gencfg.cli.commands import diff  # noqa: PLC0415

        return diff.run(
            inventory=args.inventory, base=args.base, rendered=args.rendered, fmt=args.format
        )
    if args.command == "graph":
        from gencfg.cli.commands import graph  # noqa: PLC0415

        return graph.run(inventory=args.inventory, fenced=args.fenced)
    if args.command == "rollout":
        from gencfg.cli.commands import rollout  # noqa: PLC0415

        return rollout.run(
            tree=args.tree,
            layer=args.layer,
            limit=args.limit,
            check=args.check,
            diff=args.diff,
            extra_vars=args.extra_vars,
            allow_vpc_removal=args.allow_vpc_removal,
            allow_host_removal=args.allow_host_removal,
            forks=args.forks,
        )
    if args.command == "preheat":
        from gencfg.cli.commands import preheat  # noqa: PLC0415

        return preheat.run(
            rendered=args.rendered,
            vpcs=args.vpc,
            managers=args.manager,
            dry_run=args.dry_run,
            secrets_stdin=args.secrets_stdin,
        )
    if args.command == "lint":
        from gencfg.cli.commands import lint  # noqa: PLC0415

        return lint.run(
            trees=args.trees, fmt=args.format, kubernetes_version=args.kubernetes_version
        )
    if args.command == "migrate":
        from gencfg.cli.commands import migrate  # noqa: PLC0415

        return migrate.run(
            inventory=args.inventory,
            to=args.to,
            output=args.output,
            drop_unsupported=args.drop_unsupported,
            dry_run=args.dry_run,
            fmt=args.format,
        )
    if args.command == "reference":
        from gencfg.cli.commands import reference  # noqa: PLC0415

        return reference.run()
    if args.command == "checks":
        from gencfg.cli.commands import checks  # noqa: PLC0415

        return checks.run(check_id=args.id)
    raise AssertionError(f"unhandled command {args.command!r}")
