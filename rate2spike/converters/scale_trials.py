"""Which held-out trials each s of a sweep sees: the same trials and noise at every s (common
random numbers, ``common``: our default) or fresh trials and noise per s (``fresh``: as the
authors' ``lambda_grid_search.m``, which draws new trials for every scaling factor).

Fresh trials of scale s come from the trial generator seeded with (seed, 1000, round(100 s))
(stream ``fresh_scale_trials`` of :mod:`rate2spike.seeds`)
and get the noise ids ``FRESH_ID_OFFSET + 2**16 * (round(100 s) mod 2**15) + j``, so they do
not depend on which other scales are swept (a resumed or extended sweep draws the same ones).
In every scale's batch the example trials (first of each condition) come first.

Example
-------
>>> plan = plan_scale_trials(task, batch, [20.0, 25.0], "fresh", seed=0)   # doctest: +SKIP
>>> plan.batches[20.0].inputs.shape == batch.inputs.shape                  # doctest: +SKIP
True
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..errors import Rate2SpikeError
from ..seeds import NOISE_ID_OFFSETS, stream_rng
from ..tasks import Task, TrialBatch, first_trial_per_condition

TRIAL_SAMPLINGS = ("common", "fresh")
#: noise ids of fresh trials start here (held-out trials: 0 ... n-1; calibration: 10^7 + j)
FRESH_ID_OFFSET = NOISE_ID_OFFSETS["fresh_scale_trials"]


def examples_first(batch: TrialBatch) -> tuple:
    """(batch with the example trials first, that order, number of examples)."""
    examples = first_trial_per_condition(batch.conditions)
    order = np.concatenate([examples, np.setdiff1d(np.arange(len(batch)), examples)])
    return batch.subset(order), order, len(examples)


@dataclass
class ScaleTrialPlan:
    """The held-out trials of every s: ``batches`` {s: batch, examples first}, ``orders`` {s:
    indices of those trials in their unordered batch}, one input array for the simulator
    (``inputs``, ``ids``) in which scale s's trials start at ``offsets[s]``, and the number of
    example trials ``n_examples`` {s: k}."""

    batches: dict
    orders: dict
    offsets: dict
    inputs: np.ndarray
    ids: np.ndarray
    n_examples: dict

    def positions(self, s: float, local) -> np.ndarray:
        return self.offsets[s] + np.asarray(local, int)

    def local(self, chunk):
        """The chunk with its trial positions (and raster/state keys) in its scale's batch."""
        off = self.offsets[chunk.s]
        if off == 0:
            return chunk
        return replace(chunk, trials=chunk.trials - off,
                       rasters={k - off: v for k, v in chunk.rasters.items()},
                       states={k - off: v for k, v in chunk.states.items()})


def fresh_batch(task: Task, n_trials: int, s: float, seed: int) -> TrialBatch:
    """The fresh held-out trials of scale s (see the module docstring)."""
    return task.generate(n_trials, stream_rng("fresh_scale_trials", seed, int(round(100 * s))))


def plan_scale_trials(task: Task, batch: TrialBatch, scales, sampling: str,
                      seed: int) -> ScaleTrialPlan:
    """The held-out trials of each s in ``scales`` under ``sampling`` (``batch`` for every s
    when ``common``; its size for each s when ``fresh``)."""
    if sampling not in TRIAL_SAMPLINGS:
        raise Rate2SpikeError(f"trial sampling {sampling!r} is not one of "
                              f"{', '.join(TRIAL_SAMPLINGS)}")
    plan = ScaleTrialPlan({}, {}, {}, None, None, {})
    if sampling == "common":
        ordered, order, k = examples_first(batch)
        for s in scales:
            plan.batches[s], plan.orders[s], plan.offsets[s], plan.n_examples[s] = (
                ordered, order, 0, k)
        plan.inputs, plan.ids = ordered.inputs, order
        return plan
    inputs, ids, n = [], [], len(batch)
    for i, s in enumerate(scales):
        ordered, order, k = examples_first(fresh_batch(task, n, s, seed))
        plan.batches[s], plan.orders[s], plan.offsets[s], plan.n_examples[s] = (
            ordered, order, i * n, k)
        inputs.append(ordered.inputs)
        ids.append(FRESH_ID_OFFSET + 2 ** 16 * (int(round(100 * s)) % 2 ** 15) + order)
    plan.inputs = np.concatenate(inputs) if inputs else batch.inputs[:0]
    plan.ids = np.concatenate(ids) if ids else np.zeros(0, int)
    return plan
