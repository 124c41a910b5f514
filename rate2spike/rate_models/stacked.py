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

#: what a stacked model takes over from its first net unchanged, its trained tensors and its
#: fixed ones (the last two with a leading net axis)
_SETTINGS = ("phi", "dt_s", "noise_std", "dale", "trains_tau", "tau_min_s", "tau_max_s")
_TRAINED = ("w_raw", "w_out", "b_out", "theta")
_FIXED = ("w_in", "dale_sign")

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
        self._adopt(models[0], {name: torch.stack([getattr(m, name).detach() for m in models])
                                for name in _TRAINED + _FIXED})

    def _adopt(self, first, tensors: dict) -> None:
        """Take ``first``'s settings and the stacked ``tensors`` (trained ones as parameters,
        ``theta`` trainable only when tau_d is)."""
        for name in _SETTINGS:
            setattr(self, name, getattr(first, name))
        for name in _TRAINED:
            setattr(self, name, nn.Parameter(tensors[name], requires_grad=name != "theta" or self.trains_tau))
        for name in _FIXED:
            self.register_buffer(name, tensors[name])

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
        _, batch, _, n_steps = u.shape
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
        out._adopt(self, {name: getattr(self, name).detach()[rows].clone() for name in _TRAINED + _FIXED})
        return out

    @torch.no_grad()
    def write_back(self, row: int, model: RateRNN) -> RateRNN:
        """Copy net ``row``'s trained tensors into ``model`` (its lone module); returns it."""
        for name in _TRAINED:
            getattr(model, name).copy_(getattr(self, name)[row])
        return model
