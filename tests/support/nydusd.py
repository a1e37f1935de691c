#!/usr/bin/env python3
"""Stand-in for ``nydusd --version`` in preflight tests: no nydusd runs on this machine.

The real nydusd answers ``--version`` with clap's version line, ``nydusd`` and nydus's
build information (src/lib.rs, get_build_time_info), whose Version is the release tag
(``git describe --tags``)::

    nydusd \\rVersion: \\tv2.2.5\\nGit Commit: \\t<sha>\\nBuild Time: ...

This stand-in prints the same, for the release "installed" on the host: the content of
RELEASE_FILE. What can fail is modelled: another release than the inventory declares,
and no nydusd at all (RELEASE_FILE missing: exit 127, as a shell reports it). Any other
argument is refused like an unknown option.

    nydusd.py RELEASE_FILE --version
"""

import sys
from pathlib import Path


def main() -> int:
    release_file, args = Path(sys.argv[1]), sys.argv[2:]
    if not release_file.exists():
        print("nydusd: command not found", file=sys.stderr)
        return 127
    if args != ["--version"]:
        print(f"error: unexpected argument '{' '.join(args)}' found", file=sys.stderr)
        return 2
    release = release_file.read_text().strip()
    print(
        f"nydusd \rVersion: \t{release}\nGit Commit: \t1f4c2a4e\n"
        f"Build Time: \t2024-03-27T03:11:00.000000000Z\nProfile: \trelease\n"
        f"Rustc: \t\t1.72.1 (d5c2e9c34 2023-09-13)\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
