"""Planning targets: one module per part of the rendered tree, each ``plan(ctx)``."""
