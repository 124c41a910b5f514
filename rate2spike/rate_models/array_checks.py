"""Checks of a rate network's arrays given by a user (any framework: NumPy, torch, lists), for
:meth:`RateNetwork.from_arrays <rate2spike.rate_models.network.RateNetwork.from_arrays>`: every
shape, sign (Dale) and range, with a message naming what is off and what would be valid."""
from __future__ import annotations

import numpy as np

from ..artifacts import check_numeric
from ..errors import ArtifactError
from ..tasks import get_task
from .transfer import TRANSFER_FUNCTIONS

#: plausible synaptic decay times [s]; outside, the values are almost surely ms or steps
TAU_BOUNDS_S = (1e-4, 10.0)


def as_array(x, name: str) -> np.ndarray:
    try:
        if hasattr(x, "detach"):                # torch tensors, without importing torch
            x = x.detach().cpu().numpy()
        a = np.array(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ArtifactError(f"{name} is not a numeric array: {exc}") from None
    check_numeric(a, name)
    return a


def as_number(x, name: str, low: float, high: float, valid: str) -> float:
    """``x`` as a float in (low, high]; otherwise an ArtifactError naming ``name`` and
    what is ``valid``."""
    try:
        value = float(x)
    except (TypeError, ValueError):
        value = float("nan")
    if not low < value <= high:
        raise ArtifactError(f"{name} must be {valid}, got {x!r}")
    return value


def checked_range(tau_range_s, taus: np.ndarray) -> tuple:
    """The (min, max) tau_d [s] a net was trained in: ``tau_range_s`` checked to contain
    every value of ``taus``, or the range of ``taus`` when None."""
    if tau_range_s is None:
        return float(taus.min()), float(taus.max())
    pair = as_array(tau_range_s, "tau_range_s").reshape(-1)
    if pair.shape != (2,) or not (0 < pair[0] <= taus.min() + 1e-12
                                  and taus.max() <= pair[1] + 1e-12):
        raise ArtifactError(f"tau_range_s must be a (min, max) pair in seconds containing every "
                            f"tau_d_s ({taus.min():.4g} ... {taus.max():.4g} s), got "
                            f"{tau_range_s!r}")
    return float(pair[0]), float(pair[1])


def checked_arrays(W_rec, W_in, W_out, tau_d_s, b_out, act: str, task: str, dale: bool,
                   dt_s: float, dale_sign=None) -> dict:
    """The arrays of a :class:`RateNetwork` from user input, every shape, sign and range
    checked (see ``RateNetwork.from_arrays``); raises :class:`ArtifactError` naming what is
    off and what would be valid."""
    if not isinstance(act, str) or act not in TRANSFER_FUNCTIONS:
        raise ArtifactError(f"act = {act!r} is not one of {', '.join(TRANSFER_FUNCTIONS)}")
    task_obj = get_task(task)
    W_rec = as_array(W_rec, "W_rec")
    if W_rec.ndim != 2 or W_rec.shape[0] != W_rec.shape[1] or W_rec.shape[0] < 1:
        raise ArtifactError(f"W_rec must be a square (N, N) matrix, got shape {W_rec.shape}")
    n = W_rec.shape[0]
    W_in = as_array(W_in, "W_in")
    if W_in.ndim == 1 and task_obj.n_inputs == 1:
        W_in = W_in.reshape(n, 1) if W_in.shape == (n,) else W_in
    if W_in.shape != (n, task_obj.n_inputs):
        raise ArtifactError(f"W_in must have shape ({n}, {task_obj.n_inputs}) for task {task} "
                            f"with N = {n}, got {W_in.shape}")
    W_out = as_array(W_out, "W_out")
    if W_out.shape not in ((n,), (1, n), (n, 1)):
        raise ArtifactError(f"W_out must have shape (1, {n}) or ({n},), got {W_out.shape}")
    taus = as_array(tau_d_s, "tau_d_s").reshape(-1)
    if taus.size == 1:
        taus = np.full(n, taus[0])
    if taus.shape != (n,):
        raise ArtifactError(f"tau_d_s must be a scalar or have {n} values, got {taus.shape}")
    lo, hi = TAU_BOUNDS_S
    if taus.min() < lo or taus.max() > hi:
        raise ArtifactError(f"tau_d_s must be in seconds, within {lo} ... {hi} s (got "
                            f"{taus.min():.4g} ... {taus.max():.4g}; milliseconds or steps?)")
    as_number(dt_s, "dt_s", 0, 0.999, "a rate step in seconds in (0, 1)")
    b_out = as_array(b_out, "b_out").reshape(-1)
    if b_out.shape != (1,):
        raise ArtifactError(f"b_out must be a scalar, got shape {b_out.shape}")
    sign = np.ones(n)
    if dale:
        pos, neg = (W_rec > 0).any(axis=0), (W_rec < 0).any(axis=0)
        mixed = np.flatnonzero(pos & neg)
        if len(mixed):
            raise ArtifactError(
                f"with dale=True every column of W_rec (a presynaptic unit) must have one sign; "
                f"columns {mixed[:5].tolist()}{' ...' if len(mixed) > 5 else ''} mix signs "
                f"(pass the effective, rectified matrix, or dale=False)")
        sign[neg] = -1.0
        if dale_sign is not None:
            given = as_array(dale_sign, "dale_sign").reshape(-1)
            if given.shape != (n,) or not np.all(np.abs(given) == 1):
                raise ArtifactError(f"dale_sign must hold {n} values of +1/-1")
            wrong = np.flatnonzero((pos & (given < 0)) | (neg & (given > 0)))
            if len(wrong):
                raise ArtifactError(f"dale_sign disagrees with the signs of W_rec's columns "
                                    f"{wrong[:5].tolist()}")
            sign = given
    return {"W_rec": W_rec, "W_in": W_in, "W_out": W_out.reshape(1, n), "b_out": b_out,
            "tau_d_s": np.array(taus, float), "dale_sign": sign}
