"""A trained rate network as plain arrays and constants (no torch needed to hold it).

Arrays (units in brackets): ``W_rec`` (N, N) effective signed recurrent matrix, W_rec[i, j]
from unit j to unit i, Dale signs applied [1]; ``W_in`` (N, n_in) [1]; ``W_out`` (1, N) [1];
``b_out`` (1,) [1]; ``tau_d_s`` (N,) synaptic decay time constants [s]; ``dale_sign`` (N,) +1
excitatory, -1 inhibitory. Constants: ``task``, ``act`` (transfer function), ``dale``,
``dt_s`` [s], ``tau_min_s``/``tau_max_s`` [s] (the trainable range of tau_d), ``noise_std``.

Artifact (``kind = "rate_rnn"``): the arrays in ``NAME.npz``; the constants (the schema
:data:`RATE_SCHEMA`, checked by :meth:`RateNetwork.load`) and training information in
``NAME.json``.

A network trained elsewhere enters through :meth:`RateNetwork.from_arrays` (any framework's
arrays, every shape, sign and range checked) or :func:`.authors_mat.load_authors_mat` (the
authors' TensorFlow ``.mat`` files).

Example
-------
>>> net = RateNetwork.load("tests/data/gonogo_n200.npz")       # doctest: +SKIP
>>> outputs, rates = net.run(task.generate(10, seed=1).inputs, seed=0)   # doctest: +SKIP
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..artifacts import check_numeric, load_network, register_kind, save_network
from ..errors import ArtifactError
from .array_checks import TAU_BOUNDS_S
from .transfer import TRANSFER_FUNCTIONS

ARRAYS = ("W_rec", "W_in", "W_out", "b_out", "tau_d_s", "dale_sign")
register_kind("rate_rnn", ARRAYS)
#: metadata keys every rate artifact must hold, with their types
RATE_SCHEMA = {"task": str, "act": str, "dale": bool, "dt_s": float, "tau_min_s": float,
               "tau_max_s": float, "noise_std": float}


@dataclass
class RateNetwork:
    """A trained rate RNN (see the module docstring for arrays, units and constants).
    ``meta`` holds everything else (training history, seed, source file).

    Example
    -------
    >>> net = RateNetwork.load("tests/data/gonogo_n200.npz")                 # doctest: +SKIP
    >>> net.n_units, net.task, net.act, float(net.tau_d_s.min())            # doctest: +SKIP
    (200, 'gonogo', 'sigmoid', 0.021...)
    >>> outputs, rates = net.run(task_batch.inputs, seed=0)                  # doctest: +SKIP
    """

    W_rec: np.ndarray
    W_in: np.ndarray
    W_out: np.ndarray
    b_out: np.ndarray
    tau_d_s: np.ndarray
    dale_sign: np.ndarray
    task: str
    act: str
    dt_s: float = 0.005
    tau_min_s: float = 0.02
    tau_max_s: float = 0.1
    noise_std: float = 0.1
    dale: bool = True
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        problems = self.problems()
        if problems:
            raise ArtifactError("rate network: " + "; ".join(problems))

    def problems(self) -> list:
        """What is inconsistent in the arrays and constants (empty when all is well): the rules
        every door applies (``.npz``, ``.mat``, user arrays, NIR): numeric and finite arrays,
        consistent shapes, Dale signs of +-1, tau_d in seconds."""
        for name in ARRAYS:
            try:
                check_numeric(getattr(self, name), name)
            except ArtifactError as exc:
                return [str(exc)]
        n = self.W_rec.shape[0] if self.W_rec.ndim == 2 else -1
        out = []
        if self.W_rec.shape != (n, n) or self.W_in.ndim != 2 or self.W_in.shape[0] != n \
                or self.W_out.shape != (1, n) or self.tau_d_s.shape != (n,) \
                or self.dale_sign.shape != (n,) or self.b_out.shape != (1,):
            out.append(f"array shapes are inconsistent (W_rec {self.W_rec.shape}, W_in "
                       f"{self.W_in.shape}, W_out {self.W_out.shape}, b_out {self.b_out.shape}, "
                       f"tau_d_s {self.tau_d_s.shape}, dale_sign {self.dale_sign.shape})")
        if self.act not in TRANSFER_FUNCTIONS:
            out.append(f"act = {self.act!r} is not one of {', '.join(TRANSFER_FUNCTIONS)}")
        if not (0 < self.dt_s and 0 < self.tau_min_s <= self.tau_max_s):
            out.append(f"need 0 < dt_s and 0 < tau_min_s <= tau_max_s (got {self.dt_s}, "
                       f"{self.tau_min_s}, {self.tau_max_s})")
        lo, hi = TAU_BOUNDS_S
        if self.tau_d_s.size and (self.tau_d_s.min() < lo or self.tau_d_s.max() > hi):
            out.append(f"tau_d_s must be in seconds, within {lo} ... {hi} s (got "
                       f"{self.tau_d_s.min():.4g} ... {self.tau_d_s.max():.4g})")
        if self.dale_sign.size and not np.all(np.abs(self.dale_sign) == 1):
            out.append("dale_sign must hold +1 (excitatory) or -1 (inhibitory) for every unit")
        return out

    @classmethod
    def from_arrays(cls, W_rec, W_in, W_out, tau_d_s, *, act: str, task: str, b_out=0.0,
                    dale: bool = True, dale_sign=None, dt_s: float = 0.005, tau_range_s=None,
                    noise_std: float = 0.1, meta: dict | None = None) -> "RateNetwork":
        """A rate network from plain arrays (NumPy, torch tensors, lists), checked.

        W_rec (N, N) effective signed recurrent weights, W_rec[i, j] from unit j to unit i;
        W_in (N, n_in), n_in the task's number of inputs; W_out (1, N) or (N,); tau_d_s (N,)
        or a scalar, synaptic decay in **seconds** (20-100 ms for Kim et al.'s nets);
        act: ``sigmoid``, ``softplus`` or ``relu``; task: ``gonogo``, ``xor`` or ``mante``;
        dale: with Dale's principle every column of W_rec has one sign (the unit's type is
        read from it, or given as ``dale_sign``, (N,) of +-1, for units without outputs);
        tau_range_s: the (min, max) tau_d the net was trained in (default:
        the range of tau_d_s); dt_s: the rate model's step [s]; noise_std: its noise.
        Raises :class:`~rate2spike.errors.ArtifactError` naming the first array that is off.

        Example
        -------
        >>> sd = torch_model.state_dict()                                   # doctest: +SKIP
        >>> net = RateNetwork.from_arrays(sd["w_rec"], sd["w_in"], sd["w_out"],
        ...                               0.02 + 0.03 * torch.sigmoid(sd["theta"]),
        ...                               act="sigmoid", task="gonogo")     # doctest: +SKIP
        """
        from .array_checks import as_number, checked_arrays, checked_range

        arrays = checked_arrays(W_rec, W_in, W_out, tau_d_s, b_out, act, task, dale, dt_s,
                                dale_sign)
        lo, hi = checked_range(tau_range_s, arrays["tau_d_s"])
        noise = 0.0 if noise_std == 0 else as_number(noise_std, "noise_std", 0, 10,
                                                     "a noise amplitude >= 0")
        return cls(**arrays, task=task, act=act, dt_s=float(dt_s), tau_min_s=lo, tau_max_s=hi,
                   noise_std=noise, dale=bool(dale), meta=dict(meta or {}))

    @property
    def n_units(self) -> int:
        return self.W_rec.shape[0]

    @property
    def n_inputs(self) -> int:
        return self.W_in.shape[1]

    def arrays(self) -> dict:
        return {k: getattr(self, k) for k in ARRAYS}

    def constants(self) -> dict:
        """The schema values (task, act, dale, dt_s, tau range, noise_std)."""
        return {k: getattr(self, k) for k in RATE_SCHEMA}

    def run(self, inputs, seed: int = 0, noise: bool = True):
        """Simulate the rate network (torch, float64) on ``inputs`` (batch, n_in, steps) with
        its training noise, seeded. Returns outputs (batch, steps) and rates (batch, steps, N)
        as NumPy arrays."""
        from .rnn import simulate_rate_network

        return simulate_rate_network(self, inputs, seed, noise)

    def save(self, path_stem):
        """Write ``<stem>.npz`` and ``<stem>.json``; returns the ``.npz`` path."""
        return save_network(path_stem, "rate_rnn", self.arrays(), {**self.meta, **self.constants()})

    @classmethod
    def load(cls, path) -> "RateNetwork":
        """Read a rate artifact; a missing or mistyped schema key or inconsistent arrays raise
        :class:`~rate2spike.errors.ArtifactError` naming the file and the key."""
        arrays, meta = load_network(path, kind="rate_rnn")
        values = {}
        for key, kind in RATE_SCHEMA.items():
            if key not in meta:
                raise ArtifactError(f"{path}: metadata key {key!r} is missing (a rate artifact "
                                    f"needs {', '.join(RATE_SCHEMA)})")
            value = meta[key]
            if kind is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
                raise ArtifactError(f"{path}: metadata key {key!r} must be {kind.__name__}, got "
                                    f"{value!r}")
            values[key] = value
        rest = {k: v for k, v in meta.items()
                if k not in RATE_SCHEMA and k not in ("format", "format_version", "kind")}
        try:
            return cls(**{k: np.asarray(arrays[k], float) for k in ARRAYS}, **values, meta=rest)
        except ArtifactError as exc:
            raise ArtifactError(f"{path}: {exc}") from None
