"""Trial generators and scorers of the Kim et al. (2019) tasks, and their registry."""
from ..errors import Rate2SpikeError
from .base import Task, TrialBatch, first_trial_per_condition, per_condition_accuracy, window_slice
from .gonogo import GoNoGo
from .mante import Mante
from .xor import XOR

TASKS = {"gonogo": GoNoGo, "xor": XOR, "mante": Mante}


def get_task(name: str) -> Task:
    """Return a fresh task by name; unknown names raise a clear error."""
    try:
        return TASKS[str(name).lower()]()
    except KeyError:
        raise Rate2SpikeError(
            f"unknown task {name!r}; valid tasks: {', '.join(sorted(TASKS))}") from None


__all__ = ["Task", "TrialBatch", "window_slice", "first_trial_per_condition",
           "per_condition_accuracy", "GoNoGo", "XOR", "Mante", "TASKS", "get_task"]
