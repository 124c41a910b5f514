"""Context-dependent sensory integration (Mante et al. 2013, as in Kim et al. 2019)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .base import Task, TrialBatch


@dataclass
class Mante(Task):
    """2.5 s trials of 500 steps of 5 ms, four input channels.

    Channels 1-2: N(0, 1) noise plus a +-0.5 offset, during steps 50-249 (zero
    elsewhere). Channels 3-4: context cue, one of them 1 for the whole trial.
    Target: the sign of the cued channel's offset, from step 250 to the end.
    Correct if the output passes +-0.7 with the right sign in the last 200 steps
    (from 1.5 s) for rate output, and from 1.3 s (LIF step 26,000) for LIF output.
    """

    name: str = "mante"
    n_inputs: int = 4
    n_steps: int = 500
    rate_window_s: float = 1.5
    lif_window_s: float = 1.3
    stim_on: int = 50
    stim_off: int = 250
    offset: float = 0.5
    condition_names: tuple = ("ctx1:+", "ctx1:-", "ctx2:+", "ctx2:-")
    #: trained past the reference rule (docs/models.md, "Why train past the reference rule")
    default_stop_loss: float = 3.0
    #: the directly trained families' recipes, as for XOR (lr 0.01 diverged on Mante)
    recipes: dict = field(default_factory=lambda: {
        "src": {"readout": "classify", "sizes": [100, 20], "step_s": 0.005, "max_updates": 1500},
        "alif": {"step_s": 0.005, "beta": 0.2, "output": "classify", "max_updates": 1000,
                 "lr": 0.005}})

    def _generate(self, n_trials, rng):
        offsets = rng.choice([-self.offset, self.offset], size=(n_trials, 2))
        context = rng.integers(0, 2, size=n_trials)  # 0 -> channel 1 cued, 1 -> channel 2
        u = np.zeros((n_trials, 4, self.n_steps))
        span = self.stim_off - self.stim_on
        u[:, 0:2, self.stim_on:self.stim_off] = (
            rng.standard_normal((n_trials, 2, span)) + offsets[:, :, None])
        u[np.arange(n_trials), 2 + context, :] = 1.0
        label = np.sign(offsets[np.arange(n_trials), context]).astype(int)
        z = np.zeros((n_trials, self.n_steps))
        z[:, self.stim_off:] = label[:, None]
        cond = np.char.add(np.char.add("ctx", (context + 1).astype(str)),
                           np.where(label > 0, ":+", ":-"))
        return TrialBatch(u, z, cond, label, self.dt_s)
