"""Brian2 ``cpp_standalone`` backend: compile once, re-run the binary with new values.

The model is compiled once into its own build folder; every later batch re-executes the
binary with new values (stimulus, lambda per copy, initial voltages, noise streams), never
recompiling. The folder is a slot of the build cache (:mod:`.build_cache`) unless one is
given: a later network of the same shape, in this process or another, compiles nothing.
Independent batches run as concurrent single-threaded processes of the same
binary, one per core: measured here, 2 processes did a 200-unit batch ~20 % faster than one
process with 2 OpenMP threads, whose thresholder and summed-variable code objects run
serially. With ``processes=1`` the binary uses ``threads`` OpenMP threads instead.
"""
from __future__ import annotations

import itertools
import os
import shutil
import signal
import tempfile
import time
from pathlib import Path

from ..brian_models.lif import LIFBatchModel
from ..errors import Rate2SpikeError
from . import brian_setup, build_cache
from .base import Backend, concurrent_runs


class BuildError(Rate2SpikeError):
    """The standalone program could not be generated or compiled."""


class StandaloneBackend(Backend):
    """Compiled Brian2 backend (see the module docstring).

    build_dir : folder for the generated code (default: a build-cache slot, held until
        :meth:`close`, or a fresh temporary folder removed by :meth:`close` when the cache is
        off or full); every backend must get its own.
    processes : concurrent single-threaded runs (default: all cores); with 1, one run at a
        time with ``threads`` OpenMP threads (default: all cores).
    """

    device = "cpp_standalone"

    def __init__(self, model: LIFBatchModel, seed: int = 0, build_dir=None,
                 processes: int | None = None, threads: int | None = None):
        super().__init__(model, seed)
        self.processes = concurrent_runs("cpp_standalone", processes)
        self.threads = threads or os.cpu_count() or 1
        self._slot = None if build_dir else build_cache.acquire_slot(self.device,
                                                                     model.shape_signature())
        self._own_dir = build_dir is None and self._slot is None
        self.build_dir = Path(build_dir or (self._slot.path if self._slot else
                                            tempfile.mkdtemp(prefix="rate2spike_brian_")))
        self._runs = 0
        self._tags = itertools.count()
        model.noise_source = "counter"

    @property
    def concurrency(self) -> int:
        return self.processes

    def _openmp_threads(self) -> int:
        return 0 if self.processes > 1 or self.threads == 1 else int(self.threads)

    def build(self) -> "StandaloneBackend":
        """Generate and compile the model; raises :class:`BuildError` if that fails."""
        import brian2 as b2

        brian_setup.use_standalone(self.device, self.build_dir, self._openmp_threads())
        b2.seed(self.seed)
        objs = self.model.build()
        objs["net"].run(self.model.duration_s * b2.second, namespace={})
        start = time.perf_counter()
        try:
            build_cache.build_in(self.build_dir, self._slot)
        except Exception as exc:  # compiler missing or broken
            brian_setup.reset_brian()
            raise BuildError(f"could not build for {self.device}: {type(exc).__name__}: {exc}") \
                from exc
        self.build_time_s = time.perf_counter() - start
        return self

    def run_args(self, stim, lam, v0, streams) -> dict:
        """Brian2 ``run_args`` of one batch (the model's variables -> values)."""
        import brian2 as b2

        o = self.model.objects
        return {o["G"].v: v0 * b2.mV, o["G"].lam: lam, o["stimulus"]: stim,
                o["G"].noise_stream: streams}

    def _result(self, sim_time_s: float):
        self._runs += 1
        return self.model.collect(sim_time_s, self.build_time_s if self._runs == 1 else 0.0)

    def _run_one(self, values):
        tag = f"{next(self._tags)}_{os.getpid()}"
        start = time.perf_counter()
        try:
            results = brian_setup.run_standalone(self.build_dir, self.run_args(*values), f"results_{tag}")
        except BaseException:          # Ctrl-C or a failed run: its results folder goes too
            brian_setup.clean_run_files(self.build_dir, self.build_dir / f"results_{tag}")
            raise
        result = self._result(time.perf_counter() - start)
        brian_setup.clean_run_files(self.build_dir, results)
        return result

    def _run_wave(self, wave) -> list:
        """Run prepared batches as concurrent processes; each result's ``sim_time_s`` is the
        wave's wall time divided by its size."""
        start = time.perf_counter()
        launched = []
        try:
            for values in wave:
                launched.append(brian_setup.launch_binary(self.build_dir, self.run_args(*values),
                                                          f"{next(self._tags)}_{os.getpid()}"))
            codes = [proc.wait() for proc, _ in launched]
        except BaseException:            # Ctrl-C or another failure: no program or file outlives it
            for proc, _ in launched:
                proc.kill()
                proc.wait()
            brian_setup.clean_run_files(self.build_dir, *(d for _, d in launched))
            raise
        if -signal.SIGINT in codes:      # the terminal's Ctrl-C reached the programs first
            brian_setup.clean_run_files(self.build_dir, *(d for _, d in launched))
            raise KeyboardInterrupt
        failed = [d for (_, d), code in zip(launched, codes) if code != 0]
        wall = time.perf_counter() - start
        if failed:
            log = (failed[0] / "stdout.txt").read_text()[-2000:]
            brian_setup.clean_run_files(self.build_dir, *(d for _, d in launched))
            raise Rate2SpikeError(f"the compiled LIF program failed in {failed[0]}:\n{log}")
        results = []
        for _, d in launched:
            brian_setup.read_results_from(d)
            results.append(self._result(wall / len(wave)))
        brian_setup.clean_run_files(self.build_dir, *(d for _, d in launched))
        return results

    def run_many(self, batches) -> list:
        values = [self.neuron_values(b) for b in batches]
        if self.concurrency == 1:
            return [self._run_one(v) for v in values]
        results = []
        for a in range(0, len(values), self.concurrency):
            results += self._run_wave(values[a:a + self.concurrency])
        return results

    def close(self) -> None:
        self.model.objects = None   # frees the Brian2 names for the next network
        brian_setup.reset_brian()
        if self._own_dir:
            shutil.rmtree(self.build_dir, ignore_errors=True)
        if self._slot is not None:
            brian_setup.clean_run_files(self.build_dir)
            self._slot.release()
            self._slot = None
