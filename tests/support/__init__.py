"""Real components for the end-to-end tests: containerd, registries, sshd, stand-ins."""
