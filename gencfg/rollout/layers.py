"""The layers ``gencfg rollout --layer`` runs, each a playbook of playbooks/.

Apart from the runner so that the command line's parser can name them without
importing ansible-runner (80 ms of every command's startup).
"""

LAYERS = (
    "rollout",
    "preflight",
    "control-plane",
    "peers",
    "runtimes",
    "kubernetes",
    "preheat",
    "decommission",
)
