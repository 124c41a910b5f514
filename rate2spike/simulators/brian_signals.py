"""Brian2 and SIGINT: Brian2's import installs a SIGINT handler of its own (it turns a Ctrl-C
during a run into a request to stop after the current step, and calls the previous handler
otherwise). These functions keep a Ctrl-C what the command line expects: a
``KeyboardInterrupt`` in the main thread, no handler off it, and an ignored SIGINT still
ignored."""
from __future__ import annotations

import signal
import threading


def keep_ignored_sigint(brian2) -> None:
    """Brian2's import replaces the SIGINT handler with one that calls the previous handler;
    when SIGINT was ignored (a job started in the background with ``&``, ``nohup``) or left
    at the default, that "handler" is not callable and a SIGINT became a ``TypeError``
    traceback. Here the process gets its original disposition back (main thread only)."""
    handler = getattr(brian2, "_int_handler", None)
    previous = getattr(handler, "previous_handler", None)
    if handler is None or callable(previous) or threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGINT) is handler:
        signal.signal(signal.SIGINT, signal.SIG_DFL if previous is None else previous)


def import_brian2_off_main_thread() -> None:
    """Import Brian2 in a worker thread: its import installs a SIGINT handler, which Python
    allows only in the main thread, so the handler is skipped off the main thread (in the main
    thread, Brian2 is imported there and :func:`keep_ignored_sigint` applied)."""
    if threading.current_thread() is threading.main_thread():
        import brian2

        keep_ignored_sigint(brian2)
        return
    original = signal.signal
    signal.signal = lambda *args, **kwargs: None
    try:
        import brian2  # noqa: F401
    finally:
        signal.signal = original


def check_c99_interruptibly() -> None:
    """Brian2 asks once per process whether the C compiler supports C99 (while generating C++
    code that uses ``expm1``, ``log1p``, ``exprel``), through ``os.system``, which ignores SIGINT
    in this process while the check runs: a Ctrl-C then killed only the check (Brian2 concluded
    "no C99") and the command went on to finish with exit 0. Here the same check runs first, as
    a subprocess that leaves SIGINT alone, and Brian2 keeps its answer (POSIX only)."""
    import os
    import subprocess

    from brian2.codegen import cpp_prefs

    if cpp_prefs._compiler_supports_c99 is not None or os.name == "nt":
        return
    probe = '#if (__STDC_VERSION__ < 199901L)\n#error\n#endif\n'
    compiler = os.environ.get("CC", "cc")
    try:
        done = subprocess.run([compiler, "-xc", "-E", "-"], input=probe, text=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:                      # no compiler: Brian2 falls back to NumPy anyway
        cpp_prefs._compiler_supports_c99 = False
        return
    cpp_prefs._compiler_supports_c99 = done.returncode == 0
