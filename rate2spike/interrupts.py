"""A Ctrl-C is never lost: the command line's SIGINT handler records that one arrived before it
raises ``KeyboardInterrupt``. Python drops a ``KeyboardInterrupt`` raised while a finalizer
(``__del__``, a weakref callback such as Brian2's instance tracking) runs, printing only an
"Exception ignored" traceback (into a file, while Brian2 redirects stderr around a compilation);
the record lets the command's error boundary still end with the interrupt's one line and exit
130 instead of finishing as if nothing had happened, and that traceback is not printed."""
from __future__ import annotations

import signal
import sys
import threading

_received = False


def _record_and_interrupt(signum, frame) -> None:
    global _received
    _received = True
    raise KeyboardInterrupt


def install() -> None:
    """Record every SIGINT from now on (main thread only). An ignored SIGINT (a job started with
    ``&`` or ``nohup``) or a handler of the caller's own is left alone."""
    if threading.current_thread() is threading.main_thread() and \
            signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _record_and_interrupt)
        previous_hook = sys.unraisablehook

        def report_unless_interrupt(unraisable) -> None:
            if not isinstance(unraisable.exc_value, KeyboardInterrupt):
                previous_hook(unraisable)

        sys.unraisablehook = report_unless_interrupt


def received() -> bool:
    """Whether a SIGINT reached this process since :func:`install`."""
    return _received
