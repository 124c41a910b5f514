"""Rate networks trained with the authors' TensorFlow code: their ``.mat`` files.

:func:`load_authors_mat` reads a model written by ``rate/main.py`` of rkim35/spikeRNN (saved
with ``scipy.io.savemat``) exactly as their ``spiking/LIF_network_fnc.m`` reads it:

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
from .network import RateNetwork

#: the authors' rate step in seconds: their time constants are counted in 5-ms steps
AUTHORS_STEP_S = 0.005
#: their activation names -> ours
AUTHORS_ACTIVATIONS = {"sigmoid": "sigmoid", "softplus": "softplus", "clipped_relu": "relu"}
MAT_KEYS = ("w", "m", "som_m", "w_in", "w_out", "N", "taus", "taus_gaus", "activation")


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
    except NotImplementedError:
        raise ArtifactError(f"{path} is a MATLAB v7.3 (HDF5) file, which scipy cannot read; "
                            f"re-save it in MATLAB with save(..., '-v7')") from None
    except (MatReadError, ValueError, OSError, TypeError, EOFError, IndexError, KeyError,
            AttributeError, UnicodeDecodeError, MemoryError) as exc:
        raise ArtifactError(f"{path} cannot be read as a MATLAB .mat file (truncated or foreign "
                            f"file?): {type(exc).__name__}: {exc}") from None


def _key(mat: dict, key: str, path: Path, scalar: bool = False):
    """``mat[key]`` as a float array (or its first element, ``scalar``), naming the key when
    it is empty or not numeric."""
    try:
        arr = np.asarray(mat[key], float)
        if arr.size == 0:
            raise ValueError("it is empty")
        if not np.all(np.isfinite(arr)):
            raise ValueError("it holds NaN or infinite values")
        return arr.ravel()[0] if scalar else arr
    except (TypeError, ValueError) as exc:
        raise ArtifactError(f"{path}: key {key!r} is not a numeric array ({exc})") from None


def load_authors_mat(path, task: str | None = None):
    """A :class:`~rate2spike.rate_models.network.RateNetwork` from one of the authors' ``.mat``
    models (see the module docstring for the keys and how they are combined). ``task``:
    expected task; default inferred from the number of inputs. Raises :class:`ArtifactError`
    naming the file and the missing or odd key.

    Example
    -------
    >>> net = load_authors_mat("Task_go-nogo_N_200_Taus_4.0_20.0_Act_sigmoid.mat")  # doctest: +SKIP
    >>> LIFNetwork(net, 25.0).save("lif_from_mat")                                  # doctest: +SKIP
    """
    path = Path(path)
    mat = _read_mat(path)
    missing = [k for k in MAT_KEYS if k not in mat]
    if missing:
        raise ArtifactError(f"{path}: keys {missing} are missing; a model saved by the authors' "
                            f"rate/main.py holds {', '.join(MAT_KEYS)}")
    act = np.ravel(mat["activation"])
    if act.size == 0:
        raise ArtifactError(f"{path}: key 'activation' is empty; valid: "
                            f"{', '.join(AUTHORS_ACTIVATIONS)}")
    act_raw = str(act[0]).strip()
    n_value = _key(mat, "N", path, scalar=True)
    if n_value != int(n_value) or n_value < 1:
        raise ArtifactError(f"{path}: key 'N' must be a positive whole number, got {n_value}")
    n = int(n_value)
    w, m, som_m = (_key(mat, k, path) for k in ("w", "m", "som_m"))
    taus, taus_gaus = (_key(mat, k, path).ravel() for k in ("taus", "taus_gaus"))
    w_in = _key(mat, "w_in", path)
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
    b_out = _key(mat, "b_out", path, scalar=True) if "b_out" in mat else 0.0
    try:
        return RateNetwork.from_arrays(
            (w @ m) * som_m, w_in, _key(mat, "w_out", path), tau_steps * AUTHORS_STEP_S,
            act=AUTHORS_ACTIVATIONS[act_raw], task=found, b_out=b_out,
            dale=dale, dale_sign=np.where(diag < 0, -1.0, 1.0) if dale else None,
            dt_s=AUTHORS_STEP_S, tau_range_s=(lo, hi),
            meta={"source": str(path), "imported_from": "authors_mat"})
    except ArtifactError as exc:
        raise ArtifactError(f"{path}: {exc}") from None
