"""The rendered tree on disk: MANIFEST, atomic writes, comparison with what is there."""
