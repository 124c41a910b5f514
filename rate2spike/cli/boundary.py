"""The command line's one error boundary: every expected failure becomes a one-line message
naming the cause and the fix, with exit status 2 (130 for an interrupt); an unexpected exception
keeps its traceback and says where to report it (exit 1)."""
from __future__ import annotations

import errno
import sys
import traceback

from .. import interrupts
from ..errors import Rate2SpikeError
from ..version import __version__

#: how each command continues after an interrupt or a full disk
CONTINUE = {"convert": "rerun the same command with --resume",
            "study": "rerun the same command: finished nets are kept and not recomputed",
            "snn-study": "rerun the same command: finished runs are kept and not recomputed",
            "train-snn": "rerun the same command: it continues from the last finished epoch"}


def _continue(command: str) -> str:
    return CONTINUE.get(command, "rerun the command")


def message(exc: BaseException, command: str) -> tuple[str, int] | None:
    """(one-line message, exit status) of an expected failure, or None for a bug."""
    if isinstance(exc, Rate2SpikeError):
        return str(exc), 2
    if isinstance(exc, KeyboardInterrupt):
        return f"interrupted; finished work is saved ({_continue(command)})", 130
    if isinstance(exc, MemoryError):
        return ("out of memory; ask for fewer trials, units or samples (the estimate refuses runs "
                "it can foresee)"), 2
    if isinstance(exc, BrokenPipeError):
        return "the output was closed before the command finished (e.g. by '| head')", 2
    if isinstance(exc, PermissionError):
        return (f"permission denied: {exc.filename or exc}; choose a folder you can write "
                f"(--out) or change its permissions"), 2
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return (f"the disk is full (writing {exc.filename or 'results'}); free some space, then "
                f"{_continue(command)}: nothing half-written is kept"), 2
    if isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.ENAMETOOLONG, errno.ENOTDIR,
                                                  errno.EISDIR):
        return f"cannot write {exc.filename or ''}: {exc.strerror}; choose another --out", 2
    if isinstance(exc, (ConnectionError, TimeoutError)) or (
            isinstance(exc, OSError) and "connect" in str(exc).lower()):
        return (f"cannot reach the Dask scheduler ({exc}); check --scheduler ADDRESS, or leave it "
                f"out to run on local worker processes"), 2
    return None


def guarded(run, args) -> int:
    """``run(args)``'s exit status, every failure turned into the boundary's message. A Ctrl-C
    is the outcome whenever one arrived (:mod:`..interrupts`), even if Python dropped its
    ``KeyboardInterrupt`` in a finalizer or a program it killed made the command fail another
    way."""
    try:
        code = run(args)
        if not interrupts.received():
            return code
        raise KeyboardInterrupt
    except BaseException as exc:          # noqa: BLE001  (SystemExit passes through below)
        if isinstance(exc, SystemExit) and not interrupts.received():
            raise
        if interrupts.received():
            exc = KeyboardInterrupt()
        known = message(exc, getattr(args, "command", ""))
        if known is None:
            traceback.print_exc()
            print(f"rate2spike {__version__}: unexpected error (a bug): please report it with the "
                  f"traceback above and the command you ran", file=sys.stderr)
            return 1
        text, code = known
        print(f"rate2spike: {'error: ' if code == 2 else ''}{text}", file=sys.stderr)
        return code
