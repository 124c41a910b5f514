"""The one place where rate2spike touches Brian2's device machinery and internals.

Used by every Brian2 backend, for the LIF and the SRC models alike:

- :func:`reset_brian` forgets any device state so that a new network can be built;
- :func:`use_standalone` selects ``cpp_standalone``/``cuda_standalone`` with our preferences;
- :func:`build_standalone` generates and compiles a network without running it, recompiling
  only the files whose text changed since the last build in the same folder (see
  :mod:`.build_cache`);
- :func:`launch_binary` / :func:`read_results_from` re-run a compiled program with new values
  and point Brian2's monitors at that run's results. Brian2's public ``device.run(run_args=...)``
  runs one process at a time; to run several at once we start the binary ourselves with its
  documented command line ``main --results_dir DIR group.var=FILE ...`` (FILE: the raw array
  in the variable's dtype, as ``device.run`` writes it) and then set ``device.results_dir``
  (the folder Brian2 reads monitor arrays from) and ``device.has_been_run``.
"""
from __future__ import annotations

import gc
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .brian_signals import check_c99_interruptibly, keep_ignored_sigint

#: Brian2 devices whose generated code can call the counter-based noise function (C++, NumPy)
BRIAN_COUNTER_NOISE_DEVICES = ("cpp_standalone", "numpy")


def reset_brian() -> None:
    """Forget any Brian2 device state so that a new network can be built in this process."""
    import brian2
    from brian2.devices.device import reinit_devices

    reinit_devices()
    brian2.set_device("runtime")
    brian2.prefs.codegen.target = "auto"
    # Ctrl-C interrupts at once: Brian2 would otherwise swallow the first one during a run
    # ("Press Ctrl+C again") and let the command finish as if nothing had happened; the
    # preference is new in Brian2 2.9 (2.8.0, which brian2cuda pins, has no such handler)
    try:
        brian2.prefs.core.stop_on_keyboard_interrupt = False
    except brian2.core.preferences.PreferenceError:
        pass
    keep_ignored_sigint(brian2)
    check_c99_interruptibly()
    # a network whose build a Ctrl-C stopped is never run: Brian2's warning about its unused
    # objects (printed when they are collected) would follow the command's one-line message
    brian2.BrianLogger.suppress_name("unused_brian_object")
    # Objects of an earlier network that are only waiting for the cycle collector keep their
    # names taken, and the next network's code objects would be renamed ``..._1``: new
    # source files, compiled again.
    gc.collect()


def compiler_available() -> bool:
    """Whether a C++ compiler is on the PATH ($CXX, g++ or c++)."""
    return shutil.which(os.environ.get("CXX", "g++")) is not None or shutil.which("c++") is not None


def use_standalone(device: str, directory, openmp_threads: int = 0) -> None:
    """Select a standalone device building into ``directory`` (nothing is built on run).

    On ``cpp_standalone``: ``openmp_threads`` threads (0: none); ``make -j<cores>`` (Brian2's
    unbounded ``make -j`` oversubscribes small machines, ~1 s slower); OpenMP threads that sleep
    while they wait (PASSIVE): spinning threads made a machine with other load 10-100x slower
    (2 such runs side by side took > 10 min instead of < 1 s). RATE2SPIKE_OMP_WAIT_POLICY
    overrides it (ACTIVE is ~2x faster on an idle machine).
    """
    import brian2 as b2

    reset_brian()
    if device == "cuda_standalone":
        import brian2cuda  # noqa: F401  (registers the device)
    b2.set_device(device, directory=str(directory), build_on_run=False)
    if device == "cpp_standalone":
        b2.prefs.devices.cpp_standalone.openmp_threads = int(openmp_threads)
        b2.BrianLogger.suppress_name("openmp")
        b2.prefs.devices.cpp_standalone.extra_make_args_unix = [f"-j{os.cpu_count() or 1}"]
        policy = os.environ.get("RATE2SPIKE_OMP_WAIT_POLICY", "PASSIVE")
        b2.prefs.devices.cpp_standalone.run_environment_variables["OMP_WAIT_POLICY"] = policy


#: a line of ``main`` that resets a clock; Brian2 orders these from a set, so their order
#: changes from one process to the next
_CLOCK_RESET = re.compile(r"^\s*_array_\w*clock_(timestep|t)\[0\] = [-+.0-9eE]+;\s*$")


def canonical_main(text: str) -> str:
    """``text`` with every run of consecutive clock-reset lines sorted: independent
    assignments of constants, whose order Brian2 takes from a set (so it varies between
    processes and would make ``make`` recompile ``main`` for nothing)."""
    out, run = [], []
    for line in text.split("\n"):
        if _CLOCK_RESET.match(line):
            run.append(line)
            continue
        out += sorted(run) + [line]
        run = []
    return "\n".join(out + sorted(run))


#: appended to Brian2's makefile: the files whose code runs once, before or after the
#: simulation, compiled at -O1 (the last -O given wins): ``objects.cpp`` (~65 kB: declares,
#: allocates, loads and saves the arrays; 1.2 s instead of 2.2 s, the largest file of a build),
#: ``main.cpp`` (sets the initial values, runs the network once), the synapse creation
#: (``*_create_array_codeobject``) and the ``before_run_`` / ``after_run_`` code objects (spike
#: queue setup, bookkeeping). Builds are 5-10 % shorter (``benchmarks/compile_time.py --o1``); every code
#: object that runs at each time step keeps -O3 (spikes unchanged: the spike-for-spike tests)
SETUP_AT_O1 = ("\n# rate2spike: code that runs once, not at every time step\n"
               "objects.o main.o code_objects/before_run_%.o code_objects/after_run_%.o "
               "code_objects/%_create_array_codeobject.o: OPTIMISATIONS += -O1\n")


def _rewrite_keeping_stamp(path: Path, text: str, before: tuple | None) -> None:
    """Write ``text`` to ``path``; if it equals the text ``before`` (text, time stamp) the file
    keeps the old time stamp, so that ``make`` does not rebuild what depends on it."""
    path.write_text(text)
    if before is not None and text == before[0]:
        os.utime(path, ns=(before[1], before[1]))


def build_standalone(directory) -> None:
    """Generate and compile the network defined since :func:`use_standalone` (not run).

    On ``cpp_standalone`` the code is generated first, ``main.cpp`` made canonical
    (:func:`canonical_main`) and :data:`SETUP_AT_O1` appended to the makefile; each of these
    two files keeps its time stamp when its text equals the previous build's (every object
    depends on the makefile), so ``make`` recompiles only what changed."""
    import brian2 as b2
    from brian2.codegen.cpp_prefs import get_compiler_and_args

    device = b2.get_device()
    main = Path(directory) / "main.cpp"
    if type(device).__name__ != "CPPStandaloneDevice":
        device.build(directory=str(directory), compile=True, run=False, with_output=False)
        return
    makefile = Path(directory) / "makefile"
    before = {p: (p.read_text(), p.stat().st_mtime_ns) if p.exists() else None for p in (main, makefile)}
    device.build(directory=str(directory), compile=False, run=False, with_output=False)
    _rewrite_keeping_stamp(main, canonical_main(main.read_text()), before[main])
    _rewrite_keeping_stamp(makefile, makefile.read_text() + SETUP_AT_O1, before[makefile])
    with interruptible_shell():
        device.compile_source(str(directory), get_compiler_and_args()[0], False, False)


#: one patch of ``os.system`` at a time (threads building at once wait for each other)
_SHELL_LOCK = threading.Lock()


@contextmanager
def interruptible_shell():
    """Brian2 runs ``make`` through ``os.system``, which ignores SIGINT in this process while the
    command runs: a Ctrl-C would only fail the build (and the cache would rebuild). Within this
    block its shell commands run in a session of their own instead: a Ctrl-C raises
    ``KeyboardInterrupt`` here, and the whole command (``make``, the compilers) is stopped and
    waited for before the build folder is released: SIGTERM first, on which the compiler
    drivers delete their temporary files, then SIGKILL for whatever is left after
    ``SHELL_GRACE_S``. The command's output goes to ``SHELL_LOG`` in the working folder (the
    project Brian2 builds), not to this process's streams, which Brian2 dumps whole on any
    exception: after a Ctrl-C nothing of ``make`` is printed; when the command fails, the
    log's end is written to stderr, where Brian2 shows it with its own error. While the command
    runs, its process group id is in ``SHELL_PGID`` in that folder: a process killed outright
    (a Dask worker shut down by its nanny) cannot stop the command itself, and the next user of
    the build folder does (:func:`stop_orphaned_build`). The exit status is encoded as
    ``os.system``'s."""
    def system(command: str) -> int:
        with open(SHELL_LOG, "w") as log:
            proc = subprocess.Popen(command, shell=True, start_new_session=True, stdout=log,
                                    stderr=subprocess.STDOUT)
        marker = Path(SHELL_PGID)
        marker.write_text(str(proc.pid))
        try:
            code = proc.wait()
        except BaseException:
            _stop_group(proc)
            raise
        finally:
            marker.unlink(missing_ok=True)
        if code != 0:
            with open(SHELL_LOG, errors="replace") as log:
                sys.stderr.write(log.read()[-20_000:])
        return (code & 0xFF) << 8 if code >= 0 else -code

    with _SHELL_LOCK:
        original = os.system
        os.system = system
        try:
            yield
        finally:
            os.system = original


#: where the output of a build command goes, in the folder it runs in (the project's)
SHELL_LOG = "rate2spike_build.log"

#: the process group id of a running build command, in the folder it runs in
SHELL_PGID = "rate2spike_build.pgid"

#: seconds a stopped shell command (make, the compilers) has to clean up before SIGKILL
SHELL_GRACE_S = 2.0


def _stop_group(proc) -> None:
    """SIGTERM to the process group of ``proc``, SIGKILL to whatever of it is left after
    ``SHELL_GRACE_S`` (at once on a second Ctrl-C); returns once the group is empty (or 10 s
    after the SIGKILL) and ``proc`` reaped."""
    deadline = time.monotonic() + SHELL_GRACE_S
    sig = signal.SIGTERM
    while time.monotonic() < deadline + 10:
        try:
            os.killpg(proc.pid, sig)           # signal 0: is anyone of the group left?
        except ProcessLookupError:
            break
        proc.poll()                            # reap the shell, so it does not count
        try:
            time.sleep(0.02)
        except BaseException:                  # noqa: BLE001  (a second Ctrl-C: kill now)
            deadline = 0.0
        sig = signal.SIGKILL if time.monotonic() > deadline else 0
    proc.wait()


def stop_orphaned_build(folder) -> None:
    """Kill the build command left running in ``folder`` by a process that died without
    stopping it (its ``SHELL_PGID`` file), if that group still works in ``folder``."""
    marker = Path(folder) / SHELL_PGID
    try:
        pgid = int(marker.read_text())
    except (OSError, ValueError):
        return
    try:
        if Path(os.readlink(f"/proc/{pgid}/cwd")).resolve() == Path(folder).resolve():
            os.killpg(pgid, signal.SIGKILL)
    except OSError:
        pass                                   # gone already, or not ours to judge
    marker.unlink(missing_ok=True)


def run_standalone(directory, run_args: dict, results_name: str) -> Path:
    """Run the compiled program once through Brian2 (``run_args``: variable -> values);
    returns the results folder, from which Brian2 now reads the monitors."""
    import brian2 as b2

    b2.get_device().run(directory=str(directory), results_directory=results_name,
                        with_output=False, run_args=run_args)
    return Path(directory) / results_name


def launch_binary(directory, run_args: dict, tag: str):
    """Start the compiled program on ``run_args`` without waiting; returns (process, results
    folder). Each launch gets its own results folder and input files (named by ``tag``)."""
    from brian2 import TimedArray

    directory = Path(directory)
    args = []
    for key, value in run_args.items():
        if isinstance(key, TimedArray):
            name, arr = f"{key.name}.values", np.asarray(value, dtype=key.values.dtype)
        else:
            name, arr = f"{key.group_name}.{key.name}", np.asarray(value, dtype=key.dtype)
        fname = Path("static_arrays") / f"init_{name.replace('.', '_')}_{tag}.dat"
        np.ascontiguousarray(arr).tofile(directory / fname)
        args.append(f"{name}={fname}")
    results = directory / f"results_{tag}"
    results.mkdir(exist_ok=True)
    with open(results / "stdout.txt", "w") as out:
        proc = subprocess.Popen([str(directory / "main"), "--results_dir", f"{results}/", *args],
                                cwd=directory, stdout=out, stderr=subprocess.STDOUT)
    return proc, results


def read_results_from(results: Path) -> None:
    """Make Brian2's monitors read the arrays of the run whose results are in ``results``."""
    from brian2 import get_device

    device = get_device()
    device.results_dir = f"{results}/"
    device.has_been_run = True


def clean_run_files(directory, *results_dirs) -> None:
    """Remove finished runs' results folders and input files."""
    for d in results_dirs:
        shutil.rmtree(d, ignore_errors=True)
    for f in (Path(directory) / "static_arrays").glob("init_*"):
        f.unlink(missing_ok=True)
