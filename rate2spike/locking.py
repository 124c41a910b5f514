"""An exclusive lock on an output folder, so that two processes never write into one.

``rate2spike convert --out D`` and a ``--resume`` of it, or two studies in one folder, would
otherwise interleave their files. The lock is the file ``D/.rate2spike.lock``, held with an
exclusive ``fcntl.flock`` (the kernel arbitrates: two processes can never hold it at once, and it
is released when its process dies, even by ``kill -9``); it holds the owner's process id for the
message that refuses a second writer. A lock file naming a running process that holds no flock
(written by an older rate2spike) is respected too. Taking the lock also removes the temporary
files of a writer that was killed mid-write (:func:`remove_orphans`).

Example
-------
>>> import tempfile
>>> with folder_lock(tempfile.mkdtemp()):
...     pass   # write the folder's files here
"""
from __future__ import annotations

import errno
import fcntl
import os
from contextlib import contextmanager
from pathlib import Path

from .errors import Rate2SpikeError

LOCK_NAME = ".rate2spike.lock"
#: flock errors meaning "this file system cannot lock"
UNSUPPORTED = (errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOLCK)
#: the suffix of rate2spike's temporary files (:func:`rate2spike.artifacts.atomic_write_bytes`)
TMP_SUFFIX = ".r2s.tmp"
#: the lock files this process holds: path -> [file descriptor, nesting depth]
_HELD: dict = {}


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


#: what a flock-held lock file says before the pid; a bare pid is an older rate2spike's pid lock
MARK = "flock:"


def _owner(fd: int) -> tuple[int, bool]:
    """(pid named by the lock file, whether it was written under a flock)."""
    try:
        text = os.pread(fd, 64, 0).decode().strip()
        flocked = text.startswith(MARK)
        return int(text.removeprefix(MARK) or 0), flocked
    except (OSError, ValueError):
        return 0, False


def _busy(path: Path, owner: int) -> Rate2SpikeError:
    who = f" (pid {owner})" if owner else ""
    return Rate2SpikeError(f"{path.parent} is in use by another rate2spike process{who}; wait for "
                           f"it to finish or choose another --out")


def _acquire(path: Path) -> int:
    """Hold ``path``'s flock; returns its descriptor. The file may be unlinked by its previous
    holder between our open and our flock: then we hold an orphan and try again."""
    for _ in range(10):
        fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
        held = True
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = _owner(fd)[0]
            os.close(fd)
            raise _busy(path, owner) from None
        except OSError as exc:
            if exc.errno not in UNSUPPORTED:
                os.close(fd)
                raise
            held = False   # a file system without flock (some NFS, Lustre, GPFS mounts): pids only
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if not same:
            os.close(fd)
            continue
        owner, flocked = _owner(fd)
        if owner and owner != os.getpid() and (not flocked or not held) and _running(owner):
            os.close(fd)       # a pid lock (older rate2spike, or no flock here) of a live process
            raise _busy(path, owner)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{MARK}{os.getpid()}".encode(), 0)
        return fd
    raise Rate2SpikeError(f"could not lock {path.parent}; remove {path} if no rate2spike runs there")


def remove_orphans(folder: Path) -> list:
    """Delete the temporary files (``.NAME.XXXX.r2s.tmp``) that a writer killed mid-write left in
    ``folder`` and its sub-folders: only called with the folder's lock held, so no live writer
    owns them. Returns what was removed."""
    gone = []
    for pattern in (f".*{TMP_SUFFIX}", f"*/.*{TMP_SUFFIX}"):
        for f in folder.glob(pattern):
            if f.is_file():
                f.unlink(missing_ok=True)
                gone.append(f)
    return gone


@contextmanager
def folder_lock(folder):
    """Hold the lock of ``folder`` (created if missing) for the ``with`` block. Re-entrant
    within one process: an inner lock on a folder this process holds is a no-op."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = (folder / LOCK_NAME).resolve()
    if path in _HELD:
        _HELD[path][1] += 1
        try:
            yield
        finally:
            _HELD[path][1] -= 1
        return
    _HELD[path] = [_acquire(path), 1]
    try:
        remove_orphans(folder)
        yield
    finally:
        fd = _HELD.pop(path)[0]
        try:
            path.unlink(missing_ok=True)       # while still held: no one can hold this inode now
        finally:
            os.close(fd)
