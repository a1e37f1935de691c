"""What a change to the inventory does: file changes, affected hosts, restarts."""
