"""Brian2 runtime backends (``cython``, ``numpy``): the objects are rebuilt for every batch
(Cython caches its compiled code on disk). Much slower than standalone; for small checks and
as the fallback when no C++ compiler works. ``numpy`` draws the counter-based noise,
``cython`` Brian2's own ``xi`` (seeded once per run)."""
from __future__ import annotations

import time

from ..brian_models.lif import LIFBatchModel
from . import brian_setup
from .base import Backend


class RuntimeBackend(Backend):
    def __init__(self, model: LIFBatchModel, seed: int = 0, target: str = "numpy"):
        super().__init__(model, seed)
        self.device = target
        model.noise_source = "counter" if target in brian_setup.BRIAN_COUNTER_NOISE_DEVICES else "brian"

    def _run(self, stim, lam, v0, streams):
        import brian2 as b2

        brian_setup.reset_brian()
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

    def run_many(self, batches) -> list:
        return [self._run(*self.neuron_values(b)) for b in batches]

    def close(self) -> None:
        brian_setup.reset_brian()
