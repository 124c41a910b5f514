"""The readout of a converted LIF network as plain data, and its traces rebuilt from spikes.

Kim et al. read out ``o(t) = sum_i lambda W_out[i] r_i(t)``: r_i is unit i's spike train
through the double-exponential synapse (rise tau_r, decay tau_d[i], kernel of unit area, so
r is in Hz and the weights in s). A *calibrated* readout (``rate2spike convert
--readout-fit``) replaces lambda W_out by fitted weights ``w`` (s) and adds an offset b:
``o(t) = sum_i w[i] r_i(t) + b``.

Because o is linear in r, any readout can be evaluated after the simulation from the spikes
alone: :func:`readout_traces` rebuilds r at the readout samples exactly as the simulator's
discrete update computes it (per step of dt: ``r <- r a_d + h dt``, ``h <- h a_r``, then
``h += 1/(tau_r tau_d)`` for a spike; ``a = exp(-dt/tau)``), so a spike at step i gives
``r(step n) = dt / (tau_r tau_d) (a_d^(n-1-i) - a_r^(n-1-i)) / (a_d - a_r)`` for n > i,
and sample k is r at the start of step ``n = k * readout_stride``. With ``tau_r_s = 0`` (the
single-exponential synapse) ``r(step n) = a_d^(n-1-i) / tau_d``.

The continuous kernel has unit area; this discrete one has area 1 + O(dt): summed over every
step it is ``dt^2 / (tau_r tau_d (1 - a_r)(1 - a_d)) = 1 + dt/2 (1/tau_r + 1/tau_d) + O(dt^2)``,
1.014 at the defaults (dt 50 us, tau_r 2 ms) with tau_d = 20 ms; summed over the readout
samples (every ``readout_dt_s``, the geometric series of the formula above) 1.0136.

Example
-------
>>> import numpy as np
>>> c = LIFConstants()
>>> r = readout_traces([np.array([0])], [np.array([0.0])], 1, np.array([0.02]), c, 400)
>>> round(float(r[0, 0].sum() * c.readout_dt_s), 3)   # the kernel's area (0.2 s = 10 tau_d shown)
1.014
>>> fine = LIFConstants(dt_s=5e-6)                    # a 10x finer step: closer to unit area
>>> r = readout_traces([np.array([0])], [np.array([0.0])], 1, np.array([0.02]), fine, 400)
>>> round(float(r[0, 0].sum() * fine.readout_dt_s), 3)
1.001
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .constants import LIFConstants


@dataclass
class CalibratedReadout:
    """A fitted readout ``o(t) = weights_s . r(t) + offset`` of a network at one s.

    method : ``scale``, ``affine`` or ``lstsq`` (how it was fitted); weights_s : (N,) in s
    (they replace lambda W_out); offset : dimensionless; info : how it was fitted (gain,
    ridge strength, calibration seed and trials, ...).
    """

    method: str
    weights_s: np.ndarray
    offset: float = 0.0
    info: dict = field(default_factory=dict)

    def apply(self, traces_hz: np.ndarray) -> np.ndarray:
        """(..., N, samples) traces r in Hz -> (..., samples) outputs."""
        return np.einsum("i,...it->...t", self.weights_s, traces_hz) + self.offset


def _block_filter(contrib: np.ndarray, decay_per_block: np.ndarray) -> np.ndarray:
    """``out[u, ..., k] = out[u, ..., k-1] * decay[u] + contrib[u, ..., k]``: a first-order
    recursive filter along the samples, one decay per unit (scipy's ``lfilter`` on each unit's
    contiguous slab, in place; one call when all units share the decay)."""
    from scipy.signal import lfilter

    decay = np.broadcast_to(np.asarray(decay_per_block, float), (contrib.shape[0],))
    if np.all(decay == decay[0]):              # one decay: one call
        return lfilter([1.0], [1.0, -decay[0]], contrib, axis=-1)
    for u in range(contrib.shape[0]):
        contrib[u] = lfilter([1.0], [1.0, -decay[u]], contrib[u], axis=-1)
    return contrib


def readout_traces(spike_units, spike_times_s, n_units: int, tau_d_s: np.ndarray,
                   constants: LIFConstants, n_samples: int, sample_every: int = 1) -> np.ndarray:
    """The readout traces r (Hz) of several trials, rebuilt from their spikes.

    spike_units / spike_times_s : one array per trial, the spiking unit (0 ... N-1) and the
    spike time in s (a whole number of ``constants.dt_s``); tau_d_s : (N,) decay times in s;
    n_samples : samples per trial (sample k at ``k * sample_every * readout_dt_s``: every
    readout sample, or every ``sample_every``-th). Returns (trials, N, n_samples) (a view).
    Equals the simulator's r to rounding (tested against Brian2's readout).
    """
    c, n_trials = constants, len(spike_units)
    stride = c.readout_stride * int(sample_every)
    tau_d = np.asarray(tau_d_s, float)
    a_d = np.exp(-c.dt_s / tau_d)
    a_r = np.exp(-c.dt_s / c.tau_r_s) if c.tau_r_s > 0 else 0.0
    trial = np.concatenate([np.full(len(u), k) for k, u in enumerate(spike_units)]
                           + [np.zeros(0, int)]).astype(int)
    unit = np.concatenate([np.asarray(u, int) for u in spike_units] + [np.zeros(0, int)])
    steps = np.rint(np.concatenate([np.asarray(t, float) for t in spike_times_s]
                                   + [np.zeros(0)]) / c.dt_s).astype(int)
    blocks = steps // stride + 1           # first sample whose step comes after the spike
    lag = (blocks * stride - 1 - steps).astype(float)   # steps from spike to that sample - 1
    keep = blocks < n_samples
    trial, unit, blocks, lag = trial[keep], unit[keep], blocks[keep], lag[keep]
    flat = (unit * n_trials + trial) * n_samples + blocks     # (unit, trial, sample) layout
    size = n_units * n_trials * n_samples
    rise = np.bincount(flat, a_r ** lag, minlength=size).reshape(n_units, n_trials, n_samples)
    decay = np.bincount(flat, a_d[unit] ** lag, minlength=size).reshape(rise.shape)
    traces = _block_filter(decay, a_d ** stride)
    if c.tau_r_s == 0:          # single exponential: r(step n) = sum_i a_d^(n-1-i) / tau_d
        return (traces / tau_d[:, None, None]).transpose(1, 0, 2)
    traces -= _block_filter(rise, a_r ** stride)
    traces *= (c.dt_s / (c.tau_r_s * tau_d) / (a_d - a_r))[:, None, None]
    return traces.transpose(1, 0, 2)
