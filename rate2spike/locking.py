"""An exclusive lock on an output folder, so that two processes never write into one.

``rate2spike convert --out D`` and a ``--resume`` of it, or two studies in one folder, would
otherwise interleave their files. The lock is a file ``D/.rate2spike.lock`` holding the owner's
process id, created atomically (``O_EXCL``); a second writer is refused at once with a message
naming the owner. A lock whose process no longer runs (a crash, ``kill -9``) is taken over.

Example
-------
>>> import tempfile
>>> with folder_lock(tempfile.mkdtemp()):
...     pass   # write the folder's files here
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from .errors import Rate2SpikeError

LOCK_NAME = ".rate2spike.lock"


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _acquire(path: Path) -> None:
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            try:
                owner = int(path.read_text().strip() or 0)
            except (OSError, ValueError):
                owner = 0
            if owner and owner != os.getpid() and _running(owner):
                raise Rate2SpikeError(
                    f"{path.parent} is in use by another rate2spike process (pid {owner}); wait "
                    f"for it to finish or choose another --out") from None
            path.unlink(missing_ok=True)    # stale: its process is gone
            continue
        with os.fdopen(fd, "w") as fh:
            fh.write(str(os.getpid()))
        return
    raise Rate2SpikeError(f"could not lock {path.parent}; remove {path} if no rate2spike runs there")


@contextmanager
def folder_lock(folder):
    """Hold the lock of ``folder`` (created if missing) for the ``with`` block. Re-entrant
    within one process: an inner lock on a folder this process holds is a no-op."""
    folder = Path(folder)
    path = folder / LOCK_NAME
    if path.is_file() and path.read_text().strip() == str(os.getpid()):
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    _acquire(path)
    try:
        yield
    finally:
        path.unlink(missing_ok=True)
