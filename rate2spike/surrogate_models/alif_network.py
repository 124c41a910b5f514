"""An adaptive LIF recurrent net (Yin, Corradi & Bohté 2020) as plain arrays and constants.

Layer ``l`` (recurrent), per step of ``step_s`` seconds (eqs. 4-8 of the paper)::

    alpha = exp(-dt / tau_m),  rho = exp(-dt / tau_adp)           per neuron
    eta[t]   = rho eta[t-1] + (1 - rho) S[t-1]
    theta[t] = b0 + beta eta[t]
    u[t]     = alpha u[t-1] + (1 - alpha) R_m I[t] - S[t-1] theta[t]      (soft reset; R_m = 1)
    S[t]     = H(u[t] - theta[t])
    I[t]     = W_in s_in[t] + W_rec S[t-1] + b

``beta = 0`` gives the plain LIF SRNN of the paper (same code). Readout: a non-spiking leaky
integrator per output, ``v[t] = a v[t-1] + (1 - a) (W_out S_L[t] + b_out)`` with a =
exp(-dt / tau_out) per output; the decision value is ``v`` at the last step (``last``), its
running maximum (``max``), its running mean (``mean``, the paper's choice for SHD) or the running
sum over steps of softmax(v) across the outputs (``softmax_sum``, the authors' S-MNIST/SHD code).

Arrays: ``W_in`` (n, m), ``W_rec`` (n, n) or None, ``b`` (n,), ``tau_m_s``, ``tau_adp_s`` (n,)
seconds per layer; ``W_out`` (k, n_L), ``b_out`` (k,), ``tau_out_s`` (k,). Artifact ``kind =
"alif_network"``: ``L{l}_W_in``, ``L{l}_W_rec``, ``L{l}_b``, ``L{l}_tau_m_s``, ``L{l}_tau_adp_s``,
``W_out``, ``b_out``, ``tau_out_s``; JSON: beta, b0, readout, step_s, metadata.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..artifacts import load_network, register_kind, save_network
from ..errors import ArtifactError

ALIF_READOUTS = ("last", "max", "mean", "softmax_sum")
KIND = "alif_network"
register_kind(KIND, ("W_out", "b_out", "tau_out_s"))   # plus L{l}_W_in, L{l}_b, L{l}_tau_*_s (W_rec)
BETA = 1.8     # threshold adaptation of adaptive neurons (paper's default)
B0 = 0.01      # minimal threshold (the SHD code)


@dataclass
class ALIFLayer:
    """One recurrent layer's arrays; time constants in seconds."""

    W_in: np.ndarray
    b: np.ndarray
    tau_m_s: np.ndarray
    tau_adp_s: np.ndarray
    W_rec: np.ndarray | None = None

    @property
    def size(self) -> int:
        return self.W_in.shape[0]


@dataclass
class ALIFNetwork:
    """Layers, readout and constants of a trained adaptive (or plain, ``beta = 0``) LIF SRNN."""

    layers: list
    W_out: np.ndarray
    b_out: np.ndarray
    tau_out_s: np.ndarray
    beta: float = BETA
    b0: float = B0
    readout: str = "mean"
    step_s: float = 0.001
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.readout not in ALIF_READOUTS:
            raise ArtifactError(f"unknown readout {self.readout!r}; valid: {', '.join(ALIF_READOUTS)}")
        prev = self.layers[0].W_in.shape[1] if self.layers else 0
        for l, x in enumerate(self.layers):
            n = x.size
            shapes_ok = (x.W_in.shape[1] == prev and x.b.shape == (n,) and x.tau_m_s.shape == (n,)
                         and x.tau_adp_s.shape == (n,) and (x.W_rec is None or x.W_rec.shape == (n, n)))
            if not shapes_ok:
                raise ArtifactError(f"ALIF layer {l}: inconsistent shapes (W_in {x.W_in.shape}, "
                                    f"previous layer has {prev} outputs)")
            if np.any(x.tau_m_s <= 0) or np.any(x.tau_adp_s <= 0):
                raise ArtifactError(f"ALIF layer {l}: time constants must be > 0 s")
            prev = n
        k = self.W_out.shape[0]
        if self.W_out.shape[1] != prev or self.b_out.shape != (k,) or self.tau_out_s.shape != (k,):
            raise ArtifactError(f"ALIF readout: W_out {self.W_out.shape} does not fit a last layer "
                                f"of {prev} neurons")

    @property
    def n_inputs(self) -> int:
        return self.layers[0].W_in.shape[1]

    @property
    def n_outputs(self) -> int:
        return self.W_out.shape[0]

    @property
    def sizes(self) -> list:
        return [x.size for x in self.layers]

    @property
    def recurrent(self) -> bool:
        return any(x.W_rec is not None for x in self.layers)

    def save(self, path_stem):
        arrays = {"W_out": self.W_out, "b_out": self.b_out, "tau_out_s": self.tau_out_s}
        for l, x in enumerate(self.layers):
            arrays.update({f"L{l}_W_in": x.W_in, f"L{l}_b": x.b, f"L{l}_tau_m_s": x.tau_m_s,
                           f"L{l}_tau_adp_s": x.tau_adp_s})
            if x.W_rec is not None:
                arrays[f"L{l}_W_rec"] = x.W_rec
        meta = {**self.meta, "n_layers": len(self.layers), "sizes": self.sizes, "beta": self.beta,
                "b0": self.b0, "readout": self.readout, "step_s": self.step_s}
        return save_network(path_stem, KIND, arrays, meta)

    @classmethod
    def load(cls, path) -> "ALIFNetwork":
        arrays, meta = load_network(path, kind=KIND)
        try:
            def a(name):
                return np.asarray(arrays[name], float)
            layers = [ALIFLayer(a(f"L{l}_W_in"), a(f"L{l}_b"), a(f"L{l}_tau_m_s"), a(f"L{l}_tau_adp_s"),
                                a(f"L{l}_W_rec") if f"L{l}_W_rec" in arrays else None)
                      for l in range(int(meta["n_layers"]))]
            return cls(layers, a("W_out"), a("b_out"), a("tau_out_s"), float(meta["beta"]),
                       float(meta["b0"]), meta["readout"], float(meta["step_s"]), meta)
        except (KeyError, TypeError, ValueError) as exc:
            raise ArtifactError(f"{path}: not a complete adaptive LIF network ({exc!r})") from None
