"""Push a rendered tree with the playbooks, through ansible-runner."""
