"""One SRC neuron's spike generation, measured: the paper's Fig. 6 (fixed vs variable z_s)
and its f-I curve, for both readings of the z_s gate.

The spike-generating part of a step (eqs. 3c-3f, :func:`~.cell.spike_generation`) is driven
directly by its input x[t] (the output of eq. 3b, dimensionless), as in the paper's Fig. 6.
All times are in steps (the cell is a discrete-time system).

Example
-------
>>> trace = drive_neuron(np.full(300, 2.0), b_h=-6.0)
>>> stats = pulse_statistics(trace.s)
>>> stats.n_pulses, round(stats.mean_width, 2)
(15, 1.87)
"""
from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

import numpy as np
import torch

from .cell import spike_generation
from .constants import SRCConstants


class NeuronTrace(NamedTuple):
    """One neuron over T steps, each (T,): input x, fast state h, slow state h_s, gate z_s,
    pulses s = ReLU(h), and the feedbacks r h[t-1] (positive) and r_s h_s[t-1] (negative)
    that enter h[t]."""

    x: np.ndarray
    h: np.ndarray
    hs: np.ndarray
    zs: np.ndarray
    s: np.ndarray
    positive_feedback: np.ndarray
    negative_feedback: np.ndarray


class PulseStats(NamedTuple):
    """Pulses of a trace: their count, mean width (steps with s > 0 in a row), mean refractory
    gap (steps from the end of a pulse to the start of the next), firing rate (pulses per
    step) and activity T(s) (fraction of steps with s > 0). Means are NaN without pulses."""

    n_pulses: int
    mean_width: float
    mean_gap: float
    rate_per_step: float
    activity: float


def drive_neuron(x, b_h: float = -6.0, constants: SRCConstants | None = None,
                 zs_fixed: float | None = None, rest_steps: int = 0) -> NeuronTrace:
    """Run one neuron from h = h_s = 0 on the input sequence ``x`` (T,); ``b_h`` its bias;
    ``zs_fixed``: hold z_s at this value instead of switching it (Fig. 6's "fixed z_s");
    ``rest_steps``: steps at x = 0 run first and dropped, so that the trace starts at rest.
    Returns a :class:`NeuronTrace` of T steps."""
    c = constants or SRCConstants()
    x = np.concatenate([np.zeros(int(rest_steps)), np.asarray(x, float)])
    h = hs = torch.zeros(1, dtype=torch.float64)
    b = torch.tensor([float(b_h)], dtype=torch.float64)
    rows = []
    for value in x:
        pos, neg = c.r * h.item(), c.r_s * hs.item()
        h, hs, zs = spike_generation(torch.tensor([value], dtype=torch.float64), h, hs, b, c,
                                     zs_fixed)
        rows.append((h.item(), hs.item(), zs.item(), pos, neg))
    h_, hs_, zs_, pos_, neg_ = (np.array(col) for col in zip(*rows)) if rows else [np.empty(0)] * 5
    k = int(rest_steps)
    return NeuronTrace(*(a[k:] for a in (x, h_, hs_, zs_, np.maximum(h_, 0.0), pos_, neg_)))


def pulse_statistics(s) -> PulseStats:
    """Count and measure the pulses (runs of s > 0) of a pulse train ``s`` (T,)."""
    on = np.concatenate([[0], (np.asarray(s) > 0).astype(int), [0]])
    starts = np.flatnonzero(np.diff(on) == 1)
    ends = np.flatnonzero(np.diff(on) == -1)
    widths = ends - starts
    gaps = starts[1:] - ends[:-1]
    steps = max(len(on) - 2, 1)
    return PulseStats(len(starts), float(widths.mean()) if len(widths) else float("nan"),
                      float(gaps.mean()) if len(gaps) else float("nan"),
                      len(starts) / steps, float(widths.sum()) / steps)


#: the three neurons compared by :func:`f_i_curve`: label -> (zs_gate, zs_fixed)
VARIANTS = {"variable z_s, h[t] (eq. 3c)": ("new_h", None),
            "variable z_s, h[t-1]": ("previous_h", None),
            "fixed z_s": ("new_h", "fixed")}


def f_i_curve(drives, b_h: float = -6.0, steps: int = 1000, settle: int = 100,
              zs_fixed: float = 0.9, constants: SRCConstants | None = None) -> dict:
    """Pulse statistics under constant input x = each of ``drives``, for each of
    :data:`VARIANTS` (the fixed one holds z_s at ``zs_fixed``): ``{label: [PulseStats per
    drive]}``, measured over ``steps`` steps after ``settle`` steps of the same drive."""
    c = constants or SRCConstants()
    curves = {}
    for label, (gate, fixed) in VARIANTS.items():
        cg = replace(c, zs_gate=gate)
        curves[label] = [pulse_statistics(
            drive_neuron(np.full(settle + steps, float(d)), b_h, cg,
                         zs_fixed if fixed else None).s[settle:]) for d in drives]
    return curves


def fig6_stimulus(sub: float = 0.5, supra: float = 3.0, rest: int = 20,
                  pulse: int = 40) -> np.ndarray:
    """The Fig. 6 protocol as x[t]: rest, a sub-threshold step (A), rest, a supra-threshold
    step (B-D: spikes and refractory periods), rest; ``rest`` and ``pulse`` in steps."""
    return np.concatenate([np.zeros(rest), np.full(pulse, sub), np.zeros(rest),
                           np.full(pulse, supra), np.zeros(rest)])
