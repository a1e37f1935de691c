"""The one Jinja environment: sandboxed, strict, with every filter registered here."""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from gencfg.resources import templates_dir


def quote(value: Any) -> str:
    """A value as a JSON literal; valid as a YAML flow scalar and a TOML basic string."""
    return json.dumps(value, ensure_ascii=False)


@functools.cache
def environment() -> SandboxedEnvironment:
    """The template environment.

    ``StrictUndefined``: a missing variable is an error, never an empty string in a
    config file. Sandboxed: templates can only read the context they are given.
    """
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["q"] = quote
    env.filters["sha256"] = lambda text: hashlib.sha256(str(text).encode()).hexdigest()
    return env
