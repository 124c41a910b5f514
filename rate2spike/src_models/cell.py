"""The Spiking Recurrent Cell in torch: a pure step function plus thin modules.

Equations 3a-3f of De Geeter et al. (2023), per layer and step t (constants in
:class:`~rate2spike.src_models.constants.SRCConstants`):

    i[t]   = alpha i[t-1] + W_s s_in[t] (+ W_r s_out[t-1] if the layer is recurrent)
    x[t]   = rho tanh(i[t] / rho)
    h[t]   = tanh(x[t] + r h[t-1] + r_s h_s[t-1] + b_h)
    z_s    = zs_hyp + (zs_dep - zs_hyp) H(h[t] - 0.5)
    h_s[t] = z_s h_s[t-1] + (1 - z_s) h[t-1]
    s_out[t] = ReLU(h[t])

With z = 0, h[t] needs no z_s, so it is computed first and z_s switches on the new h[t], as
in eq. 3c (``zs_gate = "new_h"``): a pulse that rises above 0.5 at step t makes h_s catch up
at once, which gives the paper's fast descending side. ``zs_gate = "previous_h"`` switches
on h[t-1] instead (an earlier reading; pulses ~3 steps wide instead of ~2), so that nets
trained with it run as trained. Training switches, both on by default as in the paper:
``bypass_relu`` (backward pass treats the ReLU as the identity, ds/dh = 1) and ``detach``
(h[t-1] and h_s[t-1] enter step t without gradient, so gradients go back in time only through
the integrator i). Our recurrent synapses follow the same rule: s_out[t-1] enters W_r without
gradient (W_r still learns from its effect on step t). Without that, the ReLU bypass lets
gradients circulate through W_r on every step and they explode over 1,000 steps (measured:
infinite gradient norm on the first Go/NoGo batch).
"""
from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from ..layered import LayeredOutput, run_layered
from .constants import SRCConstants
from .network import SRCLayer, SRCNetwork, frozen_class_readout


class SRCState(NamedTuple):
    """State of one layer after a step: integrator i, fast h, slow h_s, pulses s (batch, n)."""

    i: torch.Tensor
    h: torch.Tensor
    hs: torch.Tensor
    s: torch.Tensor


def relu_bypass(h: torch.Tensor) -> torch.Tensor:
    """ReLU(h) in the forward pass, identity in the backward pass (ds/dh = 1)."""
    return h + (torch.relu(h) - h).detach()


def spike_generation(x: torch.Tensor, h_prev: torch.Tensor, hs_prev: torch.Tensor,
                     b_h: torch.Tensor, c: SRCConstants, zs_fixed: float | None = None):
    """Eqs. 3c-3e, the spike-generating part of a step, from the integrated input x[t]:
    returns (h[t], h_s[t], z_s). z_s switches on h[t] or h[t-1] (``c.zs_gate``); a number
    ``zs_fixed`` holds it constant instead (the paper's Fig. 6 comparison).

    Example
    -------
    >>> c = SRCConstants()
    >>> z = torch.zeros(1, dtype=torch.float64)
    >>> h, hs, zs = spike_generation(z + 2.0, z + 0.2, z, torch.tensor([-1.0]), c)
    >>> round(h.item(), 6), hs.item(), zs.item()  # h = tanh(2 + 0.4 - 1) > 0.5: z_s = 0, h_s = h[t-1]
    (0.885352, 0.2, 0.0)
    """
    h = torch.tanh(x + c.r * h_prev + c.r_s * hs_prev + b_h)
    if zs_fixed is None:
        gate = h.detach() if c.zs_gate == "new_h" else h_prev
        zs = c.zs_hyp + (c.zs_dep - c.zs_hyp) * (gate > 0.5).to(h.dtype)
    else:
        zs = torch.full_like(h, float(zs_fixed))
    return h, zs * hs_prev + (1.0 - zs) * h_prev, zs


def src_step(drive: torch.Tensor, state: SRCState, b_h: torch.Tensor, c: SRCConstants,
             bypass_relu: bool = True, detach: bool = True) -> SRCState:
    """One step of an SRC layer. ``drive`` (batch, n) = W_s s_in[t] (+ W_r s_out[t-1])."""
    i = c.alpha * state.i + drive
    x = c.rho * torch.tanh(i / c.rho)
    h_prev = state.h.detach() if detach else state.h
    hs_prev = state.hs.detach() if detach else state.hs
    h, hs, _ = spike_generation(x, h_prev, hs_prev, b_h, c)
    s = relu_bypass(h) if bypass_relu else torch.relu(h)
    return SRCState(i, h, hs, s)


def zero_state(batch: int, n: int, like: torch.Tensor) -> SRCState:
    z = like.new_zeros((batch, n))
    return SRCState(z, z, z, z)


class SRCLayerModule(nn.Module):
    """One layer: learned W_s (Xavier uniform), optional W_r (Xavier uniform), b_h (init
    ``b_h_init``, kept <= ``b_h_max`` by :meth:`SRCNet.clamp_bias_`)."""

    def __init__(self, n_in: int, n: int, recurrent: bool, constants: SRCConstants):
        super().__init__()
        self.W_s = nn.Parameter(nn.init.xavier_uniform_(torch.empty(n, n_in)))
        self.W_r = nn.Parameter(nn.init.xavier_uniform_(torch.empty(n, n))) if recurrent else None
        self.b_h = nn.Parameter(torch.full((n,), constants.b_h_init))

    def drive(self, s_in: torch.Tensor, s_prev: torch.Tensor, detach: bool = True) -> torch.Tensor:
        """W_s s_in[t] (+ W_r s_out[t-1]; the previous pulses enter without gradient when
        ``detach``, like h and h_s, so only the integrator i carries gradients back in time)."""
        d = s_in @ self.W_s.T
        if self.W_r is None:
            return d
        return d + (s_prev.detach() if detach else s_prev) @ self.W_r.T


#: the forward pass's results (the output type every layered family shares): outputs (batch, k,
#: T); active_steps per layer (batch, n) count of steps with s > 0; pulses per layer or None
SRCOutput = LayeredOutput


class SRCNet(nn.Module):
    """Stacked SRC layers and a leaky-integrator readout (see :mod:`.network`).

    sizes : neurons per layer; recurrent : add W_r within every layer; readout : ``"linear"``
    (trained W_out, b_out; ``n_outputs`` outputs) or ``"classify"`` (frozen, the last layer must
    have 10 neurons per class).
    """

    def __init__(self, n_inputs: int, sizes, n_outputs: int = 1, recurrent: bool = True,
                 readout: str = "linear", constants: SRCConstants | None = None,
                 bypass_relu: bool = True, detach: bool = True):
        super().__init__()
        self.constants = constants or SRCConstants()
        self.readout, self.bypass_relu, self.detach = readout, bypass_relu, detach
        dims = [n_inputs, *sizes]
        self.layers = nn.ModuleList(SRCLayerModule(a, b, recurrent, self.constants)
                                    for a, b in zip(dims[:-1], dims[1:]))
        if readout == "classify":
            W, b = frozen_class_readout(n_outputs)
            if W.shape[1] != sizes[-1]:
                raise ValueError(f"the classification readout needs a last layer of "
                                 f"{W.shape[1]} neurons (10 per class), got {sizes[-1]}")
            self.register_buffer("W_out", torch.as_tensor(W, dtype=torch.float32))
            self.register_buffer("b_out", torch.as_tensor(b, dtype=torch.float32))
        else:
            self.W_out = nn.Parameter(nn.init.xavier_uniform_(torch.empty(n_outputs, sizes[-1])))
            self.b_out = nn.Parameter(torch.zeros(n_outputs))
        self.readout_gain = 1.0 - self.constants.readout_alpha if readout == "linear" else 1.0

    @torch.no_grad()
    def clamp_bias_(self) -> None:
        """Enforce b_h <= b_h_max (call after every optimiser step)."""
        for layer in self.layers:
            layer.b_h.clamp_(max=self.constants.b_h_max)

    constrain_ = clamp_bias_   # the name every trained family's parameter bound has

    def forward(self, inputs, record_pulses: bool = False) -> SRCOutput:
        """inputs: (batch, n_in, T) pulses on the SRC grid (array or tensor)."""
        u = torch.as_tensor(inputs, dtype=self.layers[0].W_s.dtype)
        batch = u.shape[0]
        sizes = [layer.W_s.shape[0] for layer in self.layers]

        def layer_step(l):
            layer = self.layers[l]

            def step(x, state):
                state = src_step(layer.drive(x, state.s, self.detach), state, layer.b_h, self.constants,
                                 self.bypass_relu, self.detach)
                return state, state.s
            return step

        v = u.new_zeros((batch, self.W_out.shape[0]))
        a, g = self.constants.readout_alpha, self.readout_gain

        def readout(s, t):
            nonlocal v
            v = a * v + g * (s @ self.W_out.T)
            return v + self.b_out

        return run_layered(u, [layer_step(l) for l in range(len(sizes))],
                           [zero_state(batch, n, u) for n in sizes], sizes, readout, record_pulses)

    # -- plain data ----------------------------------------------------------------------
    def to_network(self, meta: dict | None = None) -> SRCNetwork:
        def arr(t):
            return None if t is None else t.detach().cpu().double().numpy().copy()
        layers = [SRCLayer(arr(l.W_s), arr(l.b_h), arr(l.W_r)) for l in self.layers]
        return SRCNetwork(layers, arr(self.W_out), arr(self.b_out), self.readout, self.constants,
                          dict(meta or {}))

    @classmethod
    def from_network(cls, net: SRCNetwork, dtype=torch.float64, **switches) -> "SRCNet":
        """A module holding ``net``'s arrays (``dtype``); ``switches``: bypass_relu, detach."""
        model = cls(net.n_inputs, net.sizes, net.n_outputs, any(l.recurrent for l in net.layers),
                    net.readout, net.constants, **switches).to(dtype)
        with torch.no_grad():          # copied in ``dtype``: float32 parameters would round
            for mod, layer in zip(model.layers, net.layers):
                mod.W_s.copy_(torch.as_tensor(layer.W_s))
                mod.b_h.copy_(torch.as_tensor(layer.b_h))
                if layer.W_r is not None:
                    mod.W_r.copy_(torch.as_tensor(layer.W_r))
                elif mod.W_r is not None:
                    mod.W_r = None
            model.W_out.copy_(torch.as_tensor(net.W_out))
            model.b_out.copy_(torch.as_tensor(net.b_out))
        return model

