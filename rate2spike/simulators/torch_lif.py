"""The converted LIF network as a pure torch step function over (copies, units) tensors.

The same per-step update as the Brian2 model and the NumPy reference ("The LIF network, step
by step" in ``docs/concepts.md``), in the same order, written once so that the simulator
backend (:mod:`.torch_backend`) and gradient training of a converted net share it. Per step n
(t = n dt), for every copy c (a trial at one lambda = 1/s) and unit i:

1. units out of their refractory period integrate
   ``v += dt/tau_m (I_syn + v_bias + W_in u(t) - v) + noise_mV z`` (z the counter-based
   normal draw of the copy's noise stream, the unit and n; the timing switches of
   :class:`~rate2spike.lif_models.LIFConstants` as in the other simulators); with
   ``refractory_holds = "drift"`` a refractory v still gets the noise (and the kicks of a
   :class:`~rate2spike.lif_models.Stimulation`, applied next);
2. spikes where ``v >= v_th`` and not refractory;
3. ``I_syn = I_syn e^{-dt/tau_d} + h dt``, ``h = h e^{-dt/tau_r}``, same for (r, h_r);
4. ``h[c, i] += lambda_c W[i, j] / (tau_r tau_d[i])`` for every spike of j in copy c;
5. the spiking units reset: ``v = v_reset``, ``h_r += 1/(tau_r tau_d)``, refractory for
   ``refractory_s``.

With ``tau_r_s = 0`` (single-exponential synapse) h and h_r stay 0: step 4 adds
``lambda W / tau_d`` to I_syn and step 5 ``1/tau_d`` to r. Units: mV, seconds, Hz.

``spike_fn(v - v_th)`` makes the spikes (0/1): a hard threshold by default, or a surrogate
spike (:mod:`rate2spike.surrogates`) for gradient training. The reset selects v_reset where a
unit spiked, so no gradient flows through it (one through the reset made the gradients explode
over thousands of steps; Zenke & Vogels 2021 detach it too).
"""
from __future__ import annotations

from statistics import NormalDist
from typing import Callable, NamedTuple

import numpy as np
import torch

from ..lif_models import LIFConstants, Stimulation
from ..lif_models.stimulation import COIN_UNIT
from .torch_noise import counter_normal, counter_normal_steps, edges_like, noise_keys


class LIFState(NamedTuple):
    """State of every copy: v, I_syn, h, r, h_r (copies, N) in mV, mV, mV/s, Hz, Hz/s; and
    last_spike (copies, N), the step of each unit's last spike (int64)."""

    v: torch.Tensor
    i_syn: torch.Tensor
    h: torch.Tensor
    r: torch.Tensor
    h_r: torch.Tensor
    last_spike: torch.Tensor


class LIFParameters(NamedTuple):
    """Everything a step reads besides the state (tensors on the simulation's device).

    w_kick (N, N): row j is what a spike of unit j adds to h (or I_syn) of every unit before
    the factor lambda, W[i, j] / (tau_r tau_d[i]) (or / tau_d[i]); drive (stim steps, copies,
    N) the input current W_in u in mV; lam (copies, 1); decay_d (N,) e^{-dt/tau_d}; kick (N,)
    what a unit's own spike adds to h_r (or r); w_out (N,) in s; keys (copies, N) the
    counter-noise keys; coin_keys (copies, 1) those of the stimulation coin; stim_kicks (N,)
    the signed stimulation kick per unit in mV (zeros without stimulation)."""

    w_kick: torch.Tensor
    drive: torch.Tensor
    lam: torch.Tensor
    decay_d: torch.Tensor
    kick: torch.Tensor
    w_out: torch.Tensor
    keys: torch.Tensor
    coin_keys: torch.Tensor
    stim_kicks: torch.Tensor
    edges: torch.Tensor


class StepConstants(NamedTuple):
    """The scalar constants of a step, derived from :class:`LIFConstants` (mV, s, steps)."""

    dt_s: float
    dt_over_tau_m: float
    v_bias_mV: float
    v_th_mV: float
    v_reset_mV: float
    noise_mV: float
    decay_r: float
    single: bool
    holds_v: bool
    refractory_steps: int
    hold_steps: int
    lead_steps: int
    per_stim: int
    stim_first: int
    stim_end: int
    coin_threshold: float


def hard_threshold(x: torch.Tensor) -> torch.Tensor:
    """1 where ``x >= 0`` else 0, in ``x``'s dtype."""
    return (x >= 0).to(x.dtype)


def step_constants(c: LIFConstants, stim_dt_s: float,
                   stimulation: Stimulation | None = None) -> StepConstants:
    """The :class:`StepConstants` of ``c`` for a stimulus sampled every ``stim_dt_s`` s."""
    first, end, threshold = 0, 0, 0.0
    if stimulation is not None:
        first, end = stimulation.steps(c.dt_s)
        p = stimulation.probability
        threshold = NormalDist().inv_cdf(1 - p) if p < 1 else -np.inf
    single = c.tau_r_s == 0
    return StepConstants(c.dt_s, c.dt_s / c.tau_m_s, c.v_bias_mV, c.v_th_mV, c.v_reset_mV,
                         c.noise_mV, 0.0 if single else float(np.exp(-c.dt_s / c.tau_r_s)),
                         single, c.refractory_holds == "v",
                         int(round(c.refractory_s / c.dt_s)), c.start_hold_steps,
                         c.input_lead_steps(stim_dt_s), int(round(stim_dt_s / c.dt_s)),
                         first, end, threshold)


def lif_parameters(w_rec, w_in, w_out, tau_d_s, inputs, lam, streams, k: StepConstants,
                   tau_r_s: float, stimulation: Stimulation | None = None, *,
                   device="cpu", dtype=torch.float64) -> LIFParameters:
    """:class:`LIFParameters` from NumPy arrays: w_rec (N, N) mV s, w_in (N, n_in) mV, w_out
    (N,) s, tau_d_s (N,) s, inputs (copies, n_in, stim steps), lam (copies,), streams
    (copies,) counter-noise streams."""
    as_t = lambda a: torch.as_tensor(np.asarray(a, float), dtype=dtype, device=device)  # noqa: E731
    tau_d = np.asarray(tau_d_s, float)
    n_units = tau_d.shape[0]
    kick = 1.0 / tau_d if k.single else 1.0 / (tau_r_s * tau_d)
    drive = np.einsum("cks,nk->scn", np.asarray(inputs, float), np.asarray(w_in, float))
    streams_t = torch.as_tensor(np.asarray(streams, np.int64), device=device).reshape(-1, 1)
    kicks = (np.zeros(n_units) if stimulation is None else stimulation.kicks_mV(n_units))
    w_kick = as_t(np.asarray(w_rec, float).T * kick)
    return LIFParameters(w_kick, as_t(drive), as_t(lam).reshape(-1, 1),
                         as_t(np.exp(-k.dt_s / tau_d)), as_t(kick),
                         as_t(np.asarray(w_out, float).reshape(-1)),
                         noise_keys(streams_t, torch.arange(n_units, device=device).reshape(1, -1)),
                         noise_keys(streams_t, torch.tensor([[COIN_UNIT]], device=device)),
                         as_t(kicks), edges_like(w_kick))


def initial_state(v0_mV: torch.Tensor, k: StepConstants) -> LIFState:
    """Every trace 0 and no recent spike; v0_mV (copies, N)."""
    zeros = torch.zeros_like(v0_mV)
    never = torch.full(v0_mV.shape, -10 * k.refractory_steps - 1, dtype=torch.int64,
                       device=v0_mV.device)
    return LIFState(v0_mV, zeros, zeros, zeros, zeros, never)


def noise_block(p: LIFParameters, k: StepConstants, first_step: int, n_steps: int):
    """The voltage noise (n_steps, copies, N) in mV of steps ``first_step ...`` drawn at once
    (fewer, larger tensor operations than a draw per step); None without noise."""
    if k.noise_mV <= 0:
        return None
    return k.noise_mV * counter_normal_steps(p.keys, first_step, n_steps, p.edges)


def readout(state: LIFState, p: LIFParameters) -> torch.Tensor:
    """o = lambda W_out . r per copy, (copies,)."""
    return p.lam[:, 0] * (state.r @ p.w_out)


def recurrent_dense(spikes: torch.Tensor, p: LIFParameters) -> torch.Tensor:
    """lambda * (spikes @ w_kick): what this step's spikes add to h (or I_syn), (copies, N)."""
    return p.lam * (spikes @ p.w_kick)


def lif_step(state: LIFState, p: LIFParameters, k: StepConstants, n: int,
             spike_fn: Callable = hard_threshold,
             recurrent: Callable | None = recurrent_dense, noise: torch.Tensor | None = None) -> tuple:
    """One step n of every copy: (new state, spikes (copies, N) as 0/1 in v's dtype).

    ``recurrent(spikes, p)`` returns what the spikes add to h (or I_syn); None leaves that to
    the caller (a sparse update of the returned state). ``noise``: this step's voltage noise in
    mV (copies, N) if drawn ahead (:func:`noise_block`), else drawn here."""
    v = state.v
    active = (n - state.last_spike) >= k.refractory_steps
    column = min((n + k.lead_steps) // k.per_stim, p.drive.shape[0] - 1)
    if n < k.hold_steps:
        dv = torch.zeros_like(v)
    else:
        dv = k.dt_over_tau_m * (state.i_syn + k.v_bias_mV + p.drive[column] - v)
    if noise is None:
        noise = (k.noise_mV * counter_normal(p.keys, n, p.edges) if k.noise_mV > 0
                 else torch.zeros_like(v))
    v = torch.where(active, v + (dv + noise), v if k.holds_v else v + noise)
    if k.stim_first <= n < k.stim_end:
        coin = (counter_normal(p.coin_keys, n, p.edges) > k.coin_threshold).to(v.dtype)
        kicks = coin * p.stim_kicks
        v = v + (torch.where(active, kicks, torch.zeros_like(v)) if k.holds_v else kicks)
    if spike_fn is hard_threshold:
        spiking = (v >= k.v_th_mV) & active
        spikes = spiking.to(v.dtype)
    else:
        spikes = spike_fn(v - k.v_th_mV) * active.to(v.dtype)
        spiking = spikes > 0
    i_syn = state.i_syn * p.decay_d + state.h * k.dt_s
    h = state.h * k.decay_r
    r = state.r * p.decay_d + state.h_r * k.dt_s
    h_r = state.h_r * k.decay_r
    if recurrent is not None:
        added = recurrent(spikes, p)
        if k.single:
            i_syn = i_syn + added
        else:
            h = h + added
    v = torch.where(spiking, k.v_reset_mV, v)     # no gradient flows through the reset
    if k.single:
        r = r + spikes * p.kick
    else:
        h_r = h_r + spikes * p.kick
    last_spike = torch.where(spiking, n, state.last_spike)
    return LIFState(v, i_syn, h, r, h_r, last_spike), spikes
