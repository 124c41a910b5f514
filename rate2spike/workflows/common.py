"""What every workflow does first: name and check its output folder, load and check models
against the task, and refuse runs too large for the memory before any work starts."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ..errors import Rate2SpikeError
from ..rate_models.authors_mat import load_authors_mat
from ..rate_models.network import RateNetwork
from ..resources import check_memory
from ..src_models.network import SRCNetwork
from ..tasks import Task


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


def check_model_task(net_task: str, n_inputs: int, task: Task, path, what: str = "model") -> None:
    """Refuse a model file trained on another task or with the wrong number of inputs."""
    if net_task != task.name:
        raise Rate2SpikeError(f"{what} {path} was trained on task {net_task!r}, not {task.name!r}; "
                              f"pass --task {net_task} or another file")
    if n_inputs != task.n_inputs:
        raise Rate2SpikeError(f"{what} {path} has {n_inputs} inputs; task {task.name} needs "
                              f"{task.n_inputs}")


def load_rate(path, task: Task) -> RateNetwork:
    """A rate model checked against ``task``: this project's ``.npz`` artifact or, for a
    ``.mat`` file, a model saved by the authors' TensorFlow code
    (:func:`~rate2spike.rate_models.authors_mat.load_authors_mat`). Its path is recorded as
    ``meta['source']``."""
    if Path(path).suffix.lower() == ".mat":
        net = load_authors_mat(path, task.name)
    else:
        net = RateNetwork.load(path)
    check_model_task(net.task, net.n_inputs, task, path)
    net.meta.setdefault("source", str(path))
    return net


def load_src(path, task: Task) -> SRCNetwork:
    """An SRC artifact, checked against ``task``."""
    net = SRCNetwork.load(path)
    check_model_task(net.task, net.n_inputs, task, path, "SRC model")
    return net


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
