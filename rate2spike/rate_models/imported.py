"""Rate networks trained elsewhere: arrays from any framework, and the authors' ``.mat`` files.

:func:`checked_arrays` checks user arrays for :meth:`RateNetwork.from_arrays
<rate2spike.rate_models.network.RateNetwork.from_arrays>`; :func:`load_authors_mat` reads a
model written by the authors' TensorFlow code (``rate/main.py`` of rkim35/spikeRNN, saved with
``scipy.io.savemat``) exactly as their ``spiking/LIF_network_fnc.m`` reads it:

- effective recurrent matrix ``W_rec = (w @ m) * som_m``: ``w`` as saved (already rectified
  when Dale's principle is on: the training graph rebinds ``w = relu(w)``), ``m`` the diagonal
  +-1 Dale mask, ``som_m`` the SOM connection mask;
- ``tau_d = (sigmoid(taus_gaus) (taus[1] - taus[0]) + taus[0]) * 5 ms`` when ``taus`` holds a
  (min, max) pair in 5-ms steps, ``tau_d = taus * 5 ms`` for every unit when it holds one value;
- ``w_in`` (N, n_in), ``w_out`` (1, N), ``b_out`` (kept, dropped at conversion as usual);
- ``activation``: ``sigmoid``, ``softplus`` or ``clipped_relu`` (our ``relu``);
- the task from the number of inputs (1 Go/NoGo, 2 XOR, 4 Mante) or given; a mismatch is an
  error.

Example
-------
>>> net = load_authors_mat("Task_go-nogo_N_200_Taus_4.0_20.0_Act_sigmoid.mat")  # doctest: +SKIP
>>> net.task, net.n_units, net.tau_min_s, net.tau_max_s                           # doctest: +SKIP
('gonogo', 200, 0.02, 0.1)
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import ArtifactError
from ..tasks import TASKS, get_task
from .transfer import TRANSFER_FUNCTIONS

#: the authors' rate step [s]: their time constants are counted in 5-ms steps
AUTHORS_STEP_S = 0.005
#: their activation names -> ours
AUTHORS_ACTIVATIONS = {"sigmoid": "sigmoid", "softplus": "softplus", "clipped_relu": "relu"}
MAT_KEYS = ("w", "m", "som_m", "w_in", "w_out", "N", "taus", "taus_gaus", "activation")
#: plausible synaptic decay times [s]; outside, the values are almost surely ms or steps
TAU_BOUNDS_S = (1e-4, 10.0)


def _array(x, name: str) -> np.ndarray:
    try:
        if hasattr(x, "detach"):                # torch tensors, without importing torch
            x = x.detach().cpu().numpy()
        a = np.array(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ArtifactError(f"{name} is not a numeric array: {exc}") from None
    if not np.all(np.isfinite(a)):
        raise ArtifactError(f"{name} holds NaN or infinite values")
    return a


def checked_arrays(W_rec, W_in, W_out, tau_d_s, b_out, act: str, task: str, dale: bool,
                   dt_s: float, dale_sign=None) -> dict:
    """The arrays of a :class:`RateNetwork` from user input, every shape, sign and range
    checked (see ``RateNetwork.from_arrays``); raises :class:`ArtifactError` naming what is
    off and what would be valid."""
    if act not in TRANSFER_FUNCTIONS:
        raise ArtifactError(f"act = {act!r} is not one of {', '.join(TRANSFER_FUNCTIONS)}")
    task_obj = get_task(task)
    W_rec = _array(W_rec, "W_rec")
    if W_rec.ndim != 2 or W_rec.shape[0] != W_rec.shape[1] or W_rec.shape[0] < 1:
        raise ArtifactError(f"W_rec must be a square (N, N) matrix, got shape {W_rec.shape}")
    n = W_rec.shape[0]
    W_in = _array(W_in, "W_in")
    if W_in.ndim == 1 and task_obj.n_inputs == 1:
        W_in = W_in.reshape(n, 1) if W_in.shape == (n,) else W_in
    if W_in.shape != (n, task_obj.n_inputs):
        raise ArtifactError(f"W_in must have shape ({n}, {task_obj.n_inputs}) for task {task} "
                            f"with N = {n}, got {W_in.shape}")
    W_out = _array(W_out, "W_out")
    if W_out.shape not in ((n,), (1, n), (n, 1)):
        raise ArtifactError(f"W_out must have shape (1, {n}) or ({n},), got {W_out.shape}")
    taus = np.broadcast_to(_array(tau_d_s, "tau_d_s").reshape(-1), (n,)) \
        if np.size(tau_d_s) == 1 else _array(tau_d_s, "tau_d_s").reshape(-1)
    if taus.shape != (n,):
        raise ArtifactError(f"tau_d_s must be a scalar or have {n} values, got {taus.shape}")
    lo, hi = TAU_BOUNDS_S
    if taus.min() < lo or taus.max() > hi:
        raise ArtifactError(f"tau_d_s must be in seconds, within {lo} ... {hi} s (got "
                            f"{taus.min():.4g} ... {taus.max():.4g}; milliseconds or steps?)")
    if not 0 < float(dt_s) < 1:
        raise ArtifactError(f"dt_s must be a rate step in seconds in (0, 1), got {dt_s}")
    b_out = _array(b_out, "b_out").reshape(-1)
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
            given = _array(dale_sign, "dale_sign").reshape(-1)
            if given.shape != (n,) or not np.all(np.abs(given) == 1):
                raise ArtifactError(f"dale_sign must hold {n} values of +1/-1")
            wrong = np.flatnonzero((pos & (given < 0)) | (neg & (given > 0)))
            if len(wrong):
                raise ArtifactError(f"dale_sign disagrees with the signs of W_rec's columns "
                                    f"{wrong[:5].tolist()}")
            sign = given
    return {"W_rec": W_rec, "W_in": W_in, "W_out": W_out.reshape(1, n), "b_out": b_out,
            "tau_d_s": np.array(taus, float), "dale_sign": sign}


def _task_from_inputs(n_inputs: int, path) -> str:
    names = [name for name, cls in TASKS.items() if cls().n_inputs == n_inputs]
    if len(names) != 1:
        valid = ", ".join(f"{cls().n_inputs} ({name})" for name, cls in TASKS.items())
        raise ArtifactError(f"{path}: w_in has {n_inputs} inputs, which matches no task; valid: "
                            f"{valid}")
    return names[0]


def _read_mat(path: Path) -> dict:
    from scipy.io import loadmat
    from scipy.io.matlab import MatReadError

    if not path.is_file():
        raise ArtifactError(f"model file {path} does not exist")
    try:
        return loadmat(str(path))
    except (MatReadError, ValueError, OSError, TypeError, EOFError) as exc:
        raise ArtifactError(f"{path} cannot be read as a MATLAB .mat file (truncated or foreign "
                            f"file?): {exc}") from None


def load_authors_mat(path, task: str | None = None):
    """A :class:`~rate2spike.rate_models.network.RateNetwork` from one of the authors' ``.mat``
    models (see the module docstring for the keys and how they are combined). ``task``:
    expected task; default inferred from the number of inputs. Raises :class:`ArtifactError`
    naming the file and the missing or odd key."""
    from .network import RateNetwork

    path = Path(path)
    mat = _read_mat(path)
    missing = [k for k in MAT_KEYS if k not in mat]
    if missing:
        raise ArtifactError(f"{path}: keys {missing} are missing; a model saved by the authors' "
                            f"rate/main.py holds {', '.join(MAT_KEYS)}")
    try:
        act_raw = str(np.ravel(mat["activation"])[0]).strip()
        n = int(np.ravel(mat["N"])[0])
        w, m, som_m = (np.asarray(mat[k], float) for k in ("w", "m", "som_m"))
        taus = np.asarray(mat["taus"], float).ravel()
        taus_gaus = np.asarray(mat["taus_gaus"], float).ravel()
        w_in = np.asarray(mat["w_in"], float)
    except (IndexError, TypeError, ValueError) as exc:
        raise ArtifactError(f"{path}: malformed key ({exc})") from None
    if act_raw not in AUTHORS_ACTIVATIONS:
        raise ArtifactError(f"{path}: activation {act_raw!r} is not one of "
                            f"{', '.join(AUTHORS_ACTIVATIONS)}")
    for key, arr in (("w", w), ("m", m), ("som_m", som_m)):
        if arr.shape != (n, n):
            raise ArtifactError(f"{path}: key {key!r} has shape {arr.shape}, expected ({n}, {n}) "
                                f"for N = {n}")
    diag = np.diag(m)
    if not (np.all(np.abs(diag) == 1) and np.count_nonzero(m - np.diag(diag)) == 0):
        raise ArtifactError(f"{path}: key 'm' must be a diagonal matrix of +1/-1 (Dale mask)")
    if w_in.ndim != 2 or w_in.shape[0] != n:
        raise ArtifactError(f"{path}: key 'w_in' has shape {w_in.shape}, expected ({n}, n_in)")
    found = _task_from_inputs(w_in.shape[1], path)
    if task is not None and get_task(task).name != found:
        raise ArtifactError(f"{path} has {w_in.shape[1]} input(s), a {found} model; it cannot "
                            f"run task {task!r} (pass --task {found})")
    if len(taus) == 2 and taus_gaus.shape == (n,):
        tau_steps = 1 / (1 + np.exp(-taus_gaus)) * (taus[1] - taus[0]) + taus[0]
        lo, hi = taus[0] * AUTHORS_STEP_S, taus[1] * AUTHORS_STEP_S
    elif len(taus) == 1:
        tau_steps = np.full(n, taus[0])
        lo = hi = taus[0] * AUTHORS_STEP_S
    else:
        raise ArtifactError(f"{path}: key 'taus' must hold one value or a (min, max) pair with "
                            f"'taus_gaus' of {n} values; got taus {taus.tolist()}, taus_gaus "
                            f"shape {taus_gaus.shape}")
    dale = bool(np.any(diag < 0))
    try:
        return RateNetwork.from_arrays(
            (w @ m) * som_m, w_in, mat["w_out"], tau_steps * AUTHORS_STEP_S,
            act=AUTHORS_ACTIVATIONS[act_raw], task=found, b_out=np.ravel(mat.get("b_out", 0.0))[:1],
            dale=dale, dale_sign=np.where(diag < 0, -1.0, 1.0) if dale else None,
            dt_s=AUTHORS_STEP_S, tau_range_s=(lo, hi),
            meta={"source": str(path), "imported_from": "authors_mat"})
    except ArtifactError as exc:
        raise ArtifactError(f"{path}: {exc}") from None
