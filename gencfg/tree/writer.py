"""Write a rendered tree atomically: all of it or none of it.

The new tree is built in a temporary directory beside the target and swapped in with
one ``renameat2(RENAME_EXCHANGE)``, so a crash or kill at any moment leaves either the
previous tree or the new one, never a mix. Unchanged files are hard-linked from the
previous tree, so they keep their inode and mtime; a render that changes nothing
writes nothing at all. Files no longer planned simply do not exist in the new tree.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import errno
import fcntl
import os
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path

from gencfg.errors import ExternalError, UserError
from gencfg.tree.manifest import MANIFEST

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


@dataclasses.dataclass(slots=True)
class Changes:
    """How a planned tree differs from the tree on disk (paths relative to the tree)."""

    added: list[str] = dataclasses.field(default_factory=list)
    changed: list[str] = dataclasses.field(default_factory=list)
    removed: list[str] = dataclasses.field(default_factory=list)
    unchanged: list[str] = dataclasses.field(default_factory=list)
    leftover: str = ""
    """After a write: the previous tree that could not be removed (the next render does)."""

    @property
    def any(self) -> bool:
        """Whether anything would be written or removed."""
        return bool(self.added or self.changed or self.removed)


def _scan(directory: str, prefix: str, out: list[str]) -> None:
    with os.scandir(directory) as entries:
        for entry in entries:
            if entry.is_dir():
                _scan(entry.path, f"{prefix}{entry.name}/", out)
            elif entry.is_file():
                out.append(prefix + entry.name)


def existing_files(root: Path) -> dict[str, Path]:
    """Every file of a rendered tree on disk, by relative path, in path order.

    Directory entries are scanned with ``os.scandir``, whose entries know their type:
    ``Path.rglob`` and ``is_file`` cost a ``stat`` and several path objects per file
    (a third of a no-op render of a 20,000-file tree). Symbolic links are followed,
    as ``rglob`` follows them.
    """
    if not root.is_dir():
        return {}
    found: list[str] = []
    _scan(str(root), "", found)
    found.sort(key=lambda rel: rel.split("/"))
    return {rel: root / rel for rel in found}


def compare(root: Path, files: Mapping[str, bytes]) -> Changes:
    """Compare the planned ``files`` with the tree at ``root``."""
    changes = Changes()
    current = existing_files(root)
    for rel, data in sorted(files.items()):
        if rel not in current:
            changes.added.append(rel)
        elif current[rel].read_bytes() != data:
            changes.changed.append(rel)
        else:
            changes.unchanged.append(rel)
    changes.removed = sorted(set(current) - set(files))
    return changes


def _exchange(a: Path, b: Path) -> None:
    """Atomically swap two directories (Linux renameat2); fall back to two renames."""
    libc = ctypes.CDLL(None, use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is not None:
        rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
        if rc == 0:
            return
        if ctypes.get_errno() not in (errno.ENOSYS, errno.EINVAL):
            raise OSError(ctypes.get_errno(), f"cannot swap {a} and {b}")
    backup = b.with_name(b.name + ".old")
    b.rename(backup)
    a.rename(b)
    backup.rename(a)


@contextlib.contextmanager
def _locked(target: Path) -> Iterator[None]:
    """One writer per tree at a time (two renders racing would lose one's output).

    The lock is on the tree's own directory (created empty when new), so trees side by
    side under rendered/ render at once. The swap moves that directory away; a render
    that locked it then finds the path holds another directory and locks that one.
    """
    target.mkdir(parents=True, exist_ok=True)
    while True:
        fd = os.open(target, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            os.close(fd)
            raise UserError(f"{target}: another gencfg render is writing this tree") from exc
        if target.stat().st_ino == os.fstat(fd).st_ino:
            break
        os.close(fd)  # swapped while we waited: lock the tree now in place
    try:
        yield
    finally:
        os.close(fd)


def _real_target(target: Path) -> Path:
    """The directory to write: a symlinked output is followed, a dangling one refused."""
    if not target.is_symlink():
        return target
    real = target.resolve()
    if not real.is_dir():
        raise UserError(f"{target}: a symlink to {real}, which is not a directory; not written")
    return real


def _remove_leftovers(target: Path) -> None:
    """Remove trees a killed or failed render left beside ``target`` (unless in use)."""
    for stale in target.parent.glob(f".{target.name}.tmp-*"):
        fd = os.open(stale, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # the previous tree of a render still cleaning up
        finally:
            os.close(fd)
        shutil.rmtree(stale, ignore_errors=True)


def _guard(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise UserError(f"{target}: exists and is not a directory")
    if target.is_dir() and any(target.iterdir()) and not (target / MANIFEST).is_file():
        raise UserError(
            f"{target}: not a gencfg rendered tree (no {MANIFEST}); refusing to replace it"
        )


def _fill(tmp: Path, target: Path, files: Mapping[str, bytes], changes: Changes) -> None:
    keep = set(changes.unchanged)
    made: set[Path] = set()
    for rel, data in sorted(files.items()):
        dest = tmp / rel
        if dest.parent not in made:
            dest.parent.mkdir(parents=True, exist_ok=True)
            made.add(dest.parent)
        if rel in keep:
            try:
                os.link(target / rel, dest)
                continue
            except OSError:
                shutil.copy2(target / rel, dest)
                continue
        dest.write_bytes(data)


def write_tree(target: Path, files: Mapping[str, bytes]) -> Changes:
    """Make the tree at ``target`` hold exactly ``files``; return what changed.

    A symlinked ``target`` is followed (the link stays). Once the new tree is in place,
    failing to remove the previous one is reported in ``Changes.leftover``, not as a
    failed write; the next render removes it.
    """
    target = _real_target(target)
    _guard(target)
    with _locked(target):
        _guard(target)
        _remove_leftovers(target)
        changes = compare(target, files)
        if not changes.any:
            return changes
        tmp = target.parent / f".{target.name}.tmp-{os.getpid()}"
        try:
            tmp.mkdir()
            _fill(tmp, target, files, changes)
            _exchange(tmp, target)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise ExternalError(
                f"{target}: cannot write the rendered tree (the previous tree is unchanged): {exc}"
            ) from exc
        try:
            shutil.rmtree(tmp)
        except OSError as exc:
            changes.leftover = f"{tmp}: the previous tree could not be removed ({exc})"
        return changes
