"""What every training run returns: the model, its task and config, and the evaluation history.
Shared by the rate RNN (:mod:`rate2spike.rate_models.training`) and the SRC net
(:mod:`rate2spike.src_models.training`)."""
from __future__ import annotations

import platform
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from . import __version__
from .config import as_dict
from .tasks import Task


@dataclass
class TrainingRecord:
    """A trained model, its task and config, and its history (one dict per evaluation)."""

    model: Any
    task: Task
    config: Any
    history: list = field(default_factory=list)
    converged: bool = False
    updates: int = 0
    wall_time_s: float = 0.0

    def common_metadata(self) -> dict:
        """Task, seed, config, stopping outcome, final evaluation, history and versions."""
        last = self.history[-1] if self.history else {}
        return {
            "task": self.task.name, "seed": self.config.seed, "config": as_dict(self.config),
            "converged": self.converged, "updates": self.updates,
            "trials_seen": self.updates * self.config.batch_size,
            "final_eval_loss": last.get("loss"), "final_eval_accuracy": last.get("accuracy"),
            "train_wall_time_s": self.wall_time_s, "history": self.history,
            "versions": {"rate2spike": __version__, "torch": torch.__version__,
                         "numpy": np.__version__, "python": platform.python_version()},
        }
