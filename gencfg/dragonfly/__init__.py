"""Facts about Dragonfly releases that several stages need (ports, release lines)."""
