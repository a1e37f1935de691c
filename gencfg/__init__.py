"""gencfg: render a Dragonfly V2 deployment's configuration from one validated inventory."""

__version__ = "0.1.0"
