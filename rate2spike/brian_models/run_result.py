"""What one run of a batch of LIF network copies returns (:class:`RunResult`)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class RunResult:
    """What one run of a batch of network copies returns (one compiled program run).

    outputs : (copies, samples) readout o(t), sample k at t = k * readout_dt_s.
    spike_counts : (copies, N) spikes per unit over the trial.
    raster_copies : copies whose spikes were recorded individually.
    raster : list of (unit_index, spike_time_s) arrays, one pair per raster copy.
    sim_time_s : wall time of the simulation itself (compile excluded).
    """

    outputs: np.ndarray
    spike_counts: np.ndarray
    raster: list
    raster_copies: list
    dt_s: float
    duration_s: float
    sim_time_s: float
    readout_dt_s: float = 0.0
    build_time_s: float = 0.0
    state: dict = field(default_factory=dict)  # recorded variables, (neurons, steps), SI units
    spike_i: np.ndarray = None   # every spike: global neuron index (copy * N + unit)
    spike_t: np.ndarray = None   # and time in seconds
    _by_copy: tuple = field(default=None, init=False, repr=False, compare=False)

    def copy_raster(self, copy: int):
        """(unit_index, spike_time_s) arrays of one copy's spikes, in time order."""
        n = self.spike_counts.shape[1]
        if self._by_copy is None:              # one stable sort serves every copy
            order = np.argsort(self.spike_i // n, kind="stable")
            bounds = np.searchsorted(self.spike_i[order] // n, np.arange(len(self.spike_counts) + 1))
            self._by_copy = (order, bounds)
        order, bounds = self._by_copy
        sel = order[bounds[copy]:bounds[copy + 1]]
        return self.spike_i[sel] - copy * n, self.spike_t[sel]
