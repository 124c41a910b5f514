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
