"""Brian2 devices for the LIF model: build once, run many times.

- ``cpp_standalone`` (default): compiled once per network structure into its own build
  directory; every later run re-executes the binary with new values (stimulus, lambda per
  copy, initial voltages, noise streams), never recompiling. Independent batches run as
  concurrent single-threaded processes of the same binary, one per core
  (:meth:`LIFRunner.run_many`): measured here, 2 processes did a 200-unit batch ~20 % faster
  than one process with 2 OpenMP threads, whose thresholder and summed-variable code objects
  run serially. With ``processes=1`` the binary uses OpenMP threads instead.
- ``cuda_standalone``: the same through brian2cuda (optional extra, needs a GPU to run).
- ``cython`` / ``numpy``: Brian2 runtime targets; objects are rebuilt per run (Cython
  caches its compiled code).
- ``reference``: not Brian2 at all, the independent NumPy cross-check simulator of
  :mod:`rate2spike.brian_models.numpy_reference`.

If the standalone compile fails (e.g. no C++ compiler), :class:`LIFRunner` falls back to
``numpy`` and records a warning in :attr:`LIFRunner.warnings`.
"""
from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from ..errors import Rate2SpikeError
from .lif import LIFBatchModel, LIFSimulation
from .noise import stream_ids

DEVICES = ("cpp_standalone", "cython", "numpy", "cuda_standalone", "reference")
STANDALONE = ("cpp_standalone", "cuda_standalone")
#: devices whose code can call the counter-based noise function (C++ and NumPy versions)
COUNTER_NOISE_DEVICES = ("cpp_standalone", "numpy")


def concurrent_runs(device: str, processes: int | None = None) -> int:
    """How many runs :meth:`LIFRunner.run_many` does at once on ``device``: one process per
    core (or ``processes``) on ``cpp_standalone``, one otherwise."""
    if device != "cpp_standalone":
        return 1
    return max(1, int(processes or os.cpu_count() or 1))


def reset_brian():
    """Forget any Brian2 device state so that a new network can be built in this process."""
    import brian2
    from brian2.devices.device import reinit_devices

    reinit_devices()
    brian2.set_device("runtime")
    brian2.prefs.codegen.target = "auto"


def _compiler_available() -> bool:
    return shutil.which(os.environ.get("CXX", "g++")) is not None or shutil.which("c++") is not None


class LIFRunner:
    """Run a :class:`LIFBatchModel` on a Brian2 device, compiling at most once.

    Parameters
    ----------
    model : the batch model (its structure fixes the compiled program).
    device : one of :data:`DEVICES`.
    build_dir : directory for standalone code (default: a fresh temporary directory,
        removed by :meth:`close`); every runner must get its own.
    seed : seed of the voltage noise. With counter-based noise (``cpp_standalone``,
        ``numpy``) a trial's noise is a function of (seed, trial id) alone, the same at every
        lambda (common random numbers) and in any batch; on ``cython``/``cuda_standalone``
        Brian2's own generator is seeded with it once per run.
    processes : concurrent single-threaded runs for ``cpp_standalone`` in :meth:`run_many`
        (default: all cores); with 1, one run at a time with ``threads`` OpenMP threads.
    threads : OpenMP threads for ``cpp_standalone`` when ``processes == 1`` (default: all
        cores; give 1 when other work already uses the cores, e.g. in a study's workers).
    """

    def __init__(self, model: LIFBatchModel, device: str = "cpp_standalone", build_dir=None,
                 seed: int = 0, threads: int | None = None, processes: int | None = None):
        if device not in DEVICES:
            raise Rate2SpikeError(f"unknown device {device!r}; valid devices: {', '.join(DEVICES)}")
        self.model, self.requested_device, self.device = model, device, device
        self.seed, self.threads = int(seed), threads or os.cpu_count() or 1
        self.processes = concurrent_runs("cpp_standalone", processes)
        self._own_dir = build_dir is None
        self.build_dir = Path(build_dir or tempfile.mkdtemp(prefix="rate2spike_brian_"))
        self.warnings: list[str] = []
        self.build_time_s = 0.0
        self._built = False
        self._runs = 0
        self._tags = itertools.count()
        if device in STANDALONE and device == "cpp_standalone" and not _compiler_available():
            self._fallback("no C++ compiler found")
        self._set_noise_source()

    @property
    def concurrency(self) -> int:
        """Runs done at once by :meth:`run_many` on the device in use (after any fallback)."""
        return concurrent_runs(self.device, self.processes)

    def _set_noise_source(self):
        self.model.noise_source = "counter" if self.device in COUNTER_NOISE_DEVICES else "brian"

    def _fallback(self, why: str):
        msg = (f"device {self.requested_device} unavailable ({why}); falling back to the "
               f"numpy runtime, which is much slower")
        warnings.warn(msg, RuntimeWarning, stacklevel=3)
        self.warnings.append(msg)
        self.device = "numpy"
        self._set_noise_source()

    # -- standalone ---------------------------------------------------------------------
    def _build_standalone(self):
        import brian2 as b2

        reset_brian()
        if self.device == "cuda_standalone":
            import brian2cuda  # noqa: F401  (registers the device)
        b2.set_device(self.device, directory=str(self.build_dir), build_on_run=False)
        if self.device == "cpp_standalone":
            b2.prefs.devices.cpp_standalone.openmp_threads = \
                0 if self.processes > 1 or self.threads == 1 else int(self.threads)
            b2.BrianLogger.suppress_name("openmp")
            # make -j (unbounded, Brian2's default) oversubscribes small machines: ~1 s slower
            b2.prefs.devices.cpp_standalone.extra_make_args_unix = [f"-j{os.cpu_count() or 1}"]
            # With OpenMP (processes == 1, threads > 1) threads sleep while they wait
            # (PASSIVE): spinning threads made a machine with other load 10-100x slower
            # (seen here: 2 such runs side by side took > 10 min instead of < 1 s).
            # RATE2SPIKE_OMP_WAIT_POLICY overrides it (ACTIVE is ~2x faster on an idle machine).
            policy = os.environ.get("RATE2SPIKE_OMP_WAIT_POLICY", "PASSIVE")
            b2.prefs.devices.cpp_standalone.run_environment_variables["OMP_WAIT_POLICY"] = policy
        b2.seed(self.seed)
        objs = self.model.build()
        objs["net"].run(self.model.duration_s * b2.second, namespace={})
        start = time.perf_counter()
        try:
            b2.get_device().build(directory=str(self.build_dir), compile=True, run=False,
                                  with_output=False)
        except Exception as exc:  # compiler missing or broken
            reset_brian()
            if self.device == "cpp_standalone":
                self._fallback(f"compilation failed: {type(exc).__name__}: {exc}")
                return
            raise Rate2SpikeError(f"could not build for {self.device}: {exc}") from exc
        self.build_time_s = time.perf_counter() - start
        self._built = True

    def _run_args(self, stim, lam, v0, streams) -> dict:
        import brian2 as b2

        o = self.model.objects
        return {o["G"].v: v0 * b2.mV, o["G"].lam: lam, o["stimulus"]: stim,
                o["G"].noise_stream: streams}

    def _run_standalone(self, stim, lam, v0, streams) -> LIFSimulation:
        import brian2 as b2

        self._runs += 1
        start = time.perf_counter()
        b2.get_device().run(directory=str(self.build_dir), results_directory=f"results_{self._runs}",
                            with_output=False, run_args=self._run_args(stim, lam, v0, streams))
        result = self.model.collect(time.perf_counter() - start,
                                    self.build_time_s if self._runs == 1 else 0.0)
        self._clean_run_files(self.build_dir / f"results_{self._runs}")
        return result

    def _clean_run_files(self, *results_dirs):
        for d in results_dirs:
            shutil.rmtree(d, ignore_errors=True)
        for f in (self.build_dir / "static_arrays").glob("init_*"):
            f.unlink(missing_ok=True)

    def _launch(self, run_args: dict, tag: str):
        """Start the compiled binary on ``run_args`` without waiting; returns (process, dir).

        The command line is the standalone binary's documented form
        ``main --results_dir DIR group.var=FILE ...`` (FILE: raw array of the variable's dtype),
        as written by Brian2's ``device.run``; each run gets its own results folder.
        """
        import subprocess

        from brian2 import TimedArray

        args = []
        for key, value in run_args.items():
            if isinstance(key, TimedArray):
                name, arr = f"{key.name}.values", np.asarray(value, dtype=key.values.dtype)
            else:
                name, arr = f"{key.group_name}.{key.name}", np.asarray(value, dtype=key.dtype)
            fname = Path("static_arrays") / f"init_{name.replace('.', '_')}_{tag}.dat"
            np.ascontiguousarray(arr).tofile(self.build_dir / fname)
            args.append(f"{name}={fname}")
        results = self.build_dir / f"results_{tag}"
        results.mkdir(exist_ok=True)
        with open(results / "stdout.txt", "w") as out:   # (built without OpenMP)
            proc = subprocess.Popen([str(self.build_dir / "main"), "--results_dir", f"{results}/",
                                     *args], cwd=self.build_dir, stdout=out,
                                    stderr=subprocess.STDOUT)
        return proc, results

    def _collect_from(self, results: Path, sim_time_s: float) -> LIFSimulation:
        from brian2 import get_device

        device = get_device()
        device.results_dir = f"{results}/"   # where the monitors' arrays are read from
        device.has_been_run = True
        self._runs += 1
        return self.model.collect(sim_time_s, self.build_time_s if self._runs == 1 else 0.0)

    def _run_concurrently(self, jobs) -> list:
        """Run prepared jobs (stim, lam, v0, streams) as concurrent processes; one result each.
        Each result's ``sim_time_s`` is the wall time of its wave divided by the wave's size."""
        results = []
        for a in range(0, len(jobs), self.concurrency):
            wave = jobs[a:a + self.concurrency]
            start = time.perf_counter()
            launched = [self._launch(self._run_args(*job), f"{next(self._tags)}_{os.getpid()}")
                        for job in wave]
            failed = [d for proc, d in launched if proc.wait() != 0]
            wall = time.perf_counter() - start
            if failed:
                log = (failed[0] / "stdout.txt").read_text()[-2000:]
                self._clean_run_files(*(d for _, d in launched))
                raise Rate2SpikeError(f"the compiled LIF program failed in {failed[0]}:\n{log}")
            for _, d in launched:
                results.append(self._collect_from(d, wall / len(wave)))
            self._clean_run_files(*(d for _, d in launched))
        return results

    # -- runtime ------------------------------------------------------------------------
    def _run_runtime(self, stim, lam, v0, streams) -> LIFSimulation:
        import brian2 as b2

        reset_brian()
        b2.prefs.codegen.target = self.device
        b2.seed(self.seed)
        start = time.perf_counter()
        objs = self.model.build()
        objs["stimulus"].values[:] = stim  # (read before the first run)
        objs["G"].v = v0 * b2.mV
        objs["G"].lam = lam
        objs["G"].noise_stream = streams
        build = time.perf_counter() - start
        start = time.perf_counter()
        objs["net"].run(self.model.duration_s * b2.second, namespace={})
        return self.model.collect(time.perf_counter() - start, build)

    # -- NumPy cross-check ---------------------------------------------------------------
    def _run_reference(self, inputs, lam, v0_mV, trial_ids=None) -> LIFSimulation:
        from .numpy_reference import simulate_reference

        m = self.model
        m.stimulus_table(inputs)                  # same argument checks as the Brian2 devices
        v0, ids = self._checked(v0_mV, trial_ids)
        return simulate_reference(m.w_rec, m.w_in, m.w_out, m.tau_d_s, inputs, m.stim_dt_s, lam,
                                  v0, m.c, seed=[self.seed, *map(int, ids)])

    # -- public -------------------------------------------------------------------------
    def _checked(self, v0_mV, trial_ids):
        """Initial voltages (copies*N,) and trial ids (copies,) of one batch, shape-checked."""
        C, N = self.model.n_copies, self.model.N
        ids = np.arange(C) if trial_ids is None else np.asarray(trial_ids)
        if ids.shape != (C,):
            raise ValueError(f"trial_ids must have shape ({C},), got {ids.shape}")
        v0 = np.asarray(v0_mV, float)
        if v0.shape != (C * N,):
            raise ValueError(f"v0_mV must have shape ({C * N},), got {v0.shape}")
        return v0, ids

    def _prepare(self, inputs, lam, v0_mV, trial_ids):
        """The per-neuron values of one batch for the Brian2 devices."""
        stim = self.model.stimulus_table(inputs)
        v0, ids = self._checked(v0_mV, trial_ids)
        N = self.model.N
        return (stim, np.repeat(np.asarray(lam, float), N), v0,
                np.repeat(stream_ids(self.seed, ids), N))

    def run(self, inputs: np.ndarray, lam: np.ndarray, v0_mV: np.ndarray,
            trial_ids=None) -> LIFSimulation:
        """Simulate all copies: inputs (copies, n_in, steps); lam (copies,) = 1/s;
        v0_mV (copies*N,) initial voltages in mV; trial_ids (copies,) integers naming each
        copy's noise (default 0 ... copies-1): equal ids get equal noise (counter noise)."""
        return self.run_many([(inputs, lam, v0_mV, trial_ids)])[0]

    def run_many(self, batches) -> list:
        """Simulate several independent batches, each a tuple (inputs, lam, v0_mV, trial_ids)
        as for :meth:`run`; concurrently (one process per core) on ``cpp_standalone``."""
        if self.device == "reference":
            return [self._run_reference(*b) for b in batches]
        jobs = [self._prepare(*b) for b in batches]
        if self.device in STANDALONE and not self._built:
            self._build_standalone()
        if self._built and self.concurrency > 1:
            return self._run_concurrently(jobs)
        if self.device in STANDALONE and self._built:
            return [self._run_standalone(*job) for job in jobs]
        return [self._run_runtime(*job) for job in jobs]

    def close(self):
        reset_brian()
        if self._own_dir:
            shutil.rmtree(self.build_dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
