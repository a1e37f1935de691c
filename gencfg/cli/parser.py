"""The argument parser: every subcommand, option and help text."""

from __future__ import annotations

import argparse
from pathlib import Path

from gencfg import __version__
from gencfg.exitcodes import ExitCode
from gencfg.reporters import REPORTERS
from gencfg.rollout.layers import LAYERS

_EPILOG = "exit codes: " + ", ".join(
    f"{int(c)} {c.name.lower().replace('_', ' ')}" for c in ExitCode
)

_EXAMPLES = """\
examples:
  gencfg validate inventories/prod          check an inventory, report every problem
  gencfg render inventories/prod            write rendered/prod/
  gencfg render --check inventories/prod    exit 1 if rendered/prod/ is stale (CI)
  gencfg diff --format markdown inventories/prod   what a change does, for a PR comment
  gencfg lint rendered/prod                 lint a rendered tree with each format's linter
  gencfg preheat rendered/prod              preheat images into each VPC's seed peers
  gencfg migrate inventories/prod --to v2.5.1   move an inventory to the current line
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


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: not a positive integer")
    return value


def _rollout_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``gencfg rollout``'s arguments (apart: ``build`` would grow too long)."""
    p = sub.add_parser(
        "rollout",
        help="push a rendered tree with the playbooks (ansible-runner), with progress per host",
        description="Run playbooks/rollout.yml (or one layer) against rendered/<env>/ansible, "
        "as `ansible-playbook -i rendered/<env>/ansible playbooks/rollout.yml` would, and "
        "report per host. Batches, failure budget and health checks come from the "
        "inventory's rollout policy. Secrets come from Ansible Vault (-e @vault.yml with "
        "--vault-password-file in ANSIBLE_VAULT_PASSWORD_FILE) or GENCFG_SECRET_<NAME>. "
        "A VPC the last successful rollout of the tree pushed (recorded per user in "
        "$XDG_STATE_HOME/gencfg/) must still be in it, or be named with --allow-vpc-removal. "
        "A host of that rollout the tree no longer names is taken out of the fleet by the "
        "decommission step (compose down, the files gencfg put there removed) only when "
        "named with --allow-host-removal (or its VPC with --allow-vpc-removal). "
        "Relative paths (-e @vault.yml, ANSIBLE_VAULT_PASSWORD_FILE, ANSIBLE_CONFIG) are "
        "taken from the current directory; the tree's ansible/ansible.cfg is used unless "
        "ANSIBLE_CONFIG is set. Exit 0: done; 2: a VPC or host would be removed; 4: stopped "
        "on failed hosts (each one's reason is printed); 3: Ansible missing, a file unreadable, "
        "or Ansible stopped before playing; 130: interrupted (Ctrl-C).",
        epilog=_EPILOG,
    )
    p.add_argument("tree", type=Path, help="rendered tree (rendered/<env>)")
    p.add_argument(
        "--layer", choices=LAYERS, default="rollout", help="one layer only (default: all)"
    )
    p.add_argument("--limit", help="Ansible host pattern, e.g. vpc_a or cp-a-1")
    p.add_argument("--check", action="store_true", help="dry run: report what would change")
    p.add_argument(
        "--diff", action="store_true", help="show file differences (never of secret files)"
    )
    p.add_argument(
        "-e",
        "--extra-vars",
        action="append",
        default=[],
        metavar="VARS",
        help="extra variables, as for ansible-playbook (key=value, JSON or @file)",
    )
    p.add_argument(
        "--forks",
        type=_positive_int,
        metavar="N",
        help="hosts Ansible works on at once (default: the tree's ansible.cfg, 20)",
    )
    p.add_argument(
        "--allow-vpc-removal",
        action="append",
        default=[],
        metavar="VPC",
        help="push a tree that lacks VPC, which the last successful rollout of this tree "
        "pushed (refused otherwise, exit 2), and take its hosts out of the fleet; repeatable",
    )
    p.add_argument(
        "--allow-host-removal",
        action="append",
        default=[],
        metavar="HOST",
        help="take HOST, which the last successful rollout of this tree reached and the tree "
        "no longer names, out of the fleet: compose project down, the files gencfg put there "
        "and its records removed, its runtimes restarted without them (a rollout that runs "
        "the decommission step is refused otherwise, exit 2); repeatable",
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
    p.add_argument(
        "--no-cache",
        dest="cache",
        action="store_false",
        help="render even when the inventory, gencfg and the tree are unchanged since the "
        "last render (which is otherwise skipped)",
    )

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
        "preheat",
        help="submit the rendered preheat jobs to each VPC's manager and wait for them",
        description="Submit the preheat jobs of a rendered tree (<vpc>/preheat/*.json) to "
        "each VPC's manager, as listed in gencfg_preheat of ansible/group_vars/all.yaml, and "
        "poll each job until SUCCESS, FAILURE or its timeout. With a token secret, jobs go "
        "to /oapi/v1/jobs (Bearer token from GENCFG_SECRET_<NAME> or --secrets-stdin), "
        "else to /api/v1/jobs. 429 answers are waited out (Retry-After or backoff), 5xx "
        "and connection errors retried. Progress goes to stderr, a summary table to "
        "stdout; the token is never printed. Exit 0: every job succeeded; 4: a job "
        "failed, was refused or timed out; 3: a manager stayed unreachable; 2: bad "
        "arguments, tree or missing token.",
        epilog="examples:\n"
        "  gencfg preheat rendered/prod --dry-run\n"
        "  GENCFG_SECRET_VPC_A_MANAGER_TOKEN=... gencfg preheat rendered/prod --vpc vpc-a\n"
        "  gencfg preheat rendered/prod --manager vpc-a=http://127.0.0.1:18080   (a tunnel)\n"
        "\n" + _EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("rendered", type=Path, help="rendered tree (rendered/<env>)")
    p.add_argument(
        "--vpc",
        action="append",
        default=[],
        metavar="NAME",
        help="only this VPC (repeatable; default: every VPC with preheat jobs)",
    )
    p.add_argument(
        "--manager",
        action="append",
        default=[],
        metavar="VPC=URL",
        help="reach this VPC's manager at URL instead of its LB (repeatable)",
    )
    p.add_argument(
        "--dry-run", action="store_true", help="show what would be submitted; submit nothing"
    )
    p.add_argument(
        "--secrets-stdin",
        action="store_true",
        help="read secret values as a JSON object {name: value} from stdin (what "
        "playbooks/preheat.yml does: a token never shows in a command line or environment)",
    )

    p = sub.add_parser(
        "migrate",
        help="move an inventory from the v2.1 line to the current line (v2.5)",
        description="Rewrite the inventory for another Dragonfly release: the version, every "
        "v2.1 setting with a counterpart on the target line (first-class keys and raw "
        "overrides), and harmless v2.1-only keys removed. Comments, key order, quoting, blank "
        "lines and every untouched line are kept byte for byte. A setting that cannot be "
        "translated stops it with file:line:col and the reason, and nothing is written; so "
        "does a result that would not validate. Running it again changes nothing. Prints "
        "what changed per file and what needs a person (see docs/upgrade.md).",
        epilog="exit codes: 0 migrated (or nothing to do), 2 cannot migrate (nothing written), "
        "3 cannot write",
    )
    _inventory_arg(p)
    _format_arg(p)
    p.add_argument("--to", required=True, metavar="VERSION", help="target release, e.g. v2.5.1")
    p.add_argument(
        "--output",
        type=Path,
        metavar="DIR",
        help="write the migrated inventory to DIR (a new or empty directory) instead of in place",
    )
    p.add_argument(
        "--drop-unsupported",
        action="store_true",
        help="drop v2.1 settings without a counterpart even where that changes behaviour "
        "(each is listed under 'needs a person')",
    )
    p.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")

    p = sub.add_parser(
        "checks",
        help="list the semantic checks with their codes and documentation",
        description="List every semantic check: id, codes, and documentation with pass/fail "
        "examples.",
    )
    p.add_argument("id", nargs="?", help="show one check in full")

    _rollout_parser(sub)

    p = sub.add_parser(
        "lint",
        help="lint rendered trees with each format's own linter (yamllint, Kubernetes, ...)",
        description="Check rendered trees file by file: yamllint on every YAML file;\n"
        "Kubernetes manifests with kubernetes-validate --strict (custom resources with\n"
        "gencfg's schemas); docker-compose files with the Compose Specification;\n"
        "containerd hosts.toml (schema, and that pulls go through the local dfdaemon);\n"
        "Dragonfly and nydus configs with their schemas; every file against its sha256\n"
        "in MANIFEST.json. Codes GC6xx (docs/lint.md). Exit 0: no errors (warnings\n"
        "allowed); 1: errors; 2: not a rendered tree.",
        epilog="example: gencfg lint --format github rendered/prod\n\n" + _EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "trees",
        nargs="*",
        type=Path,
        metavar="RENDERED_TREE",
        help="rendered trees (rendered/<env>); default: every rendered/*/ with a MANIFEST.json",
    )
    _format_arg(p)
    p.add_argument(
        "--kubernetes-version",
        metavar="X.Y",
        help="Kubernetes version of the API schemas (default: the newest kubernetes-validate "
        "bundles)",
    )
    return parser
