"""Least-squares calibration of a converted net's readout (beyond Kim et al.: an option).

Kim et al. scale W_out by the same lambda as W_rec, so the LIF output's amplitude is whatever
the firing rates make it. Here the readout of the net at each s is refitted to the task
target z(t) on *calibration trials* (their own seed and noise, never the held-out trials):

- ``scale``: ``o_cal = g o``, ``g = sum(o z) / sum(o o)``;
- ``affine``: ``o_cal = g o + b`` (ordinary least squares on [o, 1]);
- ``lstsq``: ``o_cal = w . r + b`` on the per-unit traces r(t) (Hz), by ridge regression
  from normal equations accumulated trial by trial (memory O(N^2), whatever the number of
  trials; fitted on every 5 ms, see :data:`.calibration.LSTSQ_SAMPLE_EVERY`); the ridge
  strength is chosen on a split of the calibration trials (fit on the
  first half, the lowest error on the second), then the fit is redone on all of them.

Sums run over every readout sample of every calibration trial (the whole trial, as in
training). Example
-------
>>> import numpy as np
>>> o, z = np.array([[0., 2., 4.]]), np.array([[0., 1., 2.]])
>>> fit_gain(output_moments(o, z), offset=False)
(0.5, 0.0)
"""
from __future__ import annotations

import numpy as np

from ..errors import Rate2SpikeError

#: the readout calibrations; ``none`` keeps Kim et al.'s readout lambda W_out
READOUT_FITS = ("none", "scale", "affine", "lstsq")
#: ridge strengths tried, relative to the mean diagonal of the traces' Gram matrix
RIDGE_GRID = tuple(10.0 ** k for k in range(-7, 1))


def check_readout_fit(name: str) -> str:
    if name not in READOUT_FITS:
        raise Rate2SpikeError(f"readout fit {name!r} is not one of {', '.join(READOUT_FITS)}")
    return name


def output_moments(outputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """[n, sum o, sum z, sum o^2, sum o z, sum z^2] over all samples: all that the ``scale``
    and ``affine`` fits and their errors need (add them across chunks of trials)."""
    o, z = np.asarray(outputs, float).ravel(), np.asarray(targets, float).ravel()
    return np.array([o.size, o.sum(), z.sum(), o @ o, o @ z, z @ z])


def fit_gain(moments: np.ndarray, offset: bool) -> tuple:
    """(gain g, offset b) minimising sum (g o + b - z)^2 (b = 0 unless ``offset``)."""
    n, so, sz, soo, soz, _ = moments
    if not offset:
        return (float(soz / soo) if soo > 0 else 0.0), 0.0
    det = n * soo - so * so
    if det <= 1e-12 * max(n * soo, 1e-300):          # constant output: only the offset fits
        return 0.0, float(sz / n)
    g = (n * soz - so * sz) / det
    return float(g), float((sz - g * so) / n)


class NormalEquations:
    """Running ``X^T X``, ``X^T z`` and ``z^T z`` of a linear model on features X (rows =
    samples); the last feature is a constant 1 (the offset, never penalised)."""

    def __init__(self, n_features: int):
        self.gram = np.zeros((n_features + 1, n_features + 1))
        self.cross = np.zeros(n_features + 1)
        self.zz, self.n = 0.0, 0

    def add(self, features: np.ndarray, targets: np.ndarray) -> None:
        """features (samples, n_features), targets (samples,)."""
        x = np.hstack([features, np.ones((features.shape[0], 1))])
        z = np.asarray(targets, float)
        self.gram += x.T @ x
        self.cross += x.T @ z
        self.zz += float(z @ z)
        self.n += len(z)

    def __add__(self, other: "NormalEquations") -> "NormalEquations":
        out = NormalEquations(len(self.cross) - 1)
        out.gram, out.cross = self.gram + other.gram, self.cross + other.cross
        out.zz, out.n = self.zz + other.zz, self.n + other.n
        return out

    def solve(self, ridge: float) -> np.ndarray:
        """Coefficients (n_features + 1,) minimising ``|X c - z|^2 + ridge |c[:-1]|^2``."""
        penalty = np.full(len(self.cross), float(ridge))
        penalty[-1] = 0.0
        return np.linalg.lstsq(self.gram + np.diag(penalty), self.cross, rcond=None)[0]

    def mse(self, coef: np.ndarray) -> float:
        """Mean squared error of ``coef`` on the samples summed here."""
        return float((coef @ self.gram @ coef - 2 * coef @ self.cross + self.zz) / max(self.n, 1))


def fit_ridge(first: NormalEquations, second: NormalEquations, grid=RIDGE_GRID) -> tuple:
    """(coefficients, ridge, mse on ``second`` per ridge): ridge chosen by fitting on
    ``first`` and scoring on ``second``, then the fit redone on both."""
    scale = float(np.mean(np.diag((first + second).gram)[:-1])) or 1.0
    errors = {r: second.mse(first.solve(r * scale)) for r in grid}
    best = min(errors, key=lambda r: (errors[r], -r))     # ties -> the stronger ridge
    return (first + second).solve(best * scale), best * scale, errors
