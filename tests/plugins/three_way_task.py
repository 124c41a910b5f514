"""A 3-class task defined outside the package, as a user would write one: one input pulse of
amplitude -1, 0 or +1 (steps 20-39), and the target that amplitude from step 40 on. Correct: a +1
trial's output passes 0.7, a -1 trial's passes -0.7, a 0 trial's stays within 0.3 (from 0.3 s)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rate2spike.tasks import Task, TrialBatch


@dataclass
class ThreeWay(Task):
    name: str = "threeway"
    n_inputs: int = 1
    n_steps: int = 100
    rate_window_s: float = 0.3
    lif_window_s: float = 0.3
    condition_names: tuple = ("minus", "zero", "plus")
    n_classes: int = 3
    default_stop_loss: float = 3.0
    recipes: dict = field(default_factory=lambda: {"src": {"step_s": 0.005}})

    def _generate(self, n_trials, rng):
        label = rng.integers(-1, 2, n_trials)
        u = np.zeros((n_trials, 1, self.n_steps))
        u[:, 0, 20:40] = label[:, None]
        z = np.zeros((n_trials, self.n_steps))
        z[:, 40:] = label[:, None]
        cond = np.array(self.condition_names)[label + 1]
        return TrialBatch(u, z, cond, label, self.dt_s)

    def class_index(self, labels):
        return np.asarray(labels) + 1

    def _score_window(self, win, labels, window):
        return np.where(labels > 0, win.max(axis=1) > 0.7,
                        np.where(labels < 0, win.min(axis=1) < -0.7, np.abs(win).max(axis=1) < 0.3))
