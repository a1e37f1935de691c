#!/usr/bin/env python3
"""Stand-in for docker compose, nerdctl compose, systemctl and kubectl in rollout tests.

No Docker engine, systemd or Kubernetes API server runs on this machine, so the
playbooks are pointed at this script (gencfg_compose_command, gencfg_systemctl,
gencfg_kubectl). It appends each call as a JSON line to LOG. As kubectl it keeps the
digest of the last applied manifests, so ``kubectl diff`` answers 1 (differences)
until the same files were applied, like the real one.

Like the real services, a service keeps running the config it was started with until
it is restarted: every start (``compose up``, ``compose restart S``, ``systemctl
restart``) records the sha256 of each file the service reads in LOG's ``.running``
file (service -> {path: sha256}), so a test can tell a host that runs stale config.
While a file ``standin.block`` exists beside LOG, starts hang (and then start nothing):
an interrupted restart.

    standin.py LOG TOOL ARGS...
"""

import hashlib
import json
import sys
import time
from pathlib import Path

COMPOSE_SERVICES = {
    "manager": "config/manager.yaml",
    "scheduler": "config/scheduler.yaml",
    "seed-peer": "config/seed-peer",
    "seed-client": "config/seed-client",
    "dfdaemon": "config/df*.yaml",
    "compose": "docker-compose.yaml",
}
UNITS = {"docker": "etc/systemd/system/docker.service.d", "nydus-snapshotter": "etc/nydus"}


def _digests(base: Path, pattern: str) -> dict[str, str]:
    paths = sorted(base.glob(pattern))
    files = [f for p in paths for f in ([p] if p.is_file() else sorted(p.rglob("*")))]
    return {
        str(f.relative_to(base)): hashlib.sha256(f.read_bytes()).hexdigest()
        for f in files
        if f.is_file() and not f.name.endswith("~")
    }


def _start(log: Path, tool: str, args: list[str]) -> int:
    block = log.parent / "standin.block"
    if block.exists():
        while block.exists():
            time.sleep(0.1)
        return 1  # interrupted: nothing was (re)started
    running_file = log.with_suffix(".running")
    running = json.loads(running_file.read_text()) if running_file.exists() else {}
    if tool == "compose":
        project = Path(args[args.index("--project-directory") + 1])
        names = list(COMPOSE_SERVICES) if "up" in args else args[args.index("restart") + 1 :]
        for name in names:
            digests = _digests(project, COMPOSE_SERVICES.get(name, name))
            if digests or name in running:
                running[name] = digests
    else:
        unit = args[-1]
        running[unit] = _digests(log.parent, UNITS.get(unit, unit))
    running_file.write_text(json.dumps(running, sort_keys=True))
    return 0


def main() -> int:
    log, tool, args = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
    with log.open("a") as f:
        f.write(json.dumps([tool, *args]) + "\n")
    if tool == "compose" and ("up" in args or "restart" in args):
        return _start(log, tool, args)
    if tool == "systemctl" and args[:1] == ["restart"]:
        return _start(log, tool, args)
    if tool != "kubectl":
        return 0
    files = sorted(a.split("=", 1)[1] for a in args if a.startswith("--filename="))
    digest = hashlib.sha256(b"".join(Path(f).read_bytes() for f in files)).hexdigest()
    state = log.with_suffix(".applied")
    if "diff" in args:
        return 0 if state.exists() and state.read_text() == digest else 1
    if "apply" in args:
        state.write_text(digest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
