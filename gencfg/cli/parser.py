"""The argument parser: every subcommand, option and help text."""

from __future__ import annotations

import argparse
from pathlib import Path

from gencfg import __version__
from gencfg.exitcodes import ExitCode
from gencfg.reporters import REPORTERS

_EPILOG = "exit codes: " + ", ".join(
    f"{int(c)} {c.name.lower().replace('_', ' ')}" for c in ExitCode
)

_EXAMPLES = """\
examples:
  gencfg validate inventories/prod          check an inventory, report every problem
  gencfg render inventories/prod            write rendered/prod/
  gencfg render --check inventories/prod    exit 1 if rendered/prod/ is stale (CI)
  gencfg diff --format markdown inventories/prod   what a change does, for a PR comment
"""


def _inventory_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "inventory",
        type=Path,
        help="inventory directory (inventories/<env>) or a single inventory file",
    )


def _format_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=sorted(REPORTERS),
        default="text",
        help="how to print problems: text (path:line:col: level CODE message, on stderr), "
        "json (on stdout), github (workflow annotations)",
    )


def build() -> argparse.ArgumentParser:
    """The ``gencfg`` parser."""
    parser = argparse.ArgumentParser(
        prog="gencfg",
        description="Render every configuration file of a Dragonfly V2 deployment from one "
        "validated inventory, and push them with Ansible.",
        epilog=_EXAMPLES + "\n" + _EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"gencfg {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "validate",
        help="check an inventory (schema and semantic checks) and report every problem",
        description="Check an inventory: YAML, schema, then semantic checks. Every problem is "
        "reported with its file:line:col. Exit 0 when valid (warnings allowed), 2 when not.",
        epilog=_EPILOG,
    )
    _inventory_arg(p)
    _format_arg(p)
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")

    p = sub.add_parser(
        "render",
        help="render every configuration file into rendered/<env>/ (atomically)",
        description="Validate the inventory and write its rendered tree: every config file, "
        "the Ansible inventory and MANIFEST.json. The tree is replaced atomically; files no "
        "longer planned are removed; a render that changes nothing writes nothing. With "
        "--check, write nothing and exit 1 if the tree on disk is stale.",
        epilog=_EPILOG,
    )
    _inventory_arg(p)
    _format_arg(p)
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        help="directory of the rendered tree (default: rendered/<inventory directory name>)",
    )
    p.add_argument(
        "--check",
        action="store_true",
        help="do not write; list what would change and exit 1 if anything would (for CI)",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="also list unchanged files")

    p = sub.add_parser(
        "diff",
        help="show what an inventory change changes: files, hosts, restarts",
        description="Render the inventory in memory and compare it with the committed tree "
        "(default) or with the inventory as it was at a git ref (--base). Text: a unified "
        "diff. Markdown: a summary per VPC (files, hosts, restarts, warnings) for a pull "
        "request comment. Exit 0: no change; 1: changes; 2: invalid inventory; 3: error. "
        "Secret values never appear: rendered files only hold placeholders.",
        epilog=_EPILOG,
    )
    _inventory_arg(p)
    p.add_argument("--base", metavar="GIT_REF", help="compare with the inventory at this git ref")
    p.add_argument(
        "--rendered",
        type=Path,
        help="without --base: the committed tree to compare with (default rendered/<env>)",
    )
    p.add_argument("--format", choices=["text", "markdown"], default="text", help="output format")

    p = sub.add_parser(
        "graph",
        help="print the topology as a Mermaid diagram (for pull requests)",
        description="Print VPCs, LBs, control-plane VMs, node groups, peer VMs and registries "
        "as a Mermaid flowchart. Paste it into a pull request or a Markdown file.",
    )
    _inventory_arg(p)
    p.add_argument("--fenced", action="store_true", help="wrap in a ```mermaid Markdown fence")

    p = sub.add_parser(
        "reference",
        help="print the inventory reference (Markdown), generated from the schema",
        description="Print the inventory reference generated from schemas/inventory.schema.json.",
    )

    p = sub.add_parser(
        "checks",
        help="list the semantic checks with their codes and documentation",
        description="List every semantic check: id, codes, and documentation with pass/fail "
        "examples.",
    )
    p.add_argument("id", nargs="?", help="show one check in full")
    return parser
