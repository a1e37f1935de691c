"""The ``gencfg`` command line: parse arguments, dispatch, and turn errors into exit codes.

Nothing below this package prints or exits; commands return an exit code.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence

from gencfg import __version__
from gencfg.cli import commands
from gencfg.cli import parser as cli_parser
from gencfg.errors import GencfgError, InvalidInventoryError
from gencfg.exitcodes import ExitCode
from gencfg.problem import Problem
from gencfg.reporters import REPORTERS, summary


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``gencfg`` with ``argv`` (default: the process arguments); return the exit code."""
    parser = cli_parser.build()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return int(ExitCode.INVALID)
    try:
        return commands.run(args)
    except InvalidInventoryError as exc:
        fmt = getattr(args, "format", "text")
        fmt = fmt if fmt in REPORTERS else "text"
        REPORTERS[fmt](exc.problems, sys.stdout if fmt == "json" else sys.stderr)
        sys.stderr.write(f"gencfg: invalid inventory ({summary(exc.problems)}); nothing written\n")
        return int(exc.exit_code)
    except GencfgError as exc:
        if getattr(args, "format", "text") == "json":
            # --format json always prints JSON: an error is one problem without a place
            where = str(getattr(args, "inventory", "") or "")
            REPORTERS["json"]([Problem(where, 0, 0, "GC000", str(exc))], sys.stdout)
        sys.stderr.write(f"gencfg: error: {exc}\n")
        return int(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("gencfg: interrupted\n")
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        return int(ExitCode.OK)
    except Exception:  # the funnel: anything unexpected is a bug, shown as one
        traceback.print_exc()
        sys.stderr.write(
            f"gencfg {__version__}: internal error (a bug, not a problem in your inventory); "
            f"please report it with the traceback above\n"
        )
        return int(ExitCode.ERROR)


def run() -> None:
    """Console-script entry point."""
    raise SystemExit(main())
