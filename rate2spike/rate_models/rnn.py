"""Continuous-variable rate RNN of Kim, Li & Sejnowski (2019), in torch.

Time is discrete with one step = ``dt_s`` seconds (5 ms); the synaptic decay
time constants tau_d are held in seconds and enter the update as
alpha = dt_s / tau_d. Per unit i (Euler step of the fact sheet)::

    x_t = (1 - alpha) * x_{t-1} + alpha * (W r_{t-1} + W_in u_{t-1}) + xi_t
    r_t = phi(x_t),      o_t = W_out r_t + b_out

with xi ~ N(0, noise_std**2) (reference: randn/10), x_0 ~ N(0, 0.01**2).
W is the *effective* signed recurrent matrix relu(W_raw) @ diag(dale_sign).
"""
from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from .transfer import get_transfer


def rate_step(x, r, u_prev, w_eff, w_in, alpha, noise):
    """One Euler step of the rate model (pure function).

    x, r : (batch, N) state and rate at t-1; u_prev : (batch, n_in) input at t-1;
    w_eff : (N, N) effective recurrent matrix (row = receiving unit);
    w_in : (N, n_in); alpha : (N,) = dt/tau_d; noise : (batch, N) or None.
    Returns x_t.
    """
    drive = r @ w_eff.T + u_prev @ w_in.T
    x_new = (1.0 - alpha) * x + alpha * drive
    return x_new if noise is None else x_new + noise


def run_rate_network(u, w_eff, w_in, w_out, b_out, alpha, phi, noise_std, x0, generator=None,
                     return_rates=False):
    """Simulate the rate network over all steps of ``u`` (batch, n_in, T).

    x0 : (batch, N) initial state. Returns o (batch, T) and optionally r (batch, T, N).
    """
    batch, _, n_steps = u.shape
    x = x0
    r = phi(x)
    outs = [r @ w_out.T + b_out]
    rates = [r] if return_rates else None
    for t in range(1, n_steps):
        noise = None
        if noise_std > 0:
            # drawn on the (CPU) generator whatever the device: same noise on CPU and GPU
            # (in the net's precision: float32 draws are ~5x faster than float64 ones)
            noise = torch.randn(x.shape, generator=generator, dtype=x.dtype).to(x.device) * noise_std
        x = rate_step(x, r, u[:, :, t - 1], w_eff, w_in, alpha, noise)
        r = phi(x)
        outs.append(r @ w_out.T + b_out)
        if return_rates:
            rates.append(r)
    o = torch.cat(outs, dim=1) if w_out.shape[0] == 1 else torch.stack(outs, dim=1)
    if return_rates:
        return o, torch.stack(rates, dim=1)
    return o


class RateRNN(nn.Module):
    """Trainable rate RNN with Dale's principle and per-unit trainable tau_d.

    Trainable: ``w_raw`` (N, N), ``theta`` (N,) (tau_d = sigmoid(theta)(tau_max - tau_min)
    + tau_min, seconds), ``w_out`` (1, N), ``b_out`` (1,). Fixed: ``w_in`` (N, n_in),
    ``dale_sign`` (N,). With tau_min == tau_max, tau_d is fixed and ``theta`` is not trained.
    """

    def __init__(self, n_units=200, n_inputs=1, act="sigmoid", dale=True, p_inh=0.2, p_rec=0.2,
                 gain=1.5, tau_min_s=0.02, tau_max_s=0.1, dt_s=0.005, noise_std=0.1, seed=0):
        super().__init__()
        self.n_units, self.n_inputs, self.act = int(n_units), int(n_inputs), act
        self.phi = get_transfer(act)
        self.dt_s, self.noise_std = float(dt_s), float(noise_std)
        self.tau_min_s, self.tau_max_s = float(tau_min_s), float(tau_max_s)
        g = torch.Generator().manual_seed(int(seed))
        n = self.n_units
        if dale:
            sign = torch.where(torch.rand(n, generator=g) < p_inh, -1.0, 1.0)
        else:
            sign = torch.ones(n)
        mask = (torch.rand(n, n, generator=g) < p_rec).double()
        w0 = (mask * torch.randn(n, n, generator=g, dtype=torch.float64)
              / math.sqrt(n * p_rec) * gain)
        self.dale = bool(dale)
        # Without Dale's principle the sign split is dropped: W_eff = W_raw (signed).
        self.w_raw = nn.Parameter(w0.abs() if dale else w0)
        self.register_buffer("dale_sign", sign.double())
        self.register_buffer("w_in", torch.randn(n, n_inputs, generator=g, dtype=torch.float64))
        self.w_out = nn.Parameter(torch.randn(1, n, generator=g, dtype=torch.float64) / 100)
        self.b_out = nn.Parameter(torch.zeros(1, dtype=torch.float64))
        self.theta = nn.Parameter(torch.randn(n, generator=g, dtype=torch.float64),
                                  requires_grad=self.trains_tau)

    @property
    def trains_tau(self) -> bool:
        return self.tau_max_s > self.tau_min_s

    def tau_d(self) -> torch.Tensor:
        """Per-unit synaptic decay time constant, seconds."""
        if not self.trains_tau:
            return torch.full((self.n_units,), self.tau_min_s, dtype=self.w_in.dtype,
                              device=self.w_in.device)
        return torch.sigmoid(self.theta) * (self.tau_max_s - self.tau_min_s) + self.tau_min_s

    def effective_weights(self) -> torch.Tensor:
        """Signed recurrent matrix W[i, j] from unit j to unit i."""
        if self.dale:
            return torch.relu(self.w_raw) * self.dale_sign[None, :]
        return self.w_raw

    def forward(self, u, noise=True, generator=None, return_rates=False):
        """u : (batch, n_in, T) tensor. Returns o (batch, T) [and r (batch, T, N)], in the
        module's precision (float64 unless cast with ``.to(torch.float32)``)."""
        u = torch.as_tensor(u, dtype=self.w_in.dtype, device=self.w_in.device)
        x0 = torch.randn(u.shape[0], self.n_units, generator=generator,
                         dtype=torch.float64).to(u) / 100
        return run_rate_network(u, self.effective_weights(), self.w_in, self.w_out, self.b_out,
                                self.dt_s / self.tau_d(), self.phi,
                                self.noise_std if noise else 0.0, x0, generator, return_rates)

    @torch.no_grad()
    def export_arrays(self) -> dict:
        """Plain NumPy arrays of the trained network (see :mod:`.network`)."""
        arrays = {"W_rec": self.effective_weights(), "W_in": self.w_in, "W_out": self.w_out,
                  "b_out": self.b_out, "tau_d_s": self.tau_d(), "dale_sign": self.dale_sign}
        return {k: v.double().cpu().numpy().copy() for k, v in arrays.items()}

    @classmethod
    def from_network(cls, net) -> "RateRNN":
        """A module holding the arrays of a :class:`~rate2spike.rate_models.network.RateNetwork`
        (for evaluation)."""
        m = cls(n_units=net.n_units, n_inputs=net.n_inputs, act=net.act, dale=net.dale,
                tau_min_s=net.tau_min_s, tau_max_s=net.tau_max_s, dt_s=net.dt_s,
                noise_std=net.noise_std)
        return m.load_arrays_(net)

    @torch.no_grad()
    def load_arrays_(self, net) -> "RateRNN":
        """Copy a plain-data net's W_rec, W_in, W_out, b_out (if it has one), tau_d_s and
        dale_sign into this module (shapes must match); returns the module."""
        self.dale_sign.copy_(torch.as_tensor(net.dale_sign, dtype=torch.float64))
        self.w_raw.copy_(torch.as_tensor(np.abs(net.W_rec) if self.dale else net.W_rec))
        self.w_in.copy_(torch.as_tensor(net.W_in))
        self.w_out.copy_(torch.as_tensor(net.W_out))
        if getattr(net, "b_out", None) is not None:
            self.b_out.copy_(torch.as_tensor(net.b_out))
        if self.trains_tau:
            frac = (torch.as_tensor(net.tau_d_s) - self.tau_min_s) / (self.tau_max_s - self.tau_min_s)
            self.theta.copy_(torch.logit(frac.clamp(1e-12, 1 - 1e-12)))
        return self


def simulate_rate_network(net, inputs, seed: int = 0, noise: bool = True):
    """Outputs (batch, steps) and rates (batch, steps, N) of a plain-data rate network on
    ``inputs`` (batch, n_in, steps), float64, with its training noise drawn from a torch
    generator seeded with ``seed`` (initial state first, then the noise of each step)."""
    model = RateRNN.from_network(net)
    with torch.no_grad():
        o, r = model(inputs, noise=noise, generator=torch.Generator().manual_seed(int(seed)),
                     return_rates=True)
    return o.numpy(), r.numpy()
