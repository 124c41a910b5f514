"""The adaptive LIF SRNN of Yin, Corradi & Bohté (2020) in torch: a pure step function plus a
thin module (equations in :mod:`.alif_network`; ``beta = 0`` is the plain LIF SRNN).

Surrogate gradient of the spike (forward: Heaviside of x = u - theta): the paper's Gaussian
or the multi-Gaussian of the authors' later code (:mod:`rate2spike.surrogates`). The time loop
is the shared :func:`rate2spike.layered.run_layered`. Time constants are learned per neuron (in
ms inside the module, seconds in the plain-data net) and kept in ``TAU_RANGES_MS`` by
:meth:`ALIFNet.constrain_`.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch
from torch import nn

from ..layered import LayeredOutput, run_layered
from ..surrogates import SIGMA, SURROGATES, gaussian_spike, surrogate_gradient  # noqa: F401  (re-exported)
from .alif_network import ALIF_READOUTS, B0, BETA, ALIFLayer, ALIFNetwork

#: (low, high) of each learned time constant, ms
TAU_RANGES_MS = {"tau_m": (1.0, 500.0), "tau_adp": (1.0, 5000.0), "tau_out": (1.0, 500.0)}
#: initial (mean, s.d.) of each time constant, ms (our choice: the paper gives none)
TAU_INIT_MS = {"tau_m": (20.0, 5.0), "tau_adp": (200.0, 50.0), "tau_out": (20.0, 5.0)}


class ALIFState(NamedTuple):
    """Membrane u, adaptation eta and spikes S of one layer after a step, (batch, n)."""

    u: torch.Tensor
    eta: torch.Tensor
    s: torch.Tensor


def alif_step(drive: torch.Tensor, state: ALIFState, tau_m_ms, tau_adp_ms, dt_ms: float = 1.0,
              beta: float = BETA, b0: float = B0, surrogate: str = "gaussian") -> tuple:
    """One step (eqs. 4-8); ``drive`` = I[t] (batch, n). Returns (new state, theta[t]).

    Example
    -------
    >>> z = torch.zeros(1, 1)
    >>> st, th = alif_step(torch.ones(1, 1), ALIFState(z, z, z), torch.tensor([20.0]), torch.tensor([200.0]))
    >>> round(st.u.item(), 4), st.s.item(), round(th.item(), 6)   # u = 1 - exp(-1/20) > b0: a spike
    (0.0488, 1.0, 0.01)
    """
    alpha = torch.exp(-dt_ms / tau_m_ms)
    rho = torch.exp(-dt_ms / tau_adp_ms)
    eta = rho * state.eta + (1 - rho) * state.s
    theta = b0 + beta * eta
    u = alpha * state.u + (1 - alpha) * drive - state.s * theta
    return ALIFState(u, eta, gaussian_spike(u - theta, surrogate)), theta


#: the forward pass's results (the output type every layered family shares)
ALIFOutput = LayeredOutput


def _tau(n: int, name: str, init: dict) -> nn.Parameter:
    mean, sd = init.get(name, TAU_INIT_MS[name])
    lo, hi = TAU_RANGES_MS[name]
    return nn.Parameter(torch.empty(n).normal_(mean, sd).clamp_(lo, hi))


class ALIFNet(nn.Module):
    """Recurrent adaptive LIF layers (``sizes``) and a leaky-integrator readout of
    ``n_outputs``. ``adaptive=False`` sets beta = 0 (plain LIF SRNN), ``beta`` another strength
    of adaptation (default 1.8, the paper's); ``tau_init_ms`` overrides
    entries of :data:`TAU_INIT_MS` (name -> (mean, s.d.) in ms)."""

    def __init__(self, n_inputs: int, sizes, n_outputs: int, recurrent: bool = True,
                 adaptive: bool = True, readout: str = "mean", surrogate: str = "gaussian",
                 step_s: float = 0.001, b0: float = B0, tau_init_ms: dict | None = None,
                 beta: float | None = None):
        super().__init__()
        if readout not in ALIF_READOUTS or surrogate not in SURROGATES:
            raise ValueError(f"readout must be one of {ALIF_READOUTS}, surrogate one of {SURROGATES}")
        self.beta = (BETA if adaptive else 0.0) if beta is None else float(beta)
        self.b0 = b0
        self.readout, self.surrogate, self.step_s = readout, surrogate, step_s
        dims = [n_inputs, *sizes]
        self.inputs = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.recurrents = nn.ModuleList(nn.Linear(b, b, bias=False) for b in sizes) if recurrent else None
        for lin in [*self.inputs, *(self.recurrents or [])]:
            nn.init.xavier_uniform_(lin.weight)
        for lin in self.inputs:
            nn.init.zeros_(lin.bias)
        init = dict(tau_init_ms or {})
        self.tau_m = nn.ParameterList(_tau(n, "tau_m", init) for n in sizes)
        self.tau_adp = nn.ParameterList(_tau(n, "tau_adp", init) for n in sizes)
        self.out = nn.Linear(sizes[-1], n_outputs)
        nn.init.xavier_uniform_(self.out.weight)
        nn.init.zeros_(self.out.bias)
        self.tau_out = _tau(n_outputs, "tau_out", init)

    @torch.no_grad()
    def constrain_(self) -> None:
        """Keep every time constant in :data:`TAU_RANGES_MS` (after each optimiser step)."""
        for name, params in (("tau_m", self.tau_m), ("tau_adp", self.tau_adp), ("tau_out", [self.tau_out])):
            for p in params:
                p.clamp_(*TAU_RANGES_MS[name])

    def forward(self, inputs, record_pulses: bool = False) -> ALIFOutput:
        """inputs: (batch, n_in, T) spikes or values per step (array or tensor)."""
        x_all = torch.as_tensor(inputs, dtype=self.out.weight.dtype)
        B = x_all.shape[0]
        dt = self.step_s * 1e3
        zeros = [x_all.new_zeros((B, lin.out_features)) for lin in self.inputs]

        def layer_step(l):
            def step(x, state):
                drive = self.inputs[l](x)
                if self.recurrents is not None:
                    drive = drive + self.recurrents[l](state.s)
                state, _ = alif_step(drive, state, self.tau_m[l], self.tau_adp[l], dt, self.beta,
                                     self.b0, self.surrogate)
                return state, state.s
            return step

        a_out = torch.exp(-dt / self.tau_out)
        v = x_all.new_zeros((B, self.out.out_features))
        run = None

        def readout(x, t):
            nonlocal v, run
            v = a_out * v + (1 - a_out) * self.out(x)
            if self.readout == "last":
                run = v
            elif self.readout == "max":
                run = v if run is None else torch.maximum(run, v)
            elif self.readout == "mean":
                run = v if run is None else run + (v - run) / (t + 1)     # running mean
            else:                                     # Yin et al.'s code: sum of softmax(v)
                p = torch.softmax(v, dim=1)
                run = p if run is None else run + p
            return run

        return run_layered(x_all, [layer_step(l) for l in range(len(self.inputs))],
                           [ALIFState(z, z, z) for z in zeros], [z.shape[1] for z in zeros], readout,
                           record_pulses)

    def to_network(self, meta: dict | None = None) -> ALIFNetwork:
        def arr(t):
            return t.detach().cpu().double().numpy().copy()
        layers = [ALIFLayer(arr(lin.weight), arr(lin.bias), arr(tm) / 1e3, arr(ta) / 1e3,
                            arr(self.recurrents[l].weight) if self.recurrents is not None else None)
                  for l, (lin, tm, ta) in enumerate(zip(self.inputs, self.tau_m, self.tau_adp))]
        return ALIFNetwork(layers, arr(self.out.weight), arr(self.out.bias), arr(self.tau_out) / 1e3,
                           self.beta, self.b0, self.readout, self.step_s, dict(meta or {}))

    @classmethod
    def from_network(cls, net: ALIFNetwork, dtype=torch.float64, surrogate: str = "gaussian") -> "ALIFNet":
        """A module holding ``net``'s arrays (time constants back in ms) in ``dtype``."""
        model = cls(net.n_inputs, net.sizes, net.n_outputs, net.recurrent, net.beta > 0, net.readout,
                    surrogate, net.step_s, net.b0).to(dtype)
        model.beta = net.beta
        with torch.no_grad():
            for l, layer in enumerate(net.layers):
                model.inputs[l].weight.copy_(torch.as_tensor(layer.W_in))
                model.inputs[l].bias.copy_(torch.as_tensor(layer.b))
                model.tau_m[l].copy_(torch.as_tensor(layer.tau_m_s * 1e3))
                model.tau_adp[l].copy_(torch.as_tensor(layer.tau_adp_s * 1e3))
                if model.recurrents is not None:     # a layer without W_rec in a recurrent net: 0
                    model.recurrents[l].weight.copy_(torch.as_tensor(
                        layer.W_rec if layer.W_rec is not None else np.zeros((layer.size, layer.size))))
            model.out.weight.copy_(torch.as_tensor(net.W_out))
            model.out.bias.copy_(torch.as_tensor(net.b_out))
            model.tau_out.copy_(torch.as_tensor(net.tau_out_s * 1e3))
        return model
