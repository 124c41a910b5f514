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
and sample k is r at the start of step ``n = k * readout_stride``.

Example
-------
>>> import numpy as np
>>> c = LIFConstants()
>>> r = readout_traces([np.array([0])], [np.array([0.0])], 1, np.array([0.02]), c, 400)
>>> round(float(r[0, 0].sum() * c.readout_dt_s), 2)   # kernel of unit area (0.2 s shown)
1.0
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


def _block_filter(rows, blocks, weights, decay_per_block, n_rows, n_samples):
    """``out[:, k] = out[:, k-1] * decay + (spike weights landing in sample k)``, per row.

    Computed segment by segment as a scaled cumulative sum (``decay^k * cumsum(x decay^-k)``),
    with segments short enough that ``decay^-k`` stays far from overflow."""
    contrib = np.zeros((n_rows, n_samples))
    keep = blocks < n_samples
    np.add.at(contrib, (rows[keep], blocks[keep]), weights[keep])
    decay = np.broadcast_to(np.asarray(decay_per_block, float), (n_rows,))[:, None]
    worst = -np.log(max(float(decay.min()), 1e-300))
    seg = int(max(1, min(n_samples, 30.0 / worst))) if worst > 0 else n_samples
    out = np.empty((n_rows, n_samples))
    carry = np.zeros((n_rows, 1))
    for a in range(0, n_samples, seg):
        k = np.arange(1, min(seg, n_samples - a) + 1)[None, :]
        up = decay ** k
        out[:, a:a + k.shape[1]] = up * (carry + np.cumsum(contrib[:, a:a + k.shape[1]] / up, axis=1))
        carry = out[:, a + k.shape[1] - 1:a + k.shape[1]]
    return out


def readout_traces(spike_units, spike_times_s, n_units: int, tau_d_s: np.ndarray,
                   constants: LIFConstants, n_samples: int) -> np.ndarray:
    """The readout traces r (Hz) of several trials, rebuilt from their spikes.

    spike_units / spike_times_s : one array per trial, the spiking unit (0 ... N-1) and the
    spike time in s (a whole number of ``constants.dt_s``); tau_d_s : (N,) decay times in s;
    n_samples : readout samples per trial (sample k at ``k * readout_dt_s``).
    Returns (trials, N, n_samples). Equals the simulator's r to rounding (tested against
    Brian2's readout).
    """
    c, n_trials = constants, len(spike_units)
    stride = c.readout_stride
    tau_d = np.asarray(tau_d_s, float)
    a_d, a_r = np.exp(-c.dt_s / tau_d), np.exp(-c.dt_s / c.tau_r_s)
    rows, steps = [], []
    for trial, (units, times) in enumerate(zip(spike_units, spike_times_s)):
        units = np.asarray(units, int)
        rows.append(trial * n_units + units)
        steps.append(np.rint(np.asarray(times, float) / c.dt_s).astype(int))
    rows = np.concatenate(rows) if rows else np.zeros(0, int)
    steps = np.concatenate(steps) if steps else np.zeros(0, int)
    unit = rows % n_units
    blocks = steps // stride + 1           # first sample whose step comes after the spike
    lag = (blocks * stride - 1 - steps).astype(float)   # steps from spike to that sample - 1
    n_rows = n_trials * n_units
    decay_d_rows = np.tile(a_d ** stride, n_trials)
    d = _block_filter(rows, blocks, a_d[unit] ** lag, decay_d_rows, n_rows, n_samples)
    r = _block_filter(rows, blocks, a_r ** lag, a_r ** stride, n_rows, n_samples)
    gain = c.dt_s / (c.tau_r_s * tau_d) / (a_d - a_r)        # (N,)
    traces = (d - r).reshape(n_trials, n_units, n_samples)
    return traces * gain[None, :, None]
