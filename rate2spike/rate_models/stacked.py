"""K rate RNNs of one shape as one batched model (training several nets of a study together).

Every trainable tensor of :class:`~.rnn.RateRNN` gets a leading net axis: ``w_raw`` (K, N, N),
``theta`` (K, N), ``w_out`` (K, 1, N), ``b_out`` (K, 1); the fixed ``w_in`` (K, N, n_in) and
``dale_sign`` (K, N) likewise. One step is the Euler step of :func:`.rnn.rate_step` for every
net at once (batched matrix products), so a forward pass costs one set of small-tensor
operations for all K nets instead of K. The nets never mix: net k's output, loss and gradient
depend on net k's tensors only, and each net draws its initial state and noise from its own
generator in the order :meth:`.rnn.RateRNN.forward` does, so net k behaves as the lone module
(up to float rounding of the batched products).
"""
from __future__ import annotations

import torch
from torch import nn

from .rnn import RateRNN

#: block of normal draws whose concatenation equals one draw of the whole (torch's CPU normal
#: sampler fills tensors of at least 16 values 16 at a time)
_NORMAL_BLOCK = 16


def step_noise(generators: list, steps: int, shape: tuple, dtype) -> torch.Tensor:
    """Noise (K, steps, *shape) in ``dtype``: for net k, ``steps`` successive
    ``torch.randn(shape, generator=generators[k])`` draws (one draw of all of them at once when
    that gives the same numbers, i.e. when a step's count is a multiple of 16)."""
    count = int(torch.Size(shape).numel())
    if count >= _NORMAL_BLOCK and count % _NORMAL_BLOCK == 0:
        return torch.stack([torch.randn((steps, *shape), generator=g, dtype=dtype)
                            for g in generators])
    return torch.stack([torch.stack([torch.randn(shape, generator=g, dtype=dtype)
                                     for _ in range(steps)]) for g in generators])


class StackedRateRNN(nn.Module):
    """The nets of ``models`` (RateRNNs of one shape, transfer function and tau range) stacked;
    the modules themselves are not changed until :meth:`write_back`."""

    def __init__(self, models: list):
        super().__init__()
        first = models[0]
        self.phi, self.dt_s, self.noise_std = first.phi, first.dt_s, first.noise_std
        self.dale, self.trains_tau = first.dale, first.trains_tau
        self.tau_min_s, self.tau_max_s = first.tau_min_s, first.tau_max_s
        stack = lambda name: torch.stack([getattr(m, name).detach() for m in models])  # noqa: E731
        self.w_raw, self.w_out, self.b_out = (nn.Parameter(stack(n)) for n in ("w_raw", "w_out", "b_out"))
        self.theta = nn.Parameter(stack("theta"), requires_grad=self.trains_tau)
        self.register_buffer("w_in", stack("w_in"))
        self.register_buffer("dale_sign", stack("dale_sign"))

    @property
    def n_nets(self) -> int:
        return self.w_raw.shape[0]

    def tau_d(self) -> torch.Tensor:
        """(K, N) synaptic decay time constants, seconds."""
        if not self.trains_tau:
            return torch.full(self.theta.shape, self.tau_min_s, dtype=self.w_in.dtype)
        return torch.sigmoid(self.theta) * (self.tau_max_s - self.tau_min_s) + self.tau_min_s

    def effective_weights(self) -> torch.Tensor:
        """(K, N, N) signed recurrent matrices (row = receiving unit)."""
        if self.dale:
            return torch.relu(self.w_raw) * self.dale_sign[:, None, :]
        return self.w_raw

    def forward(self, u: torch.Tensor, generators: list, noise: bool = True) -> torch.Tensor:
        """u : (K, batch, n_in, T); generators : one torch CPU generator per net. Returns the
        outputs (K, batch, T) in the model's precision."""
        u = torch.as_tensor(u, dtype=self.w_in.dtype)
        n_nets, batch, _, n_steps = u.shape
        n = self.w_raw.shape[-1]
        x = torch.stack([torch.randn(batch, n, generator=g, dtype=torch.float64)
                         for g in generators]).to(u) / 100
        xi = (step_noise(generators, n_steps - 1, (batch, n), u.dtype) * self.noise_std
              if noise and self.noise_std > 0 else None)
        w_eff_t, w_in_t = self.effective_weights().transpose(1, 2), self.w_in.transpose(1, 2)
        w_out_t, b_out = self.w_out.transpose(1, 2), self.b_out[:, None, :]
        alpha = (self.dt_s / self.tau_d())[:, None, :]
        r = self.phi(x)
        outs = [torch.bmm(r, w_out_t) + b_out]
        for t in range(1, n_steps):
            drive = torch.bmm(r, w_eff_t) + torch.bmm(u[:, :, :, t - 1], w_in_t)
            x = (1.0 - alpha) * x + alpha * drive
            if xi is not None:
                x = x + xi[:, t - 1]
            r = self.phi(x)
            outs.append(torch.bmm(r, w_out_t) + b_out)
        return torch.cat(outs, dim=2)

    def keep(self, rows: list) -> "StackedRateRNN":
        """The same model restricted to nets ``rows`` (new tensors)."""
        out = StackedRateRNN.__new__(StackedRateRNN)
        nn.Module.__init__(out)
        for name in ("phi", "dt_s", "noise_std", "dale", "trains_tau", "tau_min_s", "tau_max_s"):
            setattr(out, name, getattr(self, name))
        for name in ("w_raw", "w_out", "b_out", "theta"):
            p = getattr(self, name)
            setattr(out, name, nn.Parameter(p.detach()[rows].clone(), requires_grad=p.requires_grad))
        out.register_buffer("w_in", self.w_in[rows].clone())
        out.register_buffer("dale_sign", self.dale_sign[rows].clone())
        return out

    @torch.no_grad()
    def write_back(self, row: int, model: RateRNN) -> RateRNN:
        """Copy net ``row``'s trained tensors into ``model`` (its lone module); returns it."""
        for name in ("w_raw", "w_out", "b_out", "theta"):
            getattr(model, name).copy_(getattr(self, name)[row])
        return model
