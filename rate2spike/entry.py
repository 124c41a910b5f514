"""The ``rate2spike`` command's entry point: light to import, so that a Ctrl-C while the
package loads (torch, Brian2: a few seconds) is one line and exit 130, not a traceback; once the
command is done, a late Ctrl-C (during the interpreter's shutdown) no longer changes its exit."""
from __future__ import annotations

import signal
import sys
import threading


def main(argv=None) -> int:
    from .interrupts import install, received

    install()
    try:
        from .cli import main as run

        code = run(argv)
    except KeyboardInterrupt:             # while starting, or between the boundary and here
        code = None
    # an interrupt the boundary did not report: raised outside it, or dropped by Python in a
    # finalizer after it
    if code is None or (received() and code != 130):
        print("rate2spike: interrupted; finished work is saved", file=sys.stderr)
        code = 130
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)   # done: the interpreter's exit is not interrupted
    return code


if __name__ == "__main__":
    sys.exit(main())
