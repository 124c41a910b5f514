"""Accumulate one scale's results run by run, in memory O(N + trials), whatever the number of
trials: each chunk of trials is scored at once (the task's LIF rule), spikes are summed per
unit, and only the example trials' outputs and spikes are kept."""
from __future__ import annotations

import numpy as np

from ..results import ScaleExample, ScaleResult
from ..tasks import Task, TrialBatch, per_condition_accuracy


class ScaleAccumulator:
    """Collects the trials of scale ``s`` on ``batch``; the first ``n_examples`` positions of
    the batch are the example trials (``example_ids``: their indices in the caller's batch)."""

    def __init__(self, s: float, task: Task, batch: TrialBatch, readout_dt_s: float,
                 exc_unit: np.ndarray, example_ids: np.ndarray):
        self.s, self.task, self.batch, self.readout_dt_s = s, task, batch, readout_dt_s
        self.exc_unit, self.example_ids = exc_unit, np.asarray(example_ids)
        n, n_ex = len(batch), len(example_ids)
        self.correct = np.zeros(n, bool)
        self.count_sum = np.zeros(len(exc_unit), np.int64)
        self.example_outputs = [None] * n_ex
        self.rasters = [None] * n_ex
        self.sim_time_s, self.missing = 0.0, n

    def add(self, chunk) -> None:
        """Add a :class:`~rate2spike.simulators.RunChunk` of this scale."""
        t = chunk.trials
        self.correct[t] = self.task.score(chunk.outputs, self.batch.labels[t], self.readout_dt_s,
                                          window="lif")
        self.count_sum += chunk.spike_counts.sum(axis=0)
        for k, trial in enumerate(t):
            if trial < len(self.example_outputs):
                self.example_outputs[trial] = chunk.outputs[k]
                self.rasters[trial] = chunk.rasters[int(trial)]
        self.sim_time_s += chunk.sim_time_s
        self.missing -= len(t)

    def finish(self, device: str) -> tuple:
        """(ScaleResult, ScaleExample) once every trial is in."""
        n = len(self.batch)
        duration = self.batch.inputs.shape[2] * self.batch.dt_s
        exc, inh = self.exc_unit, ~self.exc_unit
        rate = lambda units: float(self.count_sum[units].sum() / (n * units.sum()) / duration)  # noqa: E731
        result = ScaleResult(
            self.s, float(self.correct.mean()),
            per_condition_accuracy(self.correct, self.batch.conditions, self.task.condition_names),
            rate(exc) if exc.any() else float("nan"), rate(inh) if inh.any() else float("nan"),
            int(self.count_sum.sum()), self.sim_time_s, n, device)
        ids = self.example_ids
        example = ScaleExample(
            np.stack(self.example_outputs).astype(np.float32), ids,
            np.concatenate([r[0] for r in self.rasters]) if len(ids) else np.zeros(0, int),
            np.concatenate([r[1] for r in self.rasters]) if len(ids) else np.zeros(0),
            np.concatenate([np.full(len(r[0]), ids[j]) for j, r in enumerate(self.rasters)])
            if len(ids) else np.zeros(0, int),
            self.count_sum / n / duration)
        return result, example
