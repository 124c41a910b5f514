"""Fine-tuning a converted LIF net: the spiking net itself trained by BPTT (beyond the paper).

Kim et al. stop at the conversion: W_rec and W_out divided by s, nothing trained in the spiking
net. Here the converted net at its s is the starting point of gradient training of the spiking
net, with the converted net's own equations (:func:`rate2spike.simulators.torch_lif.lif_step`,
the double- or single-exponential synapse, refractory period, voltage noise) and a surrogate
spike derivative (:func:`rate2spike.surrogates.gaussian_spike` of ``(v - v_th) / width``):

- trained: the effective recurrent weights ``W = lambda W_rec`` (mV s), kept in Dale's signs
  and in the converted net's connectivity: ``W[i, j] = sign_j relu(M[i, j])`` on the connected
  pairs, M initialised to ``|lambda W_rec|``; the input weights W_in (mV); the readout weights
  ``lambda W_out`` (s). The synaptic decay times tau_d stay those of the rate net;
- loss: the rate net's, the mean squared error between the readout o(t) and the task's target
  z(t), on o sampled once per task sample (``dt_s`` of the task, 5 ms);
- the time step may be coarser than the model's (``train_dt_s``, default 0.25 ms, the voltage
  noise scaled by sqrt(train_dt / dt) so that its diffusion is the same): every accuracy that is
  reported is measured back at the model's own step (:mod:`rate2spike.workflows.finetune`);
- batches of update u come from the seeded stream ``finetune_batches`` (seed, u), so a resumed
  run repeats exactly what an uninterrupted one does.

The result is a :class:`~rate2spike.lif_models.LIFNetwork` at the same s whose rate arrays are
the trained weights times s (``W_rec = s W``, ``W_out = s w_out``), so every simulator and export
runs it unchanged.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import torch

from ..brian_models.noise import stream_ids
from ..errors import ConfigError
from ..lif_models import LIFNetwork
from ..rate_models.network import RateNetwork
from ..seeds import NOISE_ID_OFFSETS, stream_rng
from ..simulators.torch_lif import (
    initial_state,
    lif_parameters,
    lif_step,
    noise_block,
    readout,
    recurrent_dense,
    step_constants,
)
from ..surrogates import gaussian_spike
from ..tasks import Task
from ..validation import check_int, check_range, check_seed


@dataclass
class FinetuneConfig:
    """Fine-tuning options. Times in seconds, voltages in mV.

    updates : Adam updates at most; batch_size : trials per update; lr : Adam's step size;
    train_dt_s : the training time step (a divisor of the task's 5 ms sample);
    surrogate_width_mV : the surrogate's scale (its Gaussian has sigma 0.5 width); dampening :
    the factor on the surrogate derivative (Bellec et al. 2018's 0.3 let the gradients of a
    200-unit converted net grow to 1e18 over 2,000 steps; 0.1 keeps them finite). The defaults
    (1 ms step, lr 0.01) are the measured best on the default Go/NoGo net at s = 45: 80 updates
    bring it from 58.5 % to 97.5 % in Brian2 at 0.05 ms, against 79.0 % at a 0.25 ms step and
    lr 0.005 and 87.5 % at 1 ms and lr 0.005 (docs, ``rate2spike finetune``); eval_every
    / eval_trials : a torch evaluation at the training step every so many updates on that many
    held-out trials (also when the state is saved for resuming); stop_accuracy : training stops
    once that evaluation reaches it (default None: never early; 100 % on 32 trials stopped a run
    whose accuracy measured on 200 trials at the model's step was 89.5 %); seed : batches, noise,
    initial voltages; keep_best : return the weights of the evaluation (the untrained net's
    included) with the highest torch accuracy, the latest of equals, rather than the last
    (off by default: the measured defaults above keep the last)."""

    updates: int = 100
    batch_size: int = 32
    lr: float = 0.01
    train_dt_s: float = 1e-3
    surrogate_width_mV: float = 5.0
    dampening: float = 0.1
    eval_every: int = 10
    eval_trials: int = 32
    stop_accuracy: float | None = None
    grad_clip: float = 1.0
    seed: int = 0
    keep_best: bool = False

    def validate(self) -> "FinetuneConfig":
        check_int("updates", self.updates, 1, 1_000_000)
        check_int("batch_size", self.batch_size, 1, 4096)
        check_range("lr", self.lr, 0.0, 1.0, low_open=True)
        check_range("train_dt_s", self.train_dt_s, 0.0, 0.005, low_open=True)
        check_range("surrogate_width_mV", self.surrogate_width_mV, 0.0, 100.0, low_open=True)
        check_range("dampening", self.dampening, 0.0, 1.0, low_open=True)
        check_int("eval_every", self.eval_every, 1, 1_000_000)
        check_int("eval_trials", self.eval_trials, 1, 100_000)
        if self.stop_accuracy is not None:
            check_range("stop_accuracy", self.stop_accuracy, 0.0, 1.0)
        check_range("grad_clip", self.grad_clip, 0.0, 1e6)
        check_seed(self.seed)
        return self


def kernel_charge(dt_s: float, tau_r_s: float, tau_d_s) -> np.ndarray:
    """Total charge (sum of I_syn dt, s) that one spike delivers through the discrete synapse at
    step ``dt_s``, per unit (tau_d_s): 1 in continuous time, more at a coarser step
    (``dt^2 / ((1 - e^{-dt/tau_r}) (1 - e^{-dt/tau_d}) tau_r tau_d)``; single-exponential:
    ``dt / ((1 - e^{-dt/tau_d}) tau_d)``)."""
    tau_d = np.asarray(tau_d_s, float)
    total = dt_s / (-np.expm1(-dt_s / tau_d) * tau_d)
    if tau_r_s > 0:
        total = total * dt_s / (-np.expm1(-dt_s / tau_r_s) * tau_r_s)
    return total


def check_train_step(train_dt_s: float, task: Task) -> None:
    """Refuse a training step that does not divide the task's input sample."""
    per_sample = task.dt_s / train_dt_s
    if abs(per_sample - round(per_sample)) > 1e-9:
        raise ConfigError(f"the training step {train_dt_s * 1e3:g} ms must divide the task's input "
                          f"sample ({task.dt_s * 1e3:g} ms), e.g. 0.05, 0.1, 0.25, 0.5 or 1 ms")


class SpikingNetModel(torch.nn.Module):
    """The trainable converted net (see the module docstring): parameters ``magnitude`` (N, N)
    mV s, ``w_in`` (N, n_in) mV and ``w_out`` (N,) s; the rest fixed from ``lif``."""

    def __init__(self, lif: LIFNetwork, task: Task, train_dt_s: float, surrogate_width_mV: float,
                 dampening: float = 0.1, match_charge: bool = True):
        super().__init__()
        r, lam = lif.rate, 1.0 / lif.s
        check_train_step(train_dt_s, task)
        c = lif.constants
        self.constants = replace(c, dt_s=train_dt_s, readout_dt_s=task.dt_s,
                                 noise_mV=c.noise_mV * math.sqrt(train_dt_s / c.dt_s))
        self.task, self.lif, self.width = task, lif, float(surrogate_width_mV)
        self.dampening = dampening
        as_t = lambda a: torch.as_tensor(np.asarray(a, float), dtype=torch.float32)  # noqa: E731
        self.register_buffer("connected", as_t(r.W_rec != 0))
        self.register_buffer("sign", as_t(r.dale_sign).reshape(1, -1))
        self.magnitude = torch.nn.Parameter(as_t(np.abs(r.W_rec) * lam))
        self.w_in = torch.nn.Parameter(as_t(r.W_in))
        readout_s = r.W_out.reshape(-1) if lif.readout is None else lif.readout_weights_s * lif.s
        self.w_out = torch.nn.Parameter(as_t(readout_s * lam))
        ratio = kernel_charge(c.dt_s, c.tau_r_s, r.tau_d_s) / kernel_charge(train_dt_s, c.tau_r_s,
                                                                            r.tau_d_s)
        self.register_buffer("charge", as_t(ratio if match_charge else np.ones_like(ratio)))

    def parameter_groups(self, lr: float) -> list:
        """Adam groups whose step sizes are ``lr`` times each group's typical initial value
        (mean |nonzero weight|): weights in mV s, mV and s move by the same relative amount."""
        groups = []
        for p in (self.magnitude, self.w_in, self.w_out):
            scale = p.detach().abs()
            groups.append({"params": [p], "lr": lr * float(scale[scale > 0].mean())})
        return groups

    def w_rec(self) -> torch.Tensor:
        """The effective recurrent weights lambda W_rec (N, N) in mV s, Dale's signs kept."""
        return torch.relu(self.magnitude) * self.connected * self.sign

    def spike(self, x: torch.Tensor) -> torch.Tensor:
        """H(x) forward; the Gaussian surrogate of x / width times ``dampening`` backward."""
        s = gaussian_spike(x / self.width)
        return s.detach() + self.dampening * (s - s.detach())

    def forward(self, inputs: np.ndarray, v0_mV: np.ndarray, streams: np.ndarray) -> torch.Tensor:
        """Outputs o (trials, task samples) of trials ``inputs`` (trials, n_in, samples) from
        initial voltages (trials, N) with counter-noise ``streams`` (trials,)."""
        k = step_constants(self.constants, self.task.dt_s)
        n_trials = inputs.shape[0]
        fixed = lif_parameters(np.zeros((self.lif.n_units,) * 2), np.zeros_like(self.lif.rate.W_in),
                               np.zeros(self.lif.n_units), self.lif.rate.tau_d_s,
                               np.zeros_like(inputs), np.ones(n_trials), streams, k,
                               self.constants.tau_r_s, dtype=torch.float32)
        x = torch.as_tensor(np.asarray(inputs, float), dtype=torch.float32)
        kick = fixed.kick * self.charge
        p = fixed._replace(kick=kick, w_kick=self.w_rec().T * kick.reshape(1, -1),
                           drive=torch.einsum("cks,nk->scn", x, self.w_in), w_out=self.w_out)
        state = initial_state(torch.as_tensor(v0_mV, dtype=torch.float32), k)
        n_steps, outputs, noise = inputs.shape[2] * k.per_stim, [], None
        for n in range(n_steps):
            if n % k.per_stim == 0:
                outputs.append(readout(state, p))
                noise = noise_block(p, k, n, k.per_stim)
            state, _ = lif_step(state, p, k, n, self.spike, recurrent_dense,
                                None if noise is None else noise[n % k.per_stim])
        return torch.stack(outputs, dim=1)

    def trials(self, n_trials: int, rng: np.random.Generator, first_noise_id: int, seed: int):
        """(batch, v0 (trials, N), noise streams) of ``n_trials`` fresh trials from ``rng``, their
        voltage noise the counter streams of (``seed``, noise ids from ``first_noise_id``)."""
        batch = self.task.generate(n_trials, rng)
        c = self.lif.constants
        v0 = c.v_reset_mV + rng.random((n_trials, self.lif.n_units)) * (c.v_init_high_mV - c.v_reset_mV)
        return batch, v0, stream_ids(seed, first_noise_id + np.arange(n_trials))

    def batch_for_update(self, update: int, batch_size: int, seed: int):
        """The seeded trials of update ``update`` (the same after a resume)."""
        rng = stream_rng("finetune_batches", seed, update)
        first = NOISE_ID_OFFSETS["finetune"] + (update * batch_size) % 500_000_000
        return self.trials(batch_size, rng, first, seed)

    def to_network(self, meta: dict) -> LIFNetwork:
        """The trained net as a LIFNetwork at the same s (rate arrays = weights x s)."""
        s, r = self.lif.s, self.lif.rate
        with torch.no_grad():
            w_rec = self.w_rec().double().numpy() * s
            w_out = self.w_out.double().numpy().reshape(1, -1) * s
            w_in = self.w_in.double().numpy()
        rate = RateNetwork(w_rec, w_in, w_out, np.zeros(1), r.tau_d_s.copy(), r.dale_sign.copy(),
                           r.task, r.act, r.dt_s, r.tau_min_s, r.tau_max_s, r.noise_std, r.dale,
                           {**r.meta, "finetuned": meta})
        return LIFNetwork(rate, s, self.lif.constants, {**self.lif.meta, "finetuned": meta})
