"""``python3 -m dfschema`` (with tools/ on sys.path)."""

from __future__ import annotations

import sys

from dfschema.cli import main

sys.exit(main())
