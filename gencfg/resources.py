"""Where templates, schemas and playbooks are, in a checkout and in an installed wheel."""

from __future__ import annotations

import functools
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@functools.cache
def data_root() -> Path:
    """The directory holding ``templates/``, ``schemas/`` and ``playbooks/``.

    A wheel carries them in ``gencfg/_data``; a checkout (and an editable install) has
    them at the top of the repository, next to the package.
    """
    bundled = _PACKAGE_DIR / "_data"
    if (bundled / "schemas").is_dir():
        return bundled
    return _PACKAGE_DIR.parent


def templates_dir() -> Path:
    """Root of the Jinja templates, one subdirectory per Dragonfly line."""
    return data_root() / "templates"


def schemas_dir() -> Path:
    """Root of the inventory schema and the output schemas."""
    return data_root() / "schemas"


def playbooks_dir() -> Path:
    """Root of the Ansible playbooks."""
    return data_root() / "playbooks"
