"""``gencfg preheat``: submit a rendered tree's preheat jobs to the managers and wait for them."""
