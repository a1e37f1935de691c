#!/usr/bin/env python3
"""Stand-in for docker compose, nerdctl compose, systemctl and kubectl in rollout tests.

No Docker engine, systemd or Kubernetes API server runs on this machine, so the
playbooks are pointed at this script (gencfg_compose_command, gencfg_systemctl,
gencfg_kubectl). It appends each call as a JSON line to LOG. As kubectl it keeps the
digest of the last applied manifests, so ``kubectl diff`` answers 1 (differences)
until the same files were applied, like the real one.

    standin.py LOG TOOL ARGS...
"""

import hashlib
import json
import sys
from pathlib import Path


def main() -> int:
    log, tool, args = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
    with log.open("a") as f:
        f.write(json.dumps([tool, *args]) + "\n")
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
