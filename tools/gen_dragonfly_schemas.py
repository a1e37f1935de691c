#!/usr/bin/env python3
"""Generate JSON Schemas for the Dragonfly config files (entry point of tools/dfschema).

See docs/output-schemas.md, or run with --help.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dfschema.cli import main

if __name__ == "__main__":
    sys.exit(main())
