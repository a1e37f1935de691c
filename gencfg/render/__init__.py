"""Planning and rendering output files from the resolved inventory."""
