"""Derive JSON Schemas for Dragonfly config files from the upstream Go and Rust sources.

See docs/output-schemas.md. Standard library and ``git`` only.
"""
