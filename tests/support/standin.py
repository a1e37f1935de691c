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

``-f -`` (``--filename=-``) reads the objects from stdin, as JSON (how the playbooks pipe
a filled Secret, so that it is never written to a file). A Secret is refused as the API
server's validation refuses it (pkg/apis/core/validation ValidateSecret): a ``data``
value that is not base64, and for type ``kubernetes.io/dockerconfigjson`` a missing
``.dockerconfigjson`` or one that is not a JSON object. The server checks nothing more
(not even ``auths``); what Kruise does with the Secret is modelled below.

Kruise, as far as pre-pull goes: an applied ImageListPullJob is started at once
(``get imagelistpulljob.apps.kruise.io NAME -n NS -o jsonpath={.status.startTime}``
answers a time), except that its child jobs race on the nodes' NodeImages
(openkruise/kruise#1528): every image after the first one that a single ``apply``
starts (several images in one job, or several jobs in one call) is recorded in the
state's ``delayed`` list, the images a real cluster starts 5 minutes late.
Each image of a job is pulled with the login Kubernetes' credential provider would find
in the job's ``pullSecrets`` *as they are when the job is applied* (a Secret applied
later is too late for a job Kruise already started): the Secret's ``auths`` entry for
the image's registry (``https://index.docker.io/v1/`` for Docker Hub), its
``username``/``password``, or its ``auth`` (base64 ``user:password``). The state's
``pulled_with`` maps each image to ``[username, password]``, or null: an anonymous pull.

Like the real services, a service keeps running the config it was started with until
it is restarted: every start (``compose up``, ``compose restart S``, ``systemctl
restart``) records the sha256 of each file the service reads in LOG's ``.running``
file (service -> {path: sha256}), so a test can tell a host that runs stale config.
``compose down`` stops the project's services (they leave the ``.running`` file); like
the real one, it finds the project by its compose file, and fails without it (the
containers then keep running).
While a file ``standin.block`` exists beside LOG, starts hang (and then start nothing):
an interrupted restart. When the file names tools (``systemctl``), only their starts hang.

    standin.py LOG TOOL ARGS...
"""

import base64
import hashlib
import json
import re
import sys
import time
from pathlib import Path

KIND_OF_RESOURCE = {
    "secret": "Secret",
    "configmap": "ConfigMap",
    "daemonset.apps": "DaemonSet",
    "imagelistpulljob.apps.kruise.io": "ImageListPullJob",
}
CRD_OF_KIND = {"ImageListPullJob": "imagelistpulljobs.apps.kruise.io"}


def _images(doc: str) -> list[str]:
    """An ImageListPullJob's ``spec.images``."""
    block = re.search(r"^  images:\n((?:    - .*\n?)+)", doc, re.M)
    return re.findall(r"^    - \"?([^\"\n]+)", block.group(1), re.M) if block else []


def _pull_secrets(doc: str) -> list[str]:
    """An ImageListPullJob's ``spec.pullSecrets``."""
    block = re.search(r"^  pullSecrets:\n((?:    - .*\n?)+)", doc, re.M)
    return re.findall(r"^    - \"?([^\"\n]+)", block.group(1), re.M) if block else []


def _json_object(doc: dict) -> dict:
    """An object piped as JSON: what the stand-in keeps of it."""
    meta = doc.get("metadata") or {}
    spec = doc.get("spec") or {}
    return {
        "kind": str(doc.get("kind", "")),
        "name": str(meta.get("name", "")),
        "namespace": str(meta.get("namespace", "")),
        "digest": hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest(),
        "images": "\n".join(spec.get("images") or []),
        "pull_secrets": "\n".join(spec.get("pullSecrets") or []),
        "secret": json.dumps({k: doc.get(k) for k in ("type", "data", "stringData")}),
    }


def _objects(path: Path) -> list[dict[str, str]]:
    """kind, name, namespace and a digest of each document of a rendered manifest."""
    text = sys.stdin.read() if str(path) == "-" else path.read_text()
    if str(path) == "-" and text.lstrip().startswith("{"):
        return [_json_object(json.loads(text))]
    out = []
    for doc in text.split("\n---\n"):
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
                    "pull_secrets": "\n".join(_pull_secrets(doc)),
                }
            )
    return out


def _key(obj: dict[str, str]) -> str:
    return f"{obj['kind']}/{obj['namespace']}/{obj['name']}"


DOCKERCONFIGJSON = "kubernetes.io/dockerconfigjson"


def _secret_data(obj: dict[str, str]) -> tuple[dict[str, bytes] | None, str]:
    """A piped Secret's data as the API server stores it, or None and the server's refusal."""
    fields = json.loads(obj.get("secret") or "{}")
    invalid = f'The Secret "{obj["name"]}" is invalid: '
    data: dict[str, bytes] = {}
    for key, value in (fields.get("data") or {}).items():
        try:
            data[key] = base64.b64decode(str(value), validate=True)
        except ValueError:
            return None, f"Error from server (BadRequest): illegal base64 data in data[{key}]"
    for key, value in (fields.get("stringData") or {}).items():
        data[key] = str(value).encode()
    if fields.get("type") == DOCKERCONFIGJSON:
        if ".dockerconfigjson" not in data:
            return None, invalid + "data[.dockerconfigjson]: Required value"
        try:
            parsed = json.loads(data[".dockerconfigjson"])
        except ValueError as err:
            parsed, reason = None, str(err)
        else:
            reason = "json: cannot unmarshal into Go value of type map[string]interface {}"
        if not isinstance(parsed, dict):
            return None, (
                invalid + 'data[.dockerconfigjson]: Invalid value: "<secret contents '
                f'redacted>": {reason}'
            )
    return data, ""


def _refusal(state: dict, obj: dict[str, str]) -> str:
    """Why a real API server refuses ``obj`` (apply or server-side diff), or ""."""
    namespaces = {k.split("/")[2] for k in state["objects"] if k.startswith("Namespace/")}
    crd = CRD_OF_KIND.get(obj["kind"])
    if crd and crd not in state["crds"]:
        return f'error: resource mapping not found for kind "{obj["kind"]}"'
    if obj["namespace"] and obj["namespace"] not in namespaces:
        return f'Error from server (NotFound): namespaces "{obj["namespace"]}" not found'
    if obj["kind"] == "Secret" and "secret" in obj:
        return _secret_data(obj)[1]
    return ""


def _registry(image: str) -> str:
    first, _, rest = image.partition("/")
    return first if rest and ("." in first or ":" in first or first == "localhost") else "docker.io"


def _login(state: dict, namespace: str, names: list[str], image: str) -> list[str] | None:
    """The login Kubernetes' credential provider finds for ``image`` in the Secrets."""
    registry = _registry(image)
    for name in names:
        auths = (state["secrets"].get(f"{namespace}/{name}") or {}).get("auths") or {}
        for key, entry in auths.items():
            host = re.sub(r"^https?://", "", key).split("/", 1)[0]
            hub = registry == "docker.io" and host in ("index.docker.io", "docker.io")
            if host != registry and not hub:
                continue
            if entry.get("auth"):
                user, _, password = base64.b64decode(entry["auth"]).decode().partition(":")
                return [user, password]
            return [entry.get("username", ""), entry.get("password", "")]
    return None


def _apply(state: dict, wanted: list[dict[str, str]]) -> int:
    """Apply in the order given; refuse what a real API server refuses."""
    rc = 0
    starting = 0
    for obj in wanted:
        refusal = _refusal(state, obj)
        if refusal:
            print(refusal, file=sys.stderr)
            rc = 1
            continue
        state["objects"][_key(obj)] = obj["digest"]
        if obj["kind"] == "Secret" and "secret" in obj:
            data = _secret_data(obj)[0] or {}
            if ".dockerconfigjson" in data:
                stored = json.loads(data[".dockerconfigjson"])
                state["secrets"][f"{obj['namespace']}/{obj['name']}"] = stored
        if obj["kind"] == "ImageListPullJob":
            state["started"][_key(obj)] = "2024-06-01T00:00:00Z"
            for image in obj["images"].splitlines():
                starting += 1
                if starting > 1:
                    state["delayed"].append(image)
                names = obj.get("pull_secrets", "").splitlines()
                state["pulled_with"][image] = _login(state, obj["namespace"], names, image)
        print(f"{obj['kind'].lower()}/{obj['name']} serverside-applied")
    return rc


def _diff(state: dict, wanted: list[dict[str, str]]) -> int:
    """0 same, 1 different, 2 refused (a server-side diff is a dry-run apply)."""
    refusals = [r for r in (_refusal(state, o) for o in wanted) if r]
    for refusal in refusals:
        print(refusal, file=sys.stderr)
    if refusals:
        return 2
    return 0 if all(state["objects"].get(_key(o)) == o["digest"] for o in wanted) else 1


def kubectl(state_path: Path, args: list[str]) -> int:
    state = json.loads(state_path.read_text()) if state_path.exists() else {}
    state.setdefault("crds", [])
    state.setdefault("objects", {})
    state.setdefault("started", {})
    state.setdefault("delayed", [])
    state.setdefault("secrets", {})
    state.setdefault("pulled_with", {})
    files = [Path(a.split("=", 1)[1]) for a in args if a.startswith("--filename=")]
    wanted = [obj for f in files for obj in _objects(f)]
    rc = 0
    if "diff" in args:
        rc = _diff(state, wanted)
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
        if resource == "secret":
            state["secrets"].pop(f"{ns}/{name}", None)
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


def _blocked(block: Path, tool: str) -> bool:
    try:
        names = block.read_text().split()
    except FileNotFoundError:
        return False
    return not names or tool in names


def _start(log: Path, tool: str, args: list[str]) -> int:
    block = log.parent / "standin.block"
    if _blocked(block, tool):
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


def _down(log: Path, args: list[str]) -> int:
    project = Path(args[args.index("--project-directory") + 1])
    if not (project / "docker-compose.yaml").is_file():
        print("no configuration file provided: not found", file=sys.stderr)
        return 1
    running_file = log.with_suffix(".running")
    running = json.loads(running_file.read_text()) if running_file.exists() else {}
    for name in COMPOSE_SERVICES:
        running.pop(name, None)
    running_file.write_text(json.dumps(running, sort_keys=True))
    return 0


def main() -> int:
    log, tool, args = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
    with log.open("a") as f:
        f.write(json.dumps([tool, *args]) + "\n")
    if tool == "compose" and "down" in args:
        return _down(log, args)
    if tool == "compose" and ("up" in args or "restart" in args):
        return _start(log, tool, args)
    if tool == "systemctl" and args[:1] == ["restart"]:
        return _start(log, tool, args)
    if tool != "kubectl":
        return 0
    return kubectl(log.with_suffix(".cluster.json"), args)


if __name__ == "__main__":
    sys.exit(main())
