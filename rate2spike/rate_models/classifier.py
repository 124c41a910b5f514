"""Kim et al.'s rate RNN as a classifier: the same recurrent net, one output per class.

The recurrent part is :class:`~rate2spike.rate_models.rnn.RateRNN` unchanged (Dale's principle,
per-unit trainable tau_d, fixed random W_in, Euler steps of ``dt_s`` = 5 ms, training noise);
only the readout differs: ``o_k(t) = W_out[k] . r(t)`` for each of K classes, with **no output
bias** (Kim et al.'s conversion drops b_out, so a bias-free readout converts unchanged). The
class scores are the running time average of o over the sequence, and the decision is the
argmax at the last step: the mean of o over the whole sample. That mean is invariant to the
positive readout scale lambda, so the converted LIF net is scored by the same rule.

Plain data: :class:`RateClassifierNetwork` (``kind = "rate_classifier"``): ``W_rec`` (N, N),
``W_in`` (N, channels), ``W_out`` (K, N) dimensionless, ``tau_d_s`` (N,) seconds, ``dale_sign``
(N,); JSON: act, dt_s, tau range, noise_std, dale, metadata.

Example
-------
>>> import numpy as np
>>> m = RateClassifier(n_inputs=3, n_units=20, n_classes=4)
>>> out = m(np.zeros((2, 3, 10)))
>>> tuple(out.outputs.shape)          # (batch, classes, steps): running means of o_k
(2, 4, 10)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import torch
from torch import nn

from ..artifacts import load_network, register_kind, save_network
from ..errors import ArtifactError
from .rnn import RateRNN
from .transfer import TRANSFER_FUNCTIONS

KIND = "rate_classifier"
ARRAYS = ("W_rec", "W_in", "W_out", "tau_d_s", "dale_sign")
register_kind(KIND, ARRAYS)


@dataclass
class RateClassifierNetwork:
    """A trained rate-RNN classifier as plain arrays (see the module docstring; times in s)."""

    W_rec: np.ndarray
    W_in: np.ndarray
    W_out: np.ndarray
    tau_d_s: np.ndarray
    dale_sign: np.ndarray
    act: str = "sigmoid"
    dt_s: float = 0.005
    tau_min_s: float = 0.02
    tau_max_s: float = 0.1
    noise_std: float = 0.1
    dale: bool = True
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        n = self.W_rec.shape[0] if self.W_rec.ndim == 2 else -1
        if (self.W_rec.shape != (n, n) or self.W_in.ndim != 2 or self.W_in.shape[0] != n
                or self.W_out.ndim != 2 or self.W_out.shape[1] != n
                or self.tau_d_s.shape != (n,) or self.dale_sign.shape != (n,)):
            raise ArtifactError(f"rate classifier: inconsistent shapes (W_rec {self.W_rec.shape}, "
                                f"W_in {self.W_in.shape}, W_out {self.W_out.shape}, tau_d_s "
                                f"{self.tau_d_s.shape}, dale_sign {self.dale_sign.shape})")
        if self.act not in TRANSFER_FUNCTIONS:
            raise ArtifactError(f"act = {self.act!r} is not one of {', '.join(TRANSFER_FUNCTIONS)}")
        if np.any(self.tau_d_s <= 0) or self.dt_s <= 0:
            raise ArtifactError("rate classifier: tau_d_s and dt_s must be > 0 s")

    @property
    def n_units(self) -> int:
        return self.W_rec.shape[0]

    @property
    def n_inputs(self) -> int:
        return self.W_in.shape[1]

    @property
    def n_outputs(self) -> int:
        return self.W_out.shape[0]

    @property
    def sizes(self) -> list:
        return [self.n_units]

    def constants(self) -> dict:
        return {"act": self.act, "dt_s": self.dt_s, "tau_min_s": self.tau_min_s,
                "tau_max_s": self.tau_max_s, "noise_std": self.noise_std, "dale": self.dale}

    def save(self, path_stem):
        return save_network(path_stem, KIND, {k: getattr(self, k) for k in ARRAYS},
                            {**self.meta, **self.constants()})

    @classmethod
    def load(cls, path) -> "RateClassifierNetwork":
        arrays, meta = load_network(path, kind=KIND)
        try:
            consts = {k: meta[k] for k in ("act", "dt_s", "tau_min_s", "tau_max_s", "noise_std",
                                           "dale")}
            rest = {k: v for k, v in meta.items() if k not in consts}
            return cls(**{k: np.asarray(arrays[k], float) for k in ARRAYS}, **consts, meta=rest)
        except KeyError as exc:
            raise ArtifactError(f"{path}: not a complete rate classifier (missing {exc})") from None


class RateClassifierOutput(NamedTuple):
    """outputs (batch, K, T): running time average of o_k up to each step (the decision is
    argmax at the last step); active_steps [(batch, N)]: steps with r > 0 per unit (every step,
    for the sigmoid); pulses [(batch, N, T) rates] if requested, else None."""

    outputs: torch.Tensor
    active_steps: list
    pulses: list | None


class RateClassifier(nn.Module):
    """The rate RNN of :class:`~rate2spike.rate_models.rnn.RateRNN` with a (K, N) readout and no
    output bias; float32. In training mode the noise and the initial state x0 are drawn from
    torch's global generator; in eval mode the noise is off and x0 comes from a generator seeded
    with 0, so evaluation is deterministic."""

    def __init__(self, n_inputs: int, n_units: int = 200, n_classes: int = 10,
                 act: str = "sigmoid", tau_min_s: float = 0.02, tau_max_s: float = 0.1,
                 dt_s: float = 0.005, noise_std: float = 0.1, seed: int = 0):
        super().__init__()
        self.rnn = RateRNN(n_units, n_inputs, act, tau_min_s=tau_min_s, tau_max_s=tau_max_s,
                           dt_s=dt_s, noise_std=noise_std, seed=seed)
        g = torch.Generator().manual_seed(int(seed) + 1)
        self.rnn.w_out = nn.Parameter(torch.randn(n_classes, n_units, generator=g,
                                                  dtype=torch.float64) / 100)
        self.rnn.b_out = nn.Parameter(torch.zeros(n_classes, dtype=torch.float64),
                                      requires_grad=False)
        self.to(torch.float32)

    def constrain_(self) -> None:
        """Nothing to keep in range (tau_d is bounded by its sigmoid parametrisation)."""

    def forward(self, inputs, record_pulses: bool = False) -> RateClassifierOutput:
        """inputs (batch, channels, T), one column per ``dt_s``."""
        u = torch.as_tensor(inputs, dtype=self.rnn.w_in.dtype)
        gen = None if self.training else torch.Generator().manual_seed(0)   # same x0 in eval
        o, r = self.rnn(u, noise=self.training, generator=gen, return_rates=True)  # (B,T,K), (B,T,N)
        T = o.shape[1]
        running = o.cumsum(dim=1) / torch.arange(1, T + 1, dtype=o.dtype)[None, :, None]
        active = (r > 0).sum(dim=1).to(o.dtype)
        return RateClassifierOutput(running.transpose(1, 2), [active],
                                    [r.transpose(1, 2)] if record_pulses else None)

    def to_network(self, meta: dict | None = None) -> RateClassifierNetwork:
        a = self.rnn.export_arrays()
        m = self.rnn
        return RateClassifierNetwork(a["W_rec"], a["W_in"], a["W_out"], a["tau_d_s"],
                                     a["dale_sign"], m.act, m.dt_s, m.tau_min_s, m.tau_max_s,
                                     m.noise_std, m.dale, dict(meta or {}))

    @classmethod
    def from_network(cls, net: RateClassifierNetwork) -> "RateClassifier":
        m = cls(net.n_inputs, net.n_units, net.n_outputs, net.act, net.tau_min_s, net.tau_max_s,
                net.dt_s, net.noise_std)
        m.to(torch.float64)
        m.rnn.load_arrays_(net)
        return m
