"""The small interface every LIF backend implements, and what it is given.

A backend runs a :class:`~rate2spike.brian_models.lif.LIFBatchModel` (a fixed structure of
``n_copies`` network copies) on batches of values, compiling at most once:

- ``run_many(batches)`` -> one :class:`~rate2spike.brian_models.lif.RunResult` per
  :class:`CopyBatch`; a backend may run several batches at once (``concurrency``);
- ``device`` (the simulator actually used), ``warnings``, ``build_time_s``;
- ``close()`` frees its build folder; backends are context managers.

Implementations, one file each: :mod:`.brian_standalone` (``cpp_standalone``),
:mod:`.brian_cuda` (``cuda_standalone``), :mod:`.brian_runtime` (``cython``, ``numpy``) and
:mod:`.numpy_reference` (``reference``, not Brian2). :func:`.backends.open_backend` picks one.
"""
from __future__ import annotations

import os
from typing import NamedTuple

import numpy as np

from ..brian_models.lif import LIFBatchModel, RunResult, synaptic_lambda
from ..brian_models.noise import stream_ids

DEVICES = ("cpp_standalone", "cython", "numpy", "cuda_standalone", "reference", "torch")
#: devices whose voltage noise is the counter-based draw of (seed, trial id, unit, step), the
#: same on each of them (the reference draws from NumPy's generator unless told the streams)
COUNTER_NOISE_DEVICES = ("cpp_standalone", "numpy", "torch")
#: largest default number of network copies per run: compiled Brian2 runs are fastest at a
#: few hundred copies (see :data:`.lif.DEFAULT_COPIES_PER_RUN`); torch runs many at once
DEFAULT_COPIES_LIMIT = {"torch": 2000}


class CopyBatch(NamedTuple):
    """Values of one run of the model's copies.

    inputs : (copies, n_in, stim steps) stimulus u(t); s : (copies,) scale of each copy
    (lambda = 1/s); v0_mV : (copies * N,) initial voltages in mV; trial_ids : (copies,)
    integers naming each copy's noise (equal ids get equal counter-based noise).
    """

    inputs: np.ndarray
    s: np.ndarray
    v0_mV: np.ndarray
    trial_ids: np.ndarray


def concurrent_runs(device: str, processes: int | None = None) -> int:
    """How many batches ``run_many`` runs at once on ``device``: one process per core (or
    ``processes``) on ``cpp_standalone``, one otherwise."""
    if device != "cpp_standalone":
        return 1
    return max(1, int(processes or os.cpu_count() or 1))


def copies_limit(device: str, default: int) -> int:
    """The largest default run (network copies) on ``device``; ``default`` for Brian2's."""
    return DEFAULT_COPIES_LIMIT.get(device, default)


class Backend:
    """Base class: shape checks and per-neuron values shared by every backend."""

    device = ""

    def __init__(self, model: LIFBatchModel, seed: int = 0):
        self.model, self.seed = model, int(seed)
        self.warnings: list[str] = []
        self.build_time_s = 0.0

    @property
    def concurrency(self) -> int:
        return 1

    def checked(self, batch: CopyBatch):
        """(v0 (copies*N,), trial ids (copies,), s (copies,)) of ``batch``, shape-checked."""
        C, N = self.model.n_copies, self.model.N
        ids = np.arange(C) if batch.trial_ids is None else np.asarray(batch.trial_ids)
        if ids.shape != (C,):
            raise ValueError(f"trial_ids must have shape ({C},), got {ids.shape}")
        v0 = np.asarray(batch.v0_mV, float)
        if v0.shape != (C * N,):
            raise ValueError(f"v0_mV must have shape ({C * N},), got {v0.shape}")
        s = np.broadcast_to(np.asarray(batch.s, float), (C,))
        return v0, ids, s

    def neuron_values(self, batch: CopyBatch):
        """(stimulus table, lambda per neuron, v0 per neuron, noise stream per neuron)."""
        stim = self.model.stimulus_table(batch.inputs)
        v0, ids, s = self.checked(batch)
        N = self.model.N
        return (stim, np.repeat(synaptic_lambda(s), N), v0,
                np.repeat(stream_ids(self.seed, ids), N))

    def run(self, batch: CopyBatch) -> RunResult:
        return self.run_many([batch])[0]

    def run_many(self, batches) -> list:  # pragma: no cover - interface
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
