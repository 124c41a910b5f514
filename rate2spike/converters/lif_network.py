"""Rate artifact -> LIF network parameters (Kim et al. 2019 mapping).

W_in and tau_d transfer unchanged; the recurrent and readout weights are divided by
s = 1/lambda: ``W_spk = W_rate / s``, ``W_out_spk = W_out / s``. The rate model's output
bias b_out is dropped (the LIF readout has none).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from ..artifacts import load_network, save_network
from ..brian_models.lif import LIFConstants
from ..errors import ArtifactError


@dataclass
class RateNetwork:
    """A trained rate network as plain arrays (see :mod:`rate2spike.artifacts`)."""

    W_rec: np.ndarray
    W_in: np.ndarray
    W_out: np.ndarray
    b_out: np.ndarray
    tau_d_s: np.ndarray
    dale_sign: np.ndarray
    meta: dict = field(default_factory=dict)

    @property
    def n_units(self) -> int:
        return self.W_rec.shape[0]

    @property
    def task(self) -> str:
        return self.meta.get("task", "")

    @property
    def act(self) -> str:
        return self.meta.get("act", "sigmoid")

    def arrays(self) -> dict:
        return {k: getattr(self, k) for k in ("W_rec", "W_in", "W_out", "b_out", "tau_d_s", "dale_sign")}

    @classmethod
    def load(cls, path) -> "RateNetwork":
        arrays, meta = load_network(path, kind="rate_rnn")
        net = cls(**{k: np.asarray(arrays[k], float) for k in
                     ("W_rec", "W_in", "W_out", "b_out", "tau_d_s", "dale_sign")}, meta=meta)
        n = net.n_units
        if net.W_rec.shape != (n, n) or net.W_in.shape[0] != n or net.W_out.shape != (1, n) \
                or net.tau_d_s.shape != (n,):
            raise ArtifactError(f"{path}: array shapes are inconsistent "
                                f"(W_rec {net.W_rec.shape}, W_in {net.W_in.shape}, "
                                f"W_out {net.W_out.shape}, tau_d_s {net.tau_d_s.shape})")
        return net


@dataclass
class LIFNetwork:
    """A converted LIF network: the scaled arrays and all constants.

    W_rec = W_rate / s (mV s; row = receiving unit), W_out = W_out_rate / s (s),
    W_in (mV per unit input), tau_d_s (s). ``scale`` is s = 1/lambda.
    """

    W_rec: np.ndarray
    W_in: np.ndarray
    W_out: np.ndarray
    tau_d_s: np.ndarray
    dale_sign: np.ndarray
    scale: float
    constants: LIFConstants
    meta: dict = field(default_factory=dict)

    @property
    def lam(self) -> float:
        return 1.0 / self.scale

    def save(self, path_stem) -> None:
        arrays = {k: getattr(self, k) for k in ("W_rec", "W_in", "W_out", "tau_d_s", "dale_sign")}
        meta = {**self.meta, "scale_s": self.scale, "lambda": self.lam,
                "lif_constants": asdict(self.constants),
                "units": {"W_rec": "mV s", "W_in": "mV", "W_out": "s", "tau_d_s": "s"},
                "b_out_dropped": True}
        save_network(path_stem, "lif_network", arrays, meta)


def convert(rate: RateNetwork, scale: float, constants: LIFConstants | None = None) -> LIFNetwork:
    """Map a rate network to a LIF network at scale s (lambda = 1/s)."""
    if not scale > 0:
        raise ValueError(f"scale s must be > 0, got {scale}")
    return LIFNetwork(rate.W_rec / scale, rate.W_in.copy(), rate.W_out / scale, rate.tau_d_s.copy(),
                      rate.dale_sign.copy(), float(scale), constants or LIFConstants(),
                      meta={"task": rate.task, "act": rate.act, "source": rate.meta.get("source")})


DEFAULT_SCALES = {
    "sigmoid": [float(s) for s in range(20, 76, 5)],   # {20, 25, ..., 75}
    "softplus": [float(s) for s in range(4, 27, 2)],   # {4, 6, ..., 26}
    "relu": [float(s) for s in range(4, 27, 2)],
}


def default_scales(act: str) -> list:
    return list(DEFAULT_SCALES.get(act, DEFAULT_SCALES["sigmoid"]))
