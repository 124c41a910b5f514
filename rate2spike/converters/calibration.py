"""Calibration trials of the lambda search and the readouts fitted on them, scale by scale.

The calibration trials have their own trial seed and their own noise streams (trial ids from
:data:`CALIBRATION_ID_OFFSET` on), so the held-out trials that score each s are never seen by
a fit, and the held-out results of a calibrated sweep equal those of an uncalibrated one.
See :mod:`.readout_fit` for the fits.

Example
-------
>>> cal = CalibrationTrials.make(task, n_trials=50, seed=0, fit="affine")   # doctest: +SKIP
>>> sweep_scales(network, task, batch, scales, calibration=cal)           # doctest: +SKIP
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..lif_models import LIFNetwork
from ..lif_models.readout import CalibratedReadout, readout_traces
from ..seeds import NOISE_ID_OFFSETS, STREAMS, stream_seed
from ..tasks import Task, TrialBatch
from .readout_fit import NormalEquations, check_readout_fit, fit_gain, fit_ridge, output_moments

#: trial seed offset of the calibration trials (stream ``calibration_trials``; held-out
#: trials: ``sweep_trials``, see :mod:`rate2spike.seeds`)
CALIBRATION_SEED_OFFSET = STREAMS["calibration_trials"]
#: noise stream ids of calibration trial j: offset + j (held-out trials use 0 ... n-1)
CALIBRATION_ID_OFFSET = NOISE_ID_OFFSETS["calibration"]
#: ``lstsq`` is fitted on every 10th readout sample (5 ms, the rate model's step): r(t) is
#: smooth on that scale (tau_d >= 20 ms) and the fit costs a tenth
LSTSQ_SAMPLE_EVERY = 10


def targets_at_samples(targets: np.ndarray, stim_dt_s: float, readout_dt_s: float,
                       n_samples: int) -> np.ndarray:
    """The task target z(t) (trials, steps of ``stim_dt_s``) at the readout samples
    t = k ``readout_dt_s`` (the step holding t, as the stimulus), (trials, n_samples)."""
    idx = np.floor(np.arange(n_samples) * readout_dt_s / stim_dt_s + 1e-9).astype(int)
    return np.asarray(targets, float)[:, np.minimum(idx, targets.shape[1] - 1)]


def fits_computed(fit: str) -> tuple:
    """The readouts scored in a sweep whose chosen fit is ``fit``: always ``none`` (Kim et
    al.'s), ``scale`` and ``affine`` (free: they need only the output); ``lstsq`` when chosen
    (it needs every unit's trace)."""
    check_readout_fit(fit)
    if fit == "none":
        return ("none",)
    return ("none", "scale", "affine") + (("lstsq",) if fit == "lstsq" else ())


@dataclass
class CalibrationTrials:
    """The calibration trials of a sweep and the readout fit chosen to decide s."""

    batch: TrialBatch
    seed: int
    fit: str

    @classmethod
    def make(cls, task: Task, n_trials: int, seed: int, fit: str) -> "CalibrationTrials":
        """``n_trials`` trials of ``task`` with trial seed ``seed + CALIBRATION_SEED_OFFSET``
        (stream ``calibration_trials``)."""
        check_readout_fit(fit)
        trial_seed = stream_seed("calibration_trials", seed)
        return cls(task.generate(n_trials, trial_seed), trial_seed, fit)

    @property
    def trial_ids(self) -> np.ndarray:
        return CALIBRATION_ID_OFFSET + np.arange(len(self.batch))

    @property
    def fits(self) -> tuple:
        return fits_computed(self.fit)


class ScaleCalibrator:
    """Fits every readout of :attr:`CalibrationTrials.fits` for the net at scale ``s`` from
    the calibration trials' chunks (:meth:`add`), then :meth:`fit` returns them."""

    def __init__(self, s: float, network: LIFNetwork, cal: CalibrationTrials):
        self.s, self.network, self.cal = s, network, cal
        self.moments = np.zeros(6)
        n = network.n_units
        self.halves = (NormalEquations(n), NormalEquations(n))
        self.n_trials = len(cal.batch)

    def add(self, chunk) -> None:
        """A :class:`~rate2spike.simulators.RunChunk` of calibration trials at this s (rasters
        of every trial when ``lstsq`` is fitted)."""
        c = self.network.constants
        z = targets_at_samples(self.cal.batch.targets[chunk.trials], self.cal.batch.dt_s,
                               c.readout_dt_s, chunk.outputs.shape[1])
        self.moments += output_moments(chunk.outputs, z)
        if "lstsq" not in self.cal.fits:
            return
        traces = chunk_traces(chunk, self.network, LSTSQ_SAMPLE_EVERY)
        z = z[:, ::LSTSQ_SAMPLE_EVERY]
        for k, trial in enumerate(chunk.trials):
            half = self.halves[int(trial >= self.n_trials // 2)]
            half.add(traces[k].T, z[k])

    def fit(self) -> dict:
        """{fit: CalibratedReadout} (``none`` -> None)."""
        lam_w_out = self.network.rate.W_out.reshape(-1) / self.s
        info = {"s": self.s, "calibration_trials": self.n_trials,
                "calibration_seed": self.cal.seed}
        out = {"none": None}
        for name in self.cal.fits[1:]:
            if name == "lstsq":
                coef, ridge, errors = fit_ridge(*self.halves)
                out[name] = CalibratedReadout(name, coef[:-1], float(coef[-1]),
                                              {**info, "ridge": ridge})
            else:
                g, b = fit_gain(self.moments, offset=name == "affine")
                out[name] = CalibratedReadout(name, g * lam_w_out, b, {**info, "gain": g})
        return out


def chunk_traces(chunk, network: LIFNetwork, every: int = 1) -> np.ndarray:
    """(trials of the chunk, N, samples) readout traces r (Hz) from the chunk's rasters, at
    every ``every``-th readout sample."""
    rasters = [chunk.rasters[int(t)] for t in chunk.trials]
    n = -(-chunk.outputs.shape[1] // every)
    return readout_traces([r[0] for r in rasters], [r[1] for r in rasters], network.n_units,
                          network.rate.tau_d_s, network.constants, n, every)


def calibrated_outputs(chunk, network: LIFNetwork, readouts: dict) -> dict:
    """{fit: (trials, samples) outputs of the chunk's trials under that readout}."""
    out, traces = {}, None
    for name, readout in readouts.items():
        if readout is None:
            out[name] = chunk.outputs
        elif readout.method == "lstsq":
            traces = chunk_traces(chunk, network) if traces is None else traces
            out[name] = readout.apply(traces)
        else:
            out[name] = readout.info["gain"] * chunk.outputs + readout.offset
    return out
