"""The surrogate-gradient LIF classifier in torch: a pure step function plus a thin module.

Per layer and step (De Geeter et al. 2023, section 2 and appendix A; snnTorch ``Leaky`` with
``learn_beta`` and ``learn_threshold``):

    V[t] = alpha_V V[t-1] + W s_in[t] + b
    s[t] = H(V[t] - V_th)                      forward: Heaviside; backward: the ATan surrogate
    V[t] <- V[t] (1 - s[t])   (reset "zero", V_rest = 0)   or   V[t] - s[t] V_th  ("subtract")

The reset uses s[t] without gradient (snnTorch's default). ATan surrogate (snnTorch
``surrogate.atan``, slope ``a`` = 2): ``dS/dx = (a / 2) / (1 + (pi a x / 2)^2)`` with
``x = V - V_th``. alpha_V (init 0.9; 0.99 with latency codes) and V_th (init 1) are one learned
scalar per layer, kept in [0, 1] and >= ``MIN_THRESHOLD`` by :meth:`LIFClassifier.constrain_`.
The readout is the frozen class readout (:mod:`rate2spike.class_readout`).
"""
from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from ..class_readout import READOUT_ALPHA, frozen_class_readout
from ..layered import LayeredOutput, run_layered
from ..surrogates import ATAN_SLOPE, atan_spike  # noqa: F401  (re-exported)
from .network import RESETS, LIFLayer, SurrogateLIFNetwork

MIN_THRESHOLD = 1e-3


class LIFState(NamedTuple):
    """Membrane potential V after the reset and spikes s of one layer, (batch, n)."""

    v: torch.Tensor
    s: torch.Tensor


def lif_step(drive: torch.Tensor, state: LIFState, alpha_v: torch.Tensor, threshold: torch.Tensor,
             reset: str = "zero") -> LIFState:
    """One step of a LIF layer; ``drive`` (batch, n) = W s_in[t] + b.

    Example
    -------
    >>> z = torch.zeros(1, 2)
    >>> st = lif_step(torch.tensor([[0.5, 1.2]]), LIFState(z, z), torch.tensor(0.9), torch.tensor(1.0))
    >>> st.s.tolist(), st.v.tolist()                 # the second neuron fires and resets to 0
    ([[0.0, 1.0]], [[0.5, 0.0]])
    """
    v = alpha_v * state.v + drive
    s = atan_spike(v - threshold)
    if reset == "zero":
        v = v * (1.0 - s.detach())
    else:
        v = v - s.detach() * threshold
    return LIFState(v, s)


#: the forward pass's results (the output type every layered family shares)
LIFOutput = LayeredOutput


class LIFClassifier(nn.Module):
    """Feedforward LIF layers (``sizes``; the last has 10 neurons per class) and the frozen
    readout. Weights Xavier uniform, biases 0."""

    def __init__(self, n_inputs: int, sizes, n_classes: int, alpha_v: float = 0.9,
                 threshold: float = 1.0, reset: str = "zero", readout_alpha: float = READOUT_ALPHA,
                 step_s: float = 0.001):
        super().__init__()
        if reset not in RESETS:
            raise ValueError(f"unknown reset {reset!r}; valid: {', '.join(RESETS)}")
        self.reset, self.readout_alpha, self.step_s = reset, readout_alpha, step_s
        dims = [n_inputs, *sizes]
        self.linears = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))
        for lin in self.linears:
            nn.init.xavier_uniform_(lin.weight)
            nn.init.zeros_(lin.bias)
        self.alpha_v = nn.ParameterList(nn.Parameter(torch.tensor(float(alpha_v))) for _ in sizes)
        self.threshold = nn.ParameterList(nn.Parameter(torch.tensor(float(threshold))) for _ in sizes)
        W, b = frozen_class_readout(n_classes)
        if W.shape[1] != sizes[-1]:
            raise ValueError(f"the class readout needs a last layer of {W.shape[1]} neurons "
                             f"(10 per class), got {sizes[-1]}")
        self.register_buffer("W_out", torch.as_tensor(W, dtype=torch.float32))
        self.register_buffer("b_out", torch.as_tensor(b, dtype=torch.float32))

    @torch.no_grad()
    def constrain_(self) -> None:
        """Keep every alpha_V in [0, 1] and V_th >= MIN_THRESHOLD (after each optimiser step)."""
        for a, th in zip(self.alpha_v, self.threshold):
            a.clamp_(0.0, 1.0)
            th.clamp_(min=MIN_THRESHOLD)

    def forward(self, inputs, record_pulses: bool = False) -> LIFOutput:
        """inputs: (batch, n_in, T) spikes or graded values per step (array or tensor)."""
        u = torch.as_tensor(inputs, dtype=self.linears[0].weight.dtype)
        batch = u.shape[0]
        sizes = [lin.out_features for lin in self.linears]

        def layer_step(l):
            def step(x, state):
                state = lif_step(self.linears[l](x), state, self.alpha_v[l], self.threshold[l], self.reset)
                return state, state.s
            return step

        v = u.new_zeros((batch, self.W_out.shape[0]))

        def readout(s, t):
            nonlocal v
            v = self.readout_alpha * v + s @ self.W_out.T
            return v + self.b_out

        return run_layered(u, [layer_step(l) for l in range(len(sizes))],
                           [LIFState(u.new_zeros((batch, n)), u.new_zeros((batch, n))) for n in sizes],
                           sizes, readout, record_pulses)

    def to_network(self, meta: dict | None = None) -> SurrogateLIFNetwork:
        def arr(t):
            return t.detach().cpu().double().numpy().copy()
        layers = [LIFLayer(arr(lin.weight), arr(lin.bias), a.item(), th.item())
                  for lin, a, th in zip(self.linears, self.alpha_v, self.threshold)]
        return SurrogateLIFNetwork(layers, arr(self.W_out), arr(self.b_out), self.reset,
                                   self.readout_alpha, self.step_s, dict(meta or {}))

    @classmethod
    def from_network(cls, net: SurrogateLIFNetwork, dtype=torch.float64) -> "LIFClassifier":
        """A module holding ``net``'s arrays in ``dtype``."""
        model = cls(net.n_inputs, net.sizes, net.n_outputs, reset=net.reset,
                    readout_alpha=net.readout_alpha, step_s=net.step_s).to(dtype)
        with torch.no_grad():
            for lin, a, th, layer in zip(model.linears, model.alpha_v, model.threshold, net.layers):
                lin.weight.copy_(torch.as_tensor(layer.W))
                lin.bias.copy_(torch.as_tensor(layer.b))
                a.fill_(layer.alpha_v)
                th.fill_(layer.threshold)
            model.W_out.copy_(torch.as_tensor(net.W_out))
            model.b_out.copy_(torch.as_tensor(net.b_out))
        return model
