"""What every workflow does first: name and check its output folder, load and check models
against the task, and refuse runs too large for the memory before any work starts."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ..errors import Rate2SpikeError
from ..families.rate import load_rate  # noqa: F401  (the rate model loader of every workflow)
from ..resources import check_memory
from ..tasks import Task, check_model_task  # noqa: F401  (re-exported)


def default_out_dir(command: str, task: str) -> Path:
    """``runs/TASK-COMMAND-TIMESTAMP``."""
    return Path("runs") / f"{task}-{command}-{datetime.now():%Y%m%d-%H%M%S}"


def check_out_dir(out) -> Path:
    """``out`` as a Path; refuse an existing file, or a path through one."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise Rate2SpikeError(f"--out {out} exists and is not a folder")
    parent = out.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if parent.exists() and not parent.is_dir():
        raise Rate2SpikeError(f"--out {out}: {parent} is a file, so the folder cannot be made")
    return out


def check_trials_fit(task: Task, trials: int, n_units: int, what: str, readout_dt_s: float,
                     src_steps: int = 0) -> None:
    """Refuse ``trials`` whose peak memory exceeds what is available, with the estimate.

    Per trial: the rate net's rates (steps x N float64, held twice while stacked), the trial
    batch (inputs and targets, up to three copies during a sweep), the LIF outputs (one
    sample per ``readout_dt_s`` seconds) and, for SRC runs, ``src_steps`` outputs and pulses counts.
    """
    steps = task.n_steps
    per_trial = 8 * (2 * steps * n_units + 3 * steps * (task.n_inputs + 1)
                     + int(task.duration_s / readout_dt_s) + 4 * src_steps)
    check_memory(per_trial * trials, f"{what} with --trials {trials:,}", per_trial)


def check_training_fits(what: str, n_weights: int, batch: int, steps: int, n_state: int,
                        copies: int = 1) -> None:
    """Refuse a training too large for the memory, with the estimate: float64 weights with their
    gradients and Adam's two moments (4 copies), and the states BPTT keeps (about 6 tensors of
    ``n_state`` per sample and step), times ``copies`` trainings running at once.

    Example
    -------
    >>> check_training_fits("train with --units 100000", 100_000 ** 2, 32, 200, 100_000)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rate2spike.errors.Rate2SpikeError: train with --units 100000 would need ~... GiB of memory, ...
    """
    estimate = 8 * copies * (4 * n_weights + 6 * batch * steps * n_state)
    check_memory(estimate, what)
