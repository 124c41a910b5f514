"""A Spiking Recurrent Cell network as plain arrays and constants (no torch, no Brian2).

Layer ``l`` (0-based) maps the pulses of layer ``l - 1`` (the task input for ``l = 0``) to
its own pulses:

- ``W_s`` (n_l, n_{l-1}): input weights (paper: W_s), W_s[j, k] from input k to neuron j;
- ``W_r`` (n_l, n_l) or None: optional recurrent weights within the layer (our addition,
  the paper's open question), W_r[j, k] from neuron k's pulse at the previous step;
- ``b_h`` (n_l,): learned bias, <= ``constants.b_h_max``.

Readout, ``W_out`` (k, n_L), ``b_out`` (k,): integrators ``v[t] = a v[t-1] + g W_out s_L[t]``,
output ``o[t] = v[t] + b_out`` with ``a = constants.readout_alpha`` and

- ``"linear"``: a trained linear readout of the leaky-integrated pulses, ``g = 1 - a`` (the
  trace of each neuron is a running mean of its pulses), used with the regression targets
  of the Kim et al. tasks;
- ``"classify"``: the paper's frozen readout (``g = 1``, W_out = +1 from a class's own group
  of 10 neurons, -0.1 from all others, b_out = 0); prediction = argmax at the last step.

Artifact (``kind = "src_network"``): arrays ``L{l}_W_s``, ``L{l}_W_r`` (if recurrent),
``L{l}_b_h``, ``W_out``, ``b_out``; JSON with the constants, readout kind and metadata.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..artifacts import load_network, register_kind, save_network
from ..class_readout import GROUP_SIZE, frozen_class_readout  # noqa: F401  (re-exported)
from ..errors import ArtifactError, ConfigError, Rate2SpikeError
from .constants import SRCConstants

register_kind("src_network", ("W_out", "b_out"))   # plus L{l}_W_s, L{l}_b_h (and L{l}_W_r) per layer

READOUTS = ("linear", "classify")


@dataclass
class SRCLayer:
    """One layer's learned arrays (see the module docstring)."""

    W_s: np.ndarray
    b_h: np.ndarray
    W_r: np.ndarray | None = None

    @property
    def size(self) -> int:
        return self.W_s.shape[0]

    @property
    def recurrent(self) -> bool:
        return self.W_r is not None


@dataclass
class SRCNetwork:
    """Layers, readout and constants of a trained SRC net; ``meta`` holds task and training info.

    Example
    -------
    >>> net = SRCNetwork.load("runs/src/src_model.npz")                      # doctest: +SKIP
    >>> net.sizes, net.readout, net.constants.zs_gate                        # doctest: +SKIP
    ([100], 'linear', 'new_h')
    """

    layers: list
    W_out: np.ndarray
    b_out: np.ndarray
    readout: str = "linear"
    constants: SRCConstants = field(default_factory=SRCConstants)
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.readout not in READOUTS:
            raise Rate2SpikeError(f"unknown readout {self.readout!r}; valid: {', '.join(READOUTS)}")
        prev = self.layers[0].W_s.shape[1] if self.layers else 0
        for l, layer in enumerate(self.layers):
            n = layer.size
            if layer.W_s.shape[1] != prev or layer.b_h.shape != (n,) or (
                    layer.W_r is not None and layer.W_r.shape != (n, n)):
                raise ArtifactError(f"SRC layer {l}: inconsistent shapes W_s {layer.W_s.shape}, "
                                    f"b_h {layer.b_h.shape}, W_r "
                                    f"{None if layer.W_r is None else layer.W_r.shape} "
                                    f"(previous layer has {prev} outputs)")
            prev = n
        if self.W_out.shape[1] != prev or self.b_out.shape != (self.W_out.shape[0],):
            raise ArtifactError(f"SRC readout: W_out {self.W_out.shape} and b_out "
                                f"{self.b_out.shape} do not fit a last layer of {prev} neurons")

    @property
    def n_inputs(self) -> int:
        return self.layers[0].W_s.shape[1]

    @property
    def n_outputs(self) -> int:
        return self.W_out.shape[0]

    @property
    def sizes(self) -> list:
        return [layer.size for layer in self.layers]

    @property
    def readout_gain(self) -> float:
        """g in ``v[t] = a v[t-1] + g W_out s[t]``: 1 - a (linear) or 1 (classify)."""
        return 1.0 - self.constants.readout_alpha if self.readout == "linear" else 1.0

    @property
    def task(self) -> str:
        return self.meta.get("task", "")

    def arrays(self) -> dict:
        out = {"W_out": self.W_out, "b_out": self.b_out}
        for l, layer in enumerate(self.layers):
            out[f"L{l}_W_s"], out[f"L{l}_b_h"] = layer.W_s, layer.b_h
            if layer.W_r is not None:
                out[f"L{l}_W_r"] = layer.W_r
        return out

    def save(self, path_stem):
        meta = {**self.meta, "n_layers": len(self.layers), "sizes": self.sizes,
                "readout": self.readout, "constants": self.constants.as_dict()}
        return save_network(path_stem, "src_network", self.arrays(), meta)

    @classmethod
    def load(cls, path) -> "SRCNetwork":
        arrays, meta = load_network(path, kind="src_network")
        try:
            layers = [SRCLayer(np.asarray(arrays[f"L{l}_W_s"], float),
                               np.asarray(arrays[f"L{l}_b_h"], float),
                               np.asarray(arrays[f"L{l}_W_r"], float) if f"L{l}_W_r" in arrays else None)
                      for l in range(int(meta["n_layers"]))]
            # artifacts from before the gate was recorded were trained with z_s(h[t-1])
            constants = SRCConstants(**{"zs_gate": "previous_h", **meta["constants"]})
        except (KeyError, TypeError, ConfigError) as exc:
            raise ArtifactError(f"{path}: not a complete SRC network ({exc})") from None
        meta = {k: v for k, v in meta.items() if k not in ("constants",)}
        return cls(layers, np.asarray(arrays["W_out"], float), np.asarray(arrays["b_out"], float),
                   meta.get("readout", "linear"), constants, meta)


def steps_per_task_step(task_dt_s: float, step_s: float) -> int:
    """How many SRC steps make one task step; the task grid must be a whole multiple."""
    k = task_dt_s / step_s
    if k < 1 - 1e-9 or abs(k - round(k)) > 1e-6:
        raise Rate2SpikeError(f"the SRC step ({step_s * 1e3:g} ms) must divide the task step "
                              f"({task_dt_s * 1e3:g} ms) a whole number of times")
    return int(round(k))


def task_inputs_to_steps(inputs: np.ndarray, task_dt_s: float, step_s: float) -> np.ndarray:
    """Task input u (batch, n_in, task steps) held constant over each task step, on the SRC
    grid: (batch, n_in, task steps * task_dt_s / step_s). Input k of a trial enters layer 0
    as a graded pulse of height u_k(t) on every SRC step (direct encoding)."""
    return np.repeat(np.asarray(inputs, float), steps_per_task_step(task_dt_s, step_s), axis=-1)
