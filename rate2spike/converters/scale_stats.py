"""Accumulate one scale's results run by run, in memory O(N + trials), whatever the number of
trials: each chunk of trials is scored at once (the task's LIF rule) under every readout
(Kim et al.'s, and the calibrated ones when the sweep fits them), its squared error to the
target is summed, spikes are summed per unit, and only the example trials' outputs and spikes
are kept."""
from __future__ import annotations

import numpy as np

from ..results import ScaleExample, ScaleResult
from ..tasks import Task, TrialBatch, per_condition_accuracy
from .calibration import calibrated_outputs, targets_at_samples


class ScaleAccumulator:
    """Collects the trials of scale ``s`` on ``batch``; the first ``n_examples`` positions of
    the batch are the example trials (``example_ids``: their indices in the caller's batch).
    ``network``: the converted net (its readout traces for ``lstsq``); ``readouts``:
    {fit: CalibratedReadout or None} scored, ``fit``: the one that decides the accuracy."""

    def __init__(self, s: float, task: Task, batch: TrialBatch, network,
                 example_ids: np.ndarray, readouts: dict | None = None, fit: str = "none"):
        self.s, self.task, self.batch, self.network = s, task, batch, network
        self.readout_dt_s = network.constants.readout_dt_s
        self.exc_unit, self.example_ids = network.rate.dale_sign > 0, np.asarray(example_ids)
        self.readouts, self.fit = readouts or {"none": None}, fit
        n, n_ex = len(batch), len(example_ids)
        self.correct = {name: np.zeros(n, bool) for name in self.readouts}
        self.sq_error = dict.fromkeys(self.readouts, 0.0)
        self.n_samples = 0
        self.count_sum = np.zeros(len(self.exc_unit), np.int64)
        self.example_outputs = [None] * n_ex
        self.example_raw = [None] * n_ex
        self.rasters = [None] * n_ex
        self.sim_time_s, self.missing = 0.0, n

    def add(self, chunk) -> None:
        """Add a :class:`~rate2spike.simulators.RunChunk` of this scale."""
        t = chunk.trials
        z = targets_at_samples(self.batch.targets[t], self.batch.dt_s, self.readout_dt_s,
                               chunk.outputs.shape[1])
        outputs = calibrated_outputs(chunk, self.network, self.readouts)
        for name, o in outputs.items():
            self.correct[name][t] = self.task.score(o, self.batch.labels[t], self.readout_dt_s,
                                                    window="lif")
            self.sq_error[name] += float(((o - z) ** 2).sum())
        self.n_samples += z.size
        self.count_sum += chunk.spike_counts.sum(axis=0)
        for k, trial in enumerate(t):
            if trial < len(self.example_outputs):
                self.example_outputs[trial] = outputs[self.fit][k]
                self.example_raw[trial] = chunk.outputs[k]
                self.rasters[trial] = chunk.rasters[int(trial)]
        self.sim_time_s += chunk.sim_time_s
        self.missing -= len(t)

    def finish(self, device: str) -> tuple:
        """(ScaleResult, ScaleExample) once every trial is in."""
        n = len(self.batch)
        duration = self.batch.inputs.shape[2] * self.batch.dt_s
        exc, inh = self.exc_unit, ~self.exc_unit
        rate = lambda units: float(self.count_sum[units].sum() / (n * units.sum()) / duration)  # noqa: E731
        names = self.task.condition_names
        fits = {}
        for name, readout in self.readouts.items():
            fits[name] = {"accuracy": float(self.correct[name].mean()),
                          "output_mse": self.sq_error[name] / max(self.n_samples, 1),
                          "per_condition": per_condition_accuracy(self.correct[name],
                                                                  self.batch.conditions, names)}
            if readout is not None:
                fits[name].update(offset=readout.offset, **{k: v for k, v in readout.info.items()
                                                            if k in ("gain", "ridge")})
        chosen = fits[self.fit]
        result = ScaleResult(
            self.s, chosen["accuracy"], chosen["per_condition"],
            rate(exc) if exc.any() else float("nan"), rate(inh) if inh.any() else float("nan"),
            int(self.count_sum.sum()), self.sim_time_s, n, device, self.fit,
            chosen["output_mse"], fits if len(fits) > 1 else {})
        ids = self.example_ids
        example = ScaleExample(
            np.stack(self.example_outputs).astype(np.float32), ids,
            np.concatenate([r[0] for r in self.rasters]) if len(ids) else np.zeros(0, int),
            np.concatenate([r[1] for r in self.rasters]) if len(ids) else np.zeros(0),
            np.concatenate([np.full(len(r[0]), ids[j]) for j, r in enumerate(self.rasters)])
            if len(ids) else np.zeros(0, int),
            self.count_sum / n / duration,
            # Kim et al.'s outputs beside the calibrated ones (the same arrays without a fit)
            np.stack(self.example_raw).astype(np.float32) if len(ids) and self.fit != "none"
            else np.zeros((0, 0)),
            *_readout_arrays(self.readouts.get(self.fit)))
        return result, example


def _readout_arrays(readout) -> tuple:
    """(weights (N,) in s, offset (1,)) of a fitted readout; empty arrays for none."""
    if readout is None:
        return np.zeros(0), np.zeros(0)
    return np.asarray(readout.weights_s, float), np.array([readout.offset])
