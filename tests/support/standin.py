#!/usr/bin/env python3
"""Stand-in for docker compose, nerdctl compose, systemctl and kubectl in rollout tests.

No Docker engine, systemd or Kubernetes API server runs on this machine, so the
playbooks are pointed at this script (gencfg_compose_command, gencfg_systemctl,
gencfg_kubectl). It appends each call as a JSON line to LOG.

As kubectl it keeps a small cluster in LOG's ``.cluster.json`` and models what can
fail on a real one: ``apply`` goes through the files in the order given and refuses an
object whose namespace does not exist yet, or whose kind has no CRD
(``{"crds": [...]}`` in the state; tests install one by writing it); ``diff`` answers 1
until the same objects were applied; ``get crd``, ``get KINDS -l SEL`` (jsonpath
``kind/namespace/name`` lines) and ``delete -n NS KIND NAME`` act on the stored objects.

Kruise, as far as pre-pull goes: an applied ImageListPullJob is started at once
(``get imagelistpulljob.apps.kruise.io NAME -n NS -o jsonpath={.status.startTime}``
answers a time), except that its child jobs race on the nodes' NodeImages
(openkruise/kruise#1528): every image after the first one that a single ``apply``
starts (several images in one job, or several jobs in one call) is recorded in the
state's ``delayed`` list, the images a real cluster starts 5 minutes late.

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
import re
import sys
import time
from pathlib import Path

KIND_OF_RESOURCE = {
    "configmap": "ConfigMap",
    "daemonset.apps": "DaemonSet",
    "imagelistpulljob.apps.kruise.io": "ImageListPullJob",
}
CRD_OF_KIND = {"ImageListPullJob": "imagelistpulljobs.apps.kruise.io"}


def _images(doc: str) -> list[str]:
    """An ImageListPullJob's ``spec.images``."""
    block = re.search(r"^  images:\n((?:    - .*\n?)+)", doc, re.M)
    return re.findall(r"^    - \"?([^\"\n]+)", block.group(1), re.M) if block else []


def _objects(path: Path) -> list[dict[str, str]]:
    """kind, name, namespace and a digest of each document of a rendered manifest."""
    out = []
    for doc in path.read_text().split("\n---\n"):
        kind = re.search(r"^kind: *(\S+)", doc, re.M)
        name = re.search(r"^metadata:\n(?:  .*\n)*?  name: *\"?([^\"\n]+)", doc, re.M)
        ns = re.search(r"^metadata:\n(?:  .*\n)*?  namespace: *\"?([^\"\n]+)", doc, re.M)
        if kind and name:
            out.append(
                {
                    "kind": kind.group(1),
                    "name": name.group(1),
                    "namespace": ns.group(1) if ns else "",
                    "digest": hashlib.sha256(doc.encode()).hexdigest(),
                    "images": "\n".join(_images(doc)),
                }
            )
    return out


def _key(obj: dict[str, str]) -> str:
    return f"{obj['kind']}/{obj['namespace']}/{obj['name']}"


def _apply(state: dict, wanted: list[dict[str, str]]) -> int:
    """Apply in the order given; refuse what a real API server refuses."""
    rc = 0
    starting = 0
    for obj in wanted:
        namespaces = {k.split("/")[2] for k in state["objects"] if k.startswith("Namespace/")}
        crd = CRD_OF_KIND.get(obj["kind"])
        if crd and crd not in state["crds"]:
            print(f'error: resource mapping not found for kind "{obj["kind"]}"', file=sys.stderr)
            rc = 1
        elif obj["namespace"] and obj["namespace"] not in namespaces:
            print(
                f'Error from server (NotFound): namespaces "{obj["namespace"]}" not found',
                file=sys.stderr,
            )
            rc = 1
        else:
            state["objects"][_key(obj)] = obj["digest"]
            if obj["kind"] == "ImageListPullJob":
                state["started"][_key(obj)] = "2024-06-01T00:00:00Z"
                for image in obj["images"].splitlines():
                    starting += 1
                    if starting > 1:
                        state["delayed"].append(image)
            print(f"{obj['kind'].lower()}/{obj['name']} serverside-applied")
    return rc


def kubectl(state_path: Path, args: list[str]) -> int:
    state = json.loads(state_path.read_text()) if state_path.exists() else {}
    state.setdefault("crds", [])
    state.setdefault("objects", {})
    state.setdefault("started", {})
    state.setdefault("delayed", [])
    files = [Path(a.split("=", 1)[1]) for a in args if a.startswith("--filename=")]
    wanted = [obj for f in files for obj in _objects(f)]
    rc = 0
    if "diff" in args:
        rc = 0 if all(state["objects"].get(_key(o)) == o["digest"] for o in wanted) else 1
    elif "apply" in args:
        rc = _apply(state, wanted)
    elif args[:2] == ["get", "crd"] or ("get" in args and "crd" in args):
        name = args[args.index("crd") + 1]
        if name in state["crds"]:
            print(f"customresourcedefinition.apiextensions.k8s.io/{name}")
    elif "get" in args and "-n" in args:
        resource, name = args[args.index("get") + 1], args[args.index("get") + 2]
        key = f"{KIND_OF_RESOURCE[resource]}/{args[args.index('-n') + 1]}/{name}"
        if key not in state["objects"]:
            print(f'Error from server (NotFound): "{name}" not found', file=sys.stderr)
            rc = 1
        else:
            print(state["started"].get(key, ""), end="")
    elif "get" in args:
        resources = args[args.index("get") + 1].split(",")
        kinds = {KIND_OF_RESOURCE[r] for r in resources}
        for key in sorted(state["objects"]):
            if key.split("/")[0] in kinds:
                print(key)
    elif "delete" in args:
        ns = args[args.index("-n") + 1]
        resource, name = args[-2], args[-1]
        state["objects"].pop(f"{KIND_OF_RESOURCE[resource]}/{ns}/{name}", None)
        state["started"].pop(f"{KIND_OF_RESOURCE[resource]}/{ns}/{name}", None)
    state_path.write_text(json.dumps(state))
    return rc


# The files each service reads at start (the manager also its preheat CA bundle).
COMPOSE_SERVICES = {
    "manager": ("config/manager.yaml", "config/preheat-ca-bundle.pem"),
    "scheduler": ("config/scheduler.yaml",),
    "seed-peer": ("config/seed-peer",),
    "seed-client": ("config/seed-client",),
    "dfdaemon": ("config/df*.yaml",),
    "compose": ("docker-compose.yaml",),
}
UNITS = {"docker": "etc/systemd/system/docker.service.d", "nydus-snapshotter": "etc/nydus"}


def _digests(base: Path, *patterns: str) -> dict[str, str]:
    paths = sorted(p for pattern in patterns for p in base.glob(pattern))
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
            digests = _digests(project, *COMPOSE_SERVICES.get(name, (name,)))
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
    return kubectl(log.with_suffix(".cluster.json"), args)


if __name__ == "__main__":
    sys.exit(main())
