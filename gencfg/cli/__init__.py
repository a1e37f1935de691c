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
        REPORTERS[getattr(args, "format", "text")](exc.problems, sys.stderr)
        sys.stderr.write(f"gencfg: invalid inventory ({summary(exc.problems)}); nothing written\n")
        return int(exc.exit_code)
    except GencfgError as exc:
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
