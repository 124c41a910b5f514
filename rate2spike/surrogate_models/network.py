"""A directly trained LIF classifier as plain arrays and constants (no torch, no Brian2).

Layer ``l`` maps the spikes (or graded input) of layer ``l - 1`` to binary spikes, per step::

    V[t] = alpha_V V[t-1] + W s_in[t] + b
    s[t] = 1 if V[t] > V_th else 0;   where s[t] = 1:  V[t] = V_rest = 0   (reset "zero")
                                      or V[t] = V[t] - V_th               (reset "subtract")

(De Geeter et al. 2023, section 2: their LIF baseline, trained with snnTorch.) ``W`` (n_l,
n_{l-1}), ``b`` (n_l,), and the layer's scalars ``alpha_V`` (leak per step, in [0, 1]) and
``V_th`` (threshold, > 0) are learned. Every quantity is dimensionless and per step; one step
lasts ``step_s`` seconds. The readout is the frozen class readout of
:mod:`rate2spike.class_readout` (``W_out``, ``b_out``; leak ``readout_alpha``).

Artifact (``kind = "surrogate_lif_network"``): arrays ``L{l}_W``, ``L{l}_b``, ``W_out``,
``b_out``; JSON with ``alpha_v`` and ``threshold`` per layer, ``reset``, ``readout_alpha``,
``step_s`` and the metadata.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..artifacts import load_network, register_kind, save_network
from ..errors import ArtifactError

RESETS = ("zero", "subtract")
KIND = "surrogate_lif_network"
register_kind(KIND, ("W_out", "b_out"))   # plus L{l}_W, L{l}_b per layer


@dataclass
class LIFLayer:
    """One layer: weights W (n, n_in), bias b (n,), leak alpha_v and threshold (scalars)."""

    W: np.ndarray
    b: np.ndarray
    alpha_v: float
    threshold: float

    @property
    def size(self) -> int:
        return self.W.shape[0]


@dataclass
class SurrogateLIFNetwork:
    """Layers, frozen readout and constants of a trained LIF classifier.

    Example
    -------
    >>> net = SurrogateLIFNetwork.load("runs/snn/model.npz")                 # doctest: +SKIP
    >>> net.sizes, net.reset                                                 # doctest: +SKIP
    ([512, 100], 'zero')
    """

    layers: list
    W_out: np.ndarray
    b_out: np.ndarray
    reset: str = "zero"
    readout_alpha: float = 0.99
    step_s: float = 0.001
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.reset not in RESETS:
            raise ArtifactError(f"unknown reset {self.reset!r}; valid: {', '.join(RESETS)}")
        prev = self.layers[0].W.shape[1] if self.layers else 0
        for l, layer in enumerate(self.layers):
            if layer.W.shape[1] != prev or layer.b.shape != (layer.size,):
                raise ArtifactError(f"LIF layer {l}: W {layer.W.shape} and b {layer.b.shape} do "
                                    f"not fit (previous layer has {prev} outputs)")
            if not (0.0 <= layer.alpha_v <= 1.0 and layer.threshold > 0):
                raise ArtifactError(f"LIF layer {l}: alpha_v = {layer.alpha_v} must be in [0, 1] "
                                    f"and threshold = {layer.threshold} > 0")
            prev = layer.size
        if self.W_out.shape[1] != prev or self.b_out.shape != (self.W_out.shape[0],):
            raise ArtifactError(f"LIF readout: W_out {self.W_out.shape} does not fit a last layer "
                                f"of {prev} neurons")

    @property
    def n_inputs(self) -> int:
        return self.layers[0].W.shape[1]

    @property
    def n_outputs(self) -> int:
        return self.W_out.shape[0]

    @property
    def sizes(self) -> list:
        return [layer.size for layer in self.layers]

    def save(self, path_stem):
        arrays = {"W_out": self.W_out, "b_out": self.b_out}
        for l, layer in enumerate(self.layers):
            arrays[f"L{l}_W"], arrays[f"L{l}_b"] = layer.W, layer.b
        meta = {**self.meta, "n_layers": len(self.layers), "sizes": self.sizes,
                "alpha_v": [float(x.alpha_v) for x in self.layers],
                "threshold": [float(x.threshold) for x in self.layers], "reset": self.reset,
                "readout_alpha": self.readout_alpha, "step_s": self.step_s}
        return save_network(path_stem, KIND, arrays, meta)

    @classmethod
    def load(cls, path) -> "SurrogateLIFNetwork":
        arrays, meta = load_network(path, kind=KIND)
        try:
            layers = [LIFLayer(np.asarray(arrays[f"L{l}_W"], float), np.asarray(arrays[f"L{l}_b"], float),
                               float(meta["alpha_v"][l]), float(meta["threshold"][l]))
                      for l in range(int(meta["n_layers"]))]
            return cls(layers, np.asarray(arrays["W_out"], float), np.asarray(arrays["b_out"], float),
                       meta["reset"], float(meta["readout_alpha"]), float(meta["step_s"]), meta)
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise ArtifactError(f"{path}: not a complete LIF classifier ({exc!r})") from None
