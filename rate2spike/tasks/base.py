"""Common trial container and scoring helpers for the Kim et al. (2019) tasks.

Every task is defined on the rate model's time grid (``dt_s`` = 5 ms per step), but
all scoring windows are given in **seconds**, so one scorer works on any output
resolution: the 5 ms rate output and the 0.05 ms LIF output alike.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import Rate2SpikeError

#: the authors' stopping loss of the rate net (Kim et al. 2019 code), the default of a task
REFERENCE_STOP_LOSS = 7.0


@dataclass
class TrialBatch:
    """A batch of trials.

    Attributes
    ----------
    inputs : (batch, n_in, steps) float array, dimensionless input u(t)
        on the task's grid (one column per ``dt_s`` seconds).
    targets : (batch, steps) float array, target output z(t).
    conditions : (batch,) array of str, the trial condition (e.g. ``"go"``).
    labels : (batch,) int array, the correct response sign (+1, -1, or 0 for NoGo).
    dt_s : float, seconds per step of ``inputs``/``targets``.
    """

    inputs: np.ndarray
    targets: np.ndarray
    conditions: np.ndarray
    labels: np.ndarray
    dt_s: float

    def __len__(self) -> int:
        return self.inputs.shape[0]

    def subset(self, idx) -> "TrialBatch":
        return TrialBatch(self.inputs[idx], self.targets[idx], self.conditions[idx],
                          self.labels[idx], self.dt_s)


def window_slice(n_steps: int, dt_s: float, start_s: float, stop_s: float | None = None) -> slice:
    """Index slice of an output sampled every ``dt_s`` seconds covering [start_s, stop_s).

    Sample k is taken at time k*dt_s. The start index is the first sample at or after
    ``start_s`` (a half-step tolerance absorbs float round-off).
    """
    start = int(np.ceil(start_s / dt_s - 1e-6))
    stop = n_steps if stop_s is None else int(np.ceil(stop_s / dt_s - 1e-6))
    if not 0 <= start < n_steps:
        raise Rate2SpikeError(
            f"scoring window starts at {start_s} s but the output only lasts "
            f"{n_steps * dt_s:.4g} s ({n_steps} samples of {dt_s} s)")
    return slice(start, min(stop, n_steps))


def per_condition_accuracy(correct: np.ndarray, conditions: np.ndarray, names) -> dict:
    """Fraction of correct trials per condition name (conditions absent from the batch left out)."""
    return {c: float(correct[conditions == c].mean()) for c in names if np.any(conditions == c)}


def check_model_task(net_task: str, n_inputs: int, task: "Task", path, what: str = "model") -> None:
    """Refuse a model file trained on another task or with the wrong number of inputs."""
    if net_task != task.name:
        raise Rate2SpikeError(f"{what} {path} was trained on task {net_task!r}, not {task.name!r}; "
                              f"pass --task {net_task} or another file")
    if n_inputs != task.n_inputs:
        raise Rate2SpikeError(f"{what} {path} has {n_inputs} inputs; task {task.name} needs "
                              f"{task.n_inputs}")


def first_trial_per_condition(conditions: np.ndarray) -> np.ndarray:
    """Index of the first trial of each condition, in order of first appearance."""
    _, first = np.unique(conditions, return_index=True)
    return np.sort(first)


@dataclass
class Task:
    """A task: its trial generator, its scorer and everything else that is task-specific.

    Subclasses set the constants and implement :meth:`_generate` (and :meth:`_score_window`
    or :meth:`class_index` where the defaults do not fit); :func:`rate2spike.tasks.register`
    makes one available by name to every command.
    ``rate_window_s`` / ``lif_window_s`` are the start (seconds) of the response window
    used by the reference to score rate and LIF output respectively.
    ``n_classes``: response classes (nets with a class output get one integrator per class,
    indexed by :meth:`class_index`). ``default_stop_loss``: the rate net's training stops below
    this loss (``train`` default; the reference rule is 7). ``reference_min_trials``: training
    trials before the reference preset may stop. ``recipes``: per config section (``src``,
    ``alif``, a plug-in family's section) the options that section needs on this task, applied
    in every preset below the config file and the flags.
    """

    name: str = ""
    n_inputs: int = 1
    n_steps: int = 200
    dt_s: float = 0.005
    rate_window_s: float = 0.0
    lif_window_s: float = 0.0
    condition_names: tuple = field(default_factory=tuple)
    n_classes: int = 2
    default_stop_loss: float = REFERENCE_STOP_LOSS
    reference_min_trials: int = 0
    recipes: dict = field(default_factory=dict)

    def class_index(self, labels: np.ndarray) -> np.ndarray:
        """Class index (0 .. n_classes - 1) of each trial's label; default for two classes: 1 for
        a positive response (Go, +1), 0 otherwise."""
        return (np.asarray(labels) > 0).astype(int)

    @property
    def duration_s(self) -> float:
        return self.n_steps * self.dt_s

    def generate(self, n_trials: int, seed: int | np.random.Generator | None = None) -> TrialBatch:
        """Generate ``n_trials`` seeded trials (see :class:`TrialBatch`)."""
        if int(n_trials) < 1:
            raise Rate2SpikeError(f"n_trials must be >= 1, got {n_trials}")
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        return self._generate(int(n_trials), rng)

    def _generate(self, n_trials: int, rng: np.random.Generator) -> TrialBatch:  # pragma: no cover
        raise NotImplementedError

    def score(self, outputs: np.ndarray, labels: np.ndarray, dt_s: float,
              window: str = "rate") -> np.ndarray:
        """Which trials are correct.

        outputs : (batch, samples) output o(t), sample k at time k*dt_s seconds.
        labels : (batch,) correct response sign from :class:`TrialBatch`.
        window : ``"rate"`` or ``"lif"``: the reference's scoring rule for rate or LIF
        output (response window from :attr:`rate_window_s` or :attr:`lif_window_s`
        seconds; the rules differ only for NoGo trials, see :class:`GoNoGo`).
        Returns a (batch,) bool array.
        """
        if window not in ("rate", "lif"):
            raise Rate2SpikeError(f"window must be 'rate' or 'lif', got {window!r}")
        outputs = np.atleast_2d(np.asarray(outputs, dtype=float))
        labels = np.asarray(labels)
        if outputs.shape[0] != labels.shape[0]:
            raise Rate2SpikeError(
                f"{outputs.shape[0]} outputs but {labels.shape[0]} labels")
        start = self.rate_window_s if window == "rate" else self.lif_window_s
        win = outputs[:, window_slice(outputs.shape[1], dt_s, start)]
        return self._score_window(win, labels, window)

    def _score_window(self, win: np.ndarray, labels: np.ndarray, window: str) -> np.ndarray:
        """Default rule (XOR, Mante): +1 trials need max > 0.7, -1 trials need min < -0.7."""
        return np.where(labels > 0, win.max(axis=1) > 0.7, win.min(axis=1) < -0.7)
