"""Brian2 devices for the LIF model: build once, run many times.

- ``cpp_standalone`` (default): compiled once per network structure into its own build
  directory; every later run re-executes the binary with new ``run_args`` (stimulus,
  lambda per copy, initial voltages), never recompiling. OpenMP uses all local cores.
- ``cuda_standalone``: the same through brian2cuda (optional extra, needs a GPU to run).
- ``cython`` / ``numpy``: Brian2 runtime targets; objects are rebuilt per run (Cython
  caches its compiled code).

If the standalone compile fails (e.g. no C++ compiler), :class:`LIFRunner` falls back to
``numpy`` and records a warning in :attr:`LIFRunner.warnings`.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from ..errors import Rate2SpikeError
from .lif import LIFBatchModel, LIFSimulation

DEVICES = ("cpp_standalone", "cython", "numpy", "cuda_standalone")
STANDALONE = ("cpp_standalone", "cuda_standalone")


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
    seed : Brian2 random seed of the voltage noise (the same for every run, so runs with
        different lambda see the same noise: common random numbers).
    threads : OpenMP threads for ``cpp_standalone`` (default: all cores).
    """

    def __init__(self, model: LIFBatchModel, device: str = "cpp_standalone", build_dir=None,
                 seed: int = 0, threads: int | None = None):
        if device not in DEVICES:
            raise Rate2SpikeError(f"unknown device {device!r}; valid devices: {', '.join(DEVICES)}")
        self.model, self.requested_device, self.device = model, device, device
        self.seed, self.threads = int(seed), threads or os.cpu_count() or 1
        self._own_dir = build_dir is None
        self.build_dir = Path(build_dir or tempfile.mkdtemp(prefix="rate2spike_brian_"))
        self.warnings: list[str] = []
        self.build_time_s = 0.0
        self._built = False
        self._runs = 0
        if device in STANDALONE and device == "cpp_standalone" and not _compiler_available():
            self._fallback("no C++ compiler found")

    def _fallback(self, why: str):
        msg = (f"device {self.requested_device} unavailable ({why}); falling back to the "
               f"numpy runtime, which is much slower")
        warnings.warn(msg, RuntimeWarning, stacklevel=3)
        self.warnings.append(msg)
        self.device = "numpy"

    # -- standalone ---------------------------------------------------------------------
    def _build_standalone(self):
        import brian2 as b2

        reset_brian()
        if self.device == "cuda_standalone":
            import brian2cuda  # noqa: F401  (registers the device)
        b2.set_device(self.device, directory=str(self.build_dir), build_on_run=False)
        if self.device == "cpp_standalone":
            b2.prefs.devices.cpp_standalone.openmp_threads = int(self.threads)
            b2.BrianLogger.suppress_name("openmp")
            # Spinning OpenMP threads make a contended machine 10-100x slower; sleep instead.
            b2.prefs.devices.cpp_standalone.run_environment_variables["OMP_WAIT_POLICY"] = "PASSIVE"
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

    def _run_standalone(self, stim, lam, v0) -> LIFSimulation:
        import brian2 as b2

        o = self.model.objects
        run_args = {o["G"].v: v0 * b2.mV, o["G"].lam: lam, o["stimulus"]: stim}
        self._runs += 1
        start = time.perf_counter()
        b2.get_device().run(directory=str(self.build_dir), results_directory=f"results_{self._runs}",
                            with_output=False, run_args=run_args)
        sim = time.perf_counter() - start
        result = self.model.collect(sim, self.build_time_s if self._runs == 1 else 0.0)
        shutil.rmtree(self.build_dir / f"results_{self._runs}", ignore_errors=True)
        for f in (self.build_dir / "static_arrays").glob("init_*"):
            f.unlink(missing_ok=True)
        return result

    # -- runtime ------------------------------------------------------------------------
    def _run_runtime(self, stim, lam, v0) -> LIFSimulation:
        import brian2 as b2

        reset_brian()
        b2.prefs.codegen.target = self.device
        b2.seed(self.seed)
        start = time.perf_counter()
        objs = self.model.build()
        objs["stimulus"].values[:] = stim  # (read before the first run)
        objs["G"].v = v0 * b2.mV
        objs["G"].lam = lam
        build = time.perf_counter() - start
        start = time.perf_counter()
        objs["net"].run(self.model.duration_s * b2.second, namespace={})
        return self.model.collect(time.perf_counter() - start, build)

    # -- public -------------------------------------------------------------------------
    def run(self, inputs: np.ndarray, lam: np.ndarray, v0_mV: np.ndarray) -> LIFSimulation:
        """Simulate all copies: inputs (copies, n_in, steps); lam (copies,) = 1/s;
        v0_mV (copies*N,) initial voltages in mV."""
        stim = self.model.stimulus_table(inputs)
        lam_neurons = np.repeat(np.asarray(lam, float), self.model.N)
        if self.device in STANDALONE and not self._built:
            self._build_standalone()
        if self.device in STANDALONE:
            return self._run_standalone(stim, lam_neurons, np.asarray(v0_mV, float))
        return self._run_runtime(stim, lam_neurons, np.asarray(v0_mV, float))

    def close(self):
        reset_brian()
        if self._own_dir:
            shutil.rmtree(self.build_dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
