"""What a rendered tree asks ``gencfg preheat`` to do, and the tokens to do it with.

``gencfg_preheat`` in ``ansible/group_vars/all.yaml`` maps each VPC to its manager,
the name of its token secret, the timeout and poll interval, and its job files
(``<vpc>/preheat/*.json``, sent as they are). Job files are checked against the v2.1
job schema again: a hand edit must not reach the manager. Tokens come from
``--secrets-stdin`` or the environment (``GENCFG_SECRET_<NAME>``, as for the
playbooks); errors name the secret, never its value.
"""

from __future__ import annotations

import dataclasses
import json
import re
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

import yaml

from gencfg.dragonfly import releases
from gencfg.errors import UserError
from gencfg.render.outschema import validator
from gencfg.tree.manifest import tree_release

GROUP_VARS = "ansible/group_vars/all.yaml"
_SECRET_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# Registry passwords stay placeholders in the job files (the playbooks' format); they
# are filled in memory, just before the jobs are sent.
_PLACEHOLDER = re.compile(r"@@GENCFG_SECRET:([a-z][a-z0-9_]*)@@")


@dataclasses.dataclass(frozen=True, slots=True)
class JobFile:
    """A rendered preheat job: its path in the tree and the body to POST."""

    path: str
    body: dict[str, Any]

    @property
    def name(self) -> str:
        """``01-ghcr-io-org-app-1-0``: the file name without ``.json``."""
        return Path(self.path).stem

    @property
    def url(self) -> str:
        """The manifest URL the manager will fetch."""
        return str(self.body.get("args", {}).get("url", ""))


@dataclasses.dataclass(frozen=True, slots=True)
class VpcJobs:
    """One VPC's preheat: where its manager is and what to send it."""

    vpc: str
    manager: str
    token_secret: str | None
    timeout: float
    interval: float
    jobs: tuple[JobFile, ...]


def env_name(secret: str) -> str:
    """The environment variable of a secret (the playbooks' convention)."""
    return f"GENCFG_SECRET_{secret.upper()}"


def manager_url(value: str, what: str) -> str:
    """A manager base URL, http(s)://host[:port][/prefix], without credentials."""
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UserError(f"{what}: {value!r} is not an http(s) URL such as http://10.0.0.10:8080")
    if parts.username or parts.password:
        raise UserError(f"{what}: the URL must not carry credentials (use the token secret)")
    if parts.query or parts.fragment:
        raise UserError(f"{what}: {value!r} must not have a query or fragment")
    return value.rstrip("/")


def _seconds(entry: Mapping[str, Any], key: str, where: str) -> float:
    value = entry.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise UserError(f"{where}: {key} must be a number of seconds, not {value!r}")
    return float(value)


def job_line(tree: Path) -> releases.Line:
    """The line whose job API the tree's jobs are for (its MANIFEST's release)."""
    # A tree without a readable MANIFEST: its jobs are checked as v2.1's.
    return releases.line_of(tree_release(tree)) or releases.V2_1


def _job_file(tree: Path, rel: Any, where: str, line: releases.Line) -> JobFile:
    if not isinstance(rel, str):
        raise UserError(f"{where}: a job path must be a string, not {rel!r}")
    path = (tree / rel).resolve()
    if not path.is_relative_to(tree.resolve()):
        raise UserError(f"{where}: job {rel!r} is outside the rendered tree")
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"{tree / rel}: cannot read the job: {exc.strerror}") from None
    except ValueError as exc:
        raise UserError(f"{tree / rel}: not JSON: {exc}") from None
    schema = validator(f"dragonfly/{line.name}/preheat-job")
    errors = sorted(schema.iter_errors(body), key=lambda e: list(e.path))
    if errors:
        at = "/".join(str(p) for p in errors[0].path) or "(top)"
        raise UserError(
            f"{tree / rel}: not a {line.name} preheat job at {at}: {errors[0].message} "
            f"(edited by hand? run gencfg render)"
        )
    return JobFile(rel, body)


def _vpc_jobs(
    tree: Path, vpc: str, entry: Any, manager: str | None, line: releases.Line
) -> VpcJobs:
    where = f"{tree / GROUP_VARS}: gencfg_preheat.{vpc}"
    if not isinstance(entry, dict) or not isinstance(entry.get("jobs"), list):
        raise UserError(f"{where}: not a mapping with a list of jobs (run gencfg render)")
    secret = entry.get("token_secret")
    if secret is not None and not (isinstance(secret, str) and _SECRET_NAME.match(secret)):
        raise UserError(f"{where}: token_secret must be a secret name or null")
    return VpcJobs(
        vpc=vpc,
        manager=manager or manager_url(str(entry.get("manager", "")), f"{where}.manager"),
        token_secret=secret,
        timeout=_seconds(entry, "timeout", where),
        interval=_seconds(entry, "interval", where),
        jobs=tuple(_job_file(tree, rel, where, line) for rel in entry["jobs"]),
    )


def _preheat_vars(tree: Path) -> dict[str, Any]:
    source = tree / GROUP_VARS
    try:
        text = source.read_text(encoding="utf-8")
    except OSError:
        raise UserError(
            f"{tree}: not a rendered tree (no {GROUP_VARS}); run gencfg render"
        ) from None
    try:
        variables = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise UserError(f"{source}: not YAML: {exc}") from None
    preheat = variables.get("gencfg_preheat") if isinstance(variables, dict) else None
    return preheat if isinstance(preheat, dict) else {}


def load(
    tree: Path, vpcs: Sequence[str] = (), managers: Mapping[str, str] | None = None
) -> list[VpcJobs]:
    """The preheat of each VPC of the rendered ``tree`` (only ``vpcs``, if given).

    ``managers`` replaces the manager URL of some VPCs (e.g. a tunnel to the LB).
    """
    managers = managers or {}
    preheat = _preheat_vars(tree)
    for vpc in [*vpcs, *managers]:
        if vpc not in preheat:
            known = ", ".join(sorted(preheat)) or "none"
            raise UserError(f"VPC {vpc!r} has no preheat jobs in {tree} (VPCs with jobs: {known})")
    if vpcs:
        extra = sorted(set(managers) - set(vpcs))
        if extra:
            raise UserError(f"--manager names {extra[0]!r}, which --vpc does not select")
    names = list(dict.fromkeys(vpcs)) if vpcs else sorted(preheat)
    line = job_line(tree)
    return [_vpc_jobs(tree, name, preheat[name], managers.get(name), line) for name in names]


def read_secrets(stream: TextIO) -> dict[str, str]:
    """Secret values given as one JSON object ``{name: value}`` (never echoed)."""
    try:
        doc = json.loads(stream.read() or "{}")
    except ValueError:
        raise UserError("--secrets-stdin: standard input is not a JSON object") from None
    if not isinstance(doc, dict) or not all(isinstance(v, str | None) for v in doc.values()):
        raise UserError("--secrets-stdin: expected a JSON object of secret names to strings")
    return {str(k): v for k, v in doc.items() if v is not None}


def _fill(value: Any, values: Mapping[str, str], where: str) -> Any:
    if isinstance(value, dict):
        return {k: _fill(v, values, where) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, values, where) for v in value]
    if isinstance(value, str):

        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if not values.get(name):
                raise UserError(
                    f"{where}: secret {name!r} (a registry password) has no value: "
                    f"export {env_name(name)} or pass it with --secrets-stdin"
                )
            return values[name]

        return _PLACEHOLDER.sub(one, value)
    return value


def with_secrets(
    plans: Iterable[VpcJobs], env: Mapping[str, str], supplied: Mapping[str, str] | None = None
) -> list[VpcJobs]:
    """``plans`` with the secret placeholders of their job bodies (registry passwords) filled."""
    supplied = supplied or {}
    out = []
    for plan in plans:
        jobs = []
        for job in plan.jobs:
            names = set(_PLACEHOLDER.findall(json.dumps(job.body)))
            values = {n: supplied.get(n) or env.get(env_name(n)) or "" for n in names}
            jobs.append(JobFile(job.path, _fill(job.body, values, job.path)))
        out.append(dataclasses.replace(plan, jobs=tuple(jobs)))
    return out


def tokens(
    plans: Iterable[VpcJobs], env: Mapping[str, str], supplied: Mapping[str, str] | None = None
) -> dict[str, str | None]:
    """The token of each VPC (None: no token; jobs go to the unauthenticated API)."""
    supplied = supplied or {}
    out: dict[str, str | None] = {}
    for plan in plans:
        name = plan.token_secret
        if name is None:
            out[plan.vpc] = None
            continue
        value = (supplied.get(name) or env.get(env_name(name)) or "").strip()
        if not value:
            raise UserError(
                f"VPC {plan.vpc!r}: secret {name!r} (the manager's token) has no value: "
                f"export {env_name(name)} or pass it with --secrets-stdin"
            )
        # A header value with whitespace or control characters makes http.client raise
        # an error that quotes the value: refuse it here, naming only the secret.
        if any(c.isspace() or not c.isprintable() for c in value):
            raise UserError(f"secret {name!r}: a token cannot hold spaces or control characters")
        out[plan.vpc] = value
    return out
