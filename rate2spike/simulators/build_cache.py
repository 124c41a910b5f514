"""Compiled Brian2 programs kept between runs, so that a new network of the same shape is
not compiled again.

A standalone LIF program depends on the network's *shape* (units, inputs, copies, trial
length, synapse count, constants), not on its weights or time constants, which it reads from
data files when it starts. Brian2 rewrites only the source files whose text changed and
``make`` recompiles only those, so building a new network into the folder of an earlier one
of the same shape compiles nothing: on the default Go/NoGo sweep the build falls from ~4-10 s
to the ~1 s of code generation (``benchmarks/lambda_sweep.py`` prints both).

The folders ("slots") live under ``$RATE2SPIKE_BUILD_CACHE`` (default
``$XDG_CACHE_HOME/rate2spike/brian2``, i.e. ``~/.cache/rate2spike/brian2``; ``off`` turns the
cache off: every build then gets a fresh temporary folder, removed afterwards). A slot is
held with an exclusive ``flock`` for as long as a backend uses it, so processes (Dask
workers, two ``convert`` runs) never share one; the kernel releases the lock when a process
dies. A slot that last held the same shape (``signature``) is preferred, then an unused one,
then the one used longest ago, so that up to :data:`MAX_SLOTS` shapes stay compiled (1-25 MB
each, with the net's size). Correctness never depends on the signature: ``make`` decides what
to recompile from the files themselves.

Example
-------
>>> slot = acquire_slot("cpp_standalone", "N=200 copies=50")   # doctest: +SKIP
>>> slot.path                                                   # doctest: +SKIP
PosixPath('/home/me/.cache/rate2spike/brian2/cpp_standalone-0')
>>> slot.release()                                              # doctest: +SKIP
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from . import brian_setup
from .precompiled import precompiled_standard_headers

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no cache
    fcntl = None

CACHE_ENV = "RATE2SPIKE_BUILD_CACHE"
#: at most this many slots per device (``RATE2SPIKE_BUILD_SLOTS`` sets another number); more
#: concurrent builds get temporary folders
MAX_SLOTS = 16
SLOTS_ENV = "RATE2SPIKE_BUILD_SLOTS"
SIGNATURE_FILE = "rate2spike_signature.txt"


def cache_root() -> Path | None:
    """The folder holding the slots, or None when the cache is off (``off``, ``0``, ``no``)."""
    value = os.environ.get(CACHE_ENV, "")
    if value.strip().lower() in ("off", "0", "no", "false"):
        return None
    if value:
        return Path(value).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "rate2spike" / "brian2"


def max_slots() -> int:
    """:data:`MAX_SLOTS`, or the whole number in ``RATE2SPIKE_BUILD_SLOTS`` (at least 1)."""
    value = os.environ.get(SLOTS_ENV, "").strip()
    return max(1, int(value)) if value.isdigit() else MAX_SLOTS


class BuildSlot:
    """A build folder held exclusively by this process until :meth:`release`."""

    def __init__(self, path: Path, lock_fd: int):
        self.path, self._fd = path, lock_fd

    def wipe(self) -> None:
        """Empty the folder (after a failed build: nothing half-written is reused)."""
        for entry in self.path.iterdir():
            if entry.name in (".lock", SIGNATURE_FILE):
                continue
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)   # drops the flock
            self._fd = None


def _try_lock(path: Path) -> int | None:
    path.mkdir(parents=True, exist_ok=True)
    fd = os.open(path / ".lock", os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _signature_of(path: Path) -> str:
    try:
        return (path / SIGNATURE_FILE).read_text()
    except OSError:
        return ""


def _preference(path: Path, signature: str) -> tuple:
    """Sort key of a slot for a build of ``signature``: one that holds the same shape first (it
    compiles nothing), then an unused one (so that other shapes stay cached), then the one
    used longest ago (its signature file was written when it was last taken)."""
    held = _signature_of(path)
    if held == signature:
        return (0, 0.0)
    if not held:
        return (1, 0.0)
    try:
        return (2, (path / SIGNATURE_FILE).stat().st_mtime)
    except OSError:
        return (1, 0.0)


def acquire_slot(device: str, signature: str) -> BuildSlot | None:
    """Lock and return a slot for ``device``, preferring one last built with ``signature``;
    None when the cache is off, not writable, or all :data:`MAX_SLOTS` slots are in use."""
    root = cache_root()
    if root is None or fcntl is None:
        return None
    try:
        root.mkdir(parents=True, exist_ok=True)
        slots = [root / f"{device}-{k}" for k in range(max_slots())]
        slots.sort(key=lambda p: _preference(p, signature))
        for path in slots:
            fd = _try_lock(path)
            if fd is not None:
                brian_setup.stop_orphaned_build(path)   # a compiler of a killed worker
                (path / SIGNATURE_FILE).write_text(signature)
                for stale in path.glob("results_*"):    # of a run killed in this slot earlier
                    shutil.rmtree(stale, ignore_errors=True)
                return BuildSlot(path, fd)
    except OSError:
        return None
    return None


def build_in(directory, slot: BuildSlot | None) -> None:
    """Generate and compile the standalone program defined since ``use_standalone`` into
    ``directory`` with the precompiled standard headers; in a cache ``slot``, a failed build
    (e.g. a compiler killed mid-file) is retried once from an emptied folder."""
    with precompiled_standard_headers(cache_root()):
        try:
            brian_setup.build_standalone(directory)
        except Exception:
            if slot is None:
                raise
            slot.wipe()
            brian_setup.build_standalone(directory)
