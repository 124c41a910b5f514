"""What the stages return, as plain data: training records, one row per simulated scale s, the
sweep, the conversion and the comparison. Producers (training, the lambda search, the workflows)
and consumers (the report writers, the CLI) both import them from here.

Units: times in seconds (``_s``), rates in Hz (``_hz``), accuracies as fractions in [0, 1].
The scale is ``s`` (lambda = 1/s); on disk a row keeps its historical key ``scale_s``.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from .seeds import streams_record
from .statistics import accuracy_interval


@dataclass
class TrainingRecord:
    """A trained model, its task and config, and its history (one dict per evaluation)."""

    model: Any
    task: Any
    config: Any
    history: list = field(default_factory=list)
    converged: bool = False
    updates: int = 0
    wall_time_s: float = 0.0
    versions: dict = field(default_factory=dict)
    #: the seeds of the nets trained together with this one in one batched model (this one's
    #: included), or None when it was trained alone
    training_group: tuple | None = None
    #: the named streams (:mod:`rate2spike.seeds`) this training draws from; subclasses add theirs
    random_streams: ClassVar[tuple] = ("training",)

    def common_metadata(self) -> dict:
        """Task, seed, config, stopping outcome, final evaluation, history, versions and the
        random streams used ({name: seed}, :func:`rate2spike.seeds.streams_record`)."""
        last = self.history[-1] if self.history else {}
        return {
            "task": self.task.name, "seed": self.config.seed, "config": asdict(self.config),
            "converged": self.converged, "updates": self.updates,
            "trials_seen": self.updates * self.config.batch_size,
            "final_eval_loss": last.get("loss"), "final_eval_accuracy": last.get("accuracy"),
            "train_wall_time_s": self.wall_time_s, "history": self.history,
            "versions": self.versions,
            **({"training_group": list(self.training_group)} if self.training_group else {}),
            "random_streams": streams_record(self.config.seed, self.random_streams),
        }


@dataclass
class ScaleResult:
    """The LIF network at one scale s on a batch of trials.

    accuracy : fraction of trials correct (the task's LIF rule); per_condition : the same per
    condition name; rate_E_hz / rate_I_hz : mean firing rate of excitatory / inhibitory units;
    spike_count : spikes of all units in all trials; sim_time_s : simulation wall time (compile
    excluded); trials : number of trials; device : the simulator that ran it; readout_fit :
    the readout that ``accuracy`` is scored with (``none``: Kim et al.'s lambda W_out; else a
    readout calibrated on other trials, see :mod:`rate2spike.converters.readout_fit`);
    output_mse : mean squared error of that output to the task target over all samples;
    fits : {fit: {"accuracy", "output_mse", "per_condition", fitted "gain"/"offset"/"ridge"}}
    of every readout scored (empty when only ``none`` was).
    """

    s: float
    accuracy: float
    per_condition: dict
    rate_E_hz: float
    rate_I_hz: float
    spike_count: int
    sim_time_s: float
    trials: int
    device: str
    readout_fit: str = "none"
    output_mse: float = float("nan")
    fits: dict = field(default_factory=dict)

    def fit_accuracy(self, fit: str) -> float:
        """The accuracy under readout ``fit`` (``none`` always available)."""
        if fit == self.readout_fit:
            return self.accuracy
        if fit not in self.fits:
            raise KeyError(f"readout fit {fit!r} was not scored at s = {self.s:g}")
        return self.fits[fit]["accuracy"]

    @property
    def accuracy_ci95(self) -> tuple:
        """95 % Wilson interval of the accuracy over ``trials`` trials."""
        return accuracy_interval(self.accuracy, self.trials)

    def as_row(self) -> dict:
        """The flat row of ``lambda_sweep.csv``/``.json`` (λ = 1/s shown for the reader)."""
        low, high = self.accuracy_ci95
        return {"scale_s": self.s, "lambda": 1.0 / self.s, "accuracy": self.accuracy,
                "accuracy_ci95_low": low, "accuracy_ci95_high": high,
                **{f"acc_{c}": v for c, v in self.per_condition.items()},
                "rate_E_hz": self.rate_E_hz, "rate_I_hz": self.rate_I_hz,
                "spike_count": self.spike_count, "sim_time_s": self.sim_time_s,
                "trials": self.trials, "device": self.device, "readout_fit": self.readout_fit,
                "output_mse": self.output_mse,
                **{f"{key}_{name}": v[key] for name, v in self.fits.items()
                   for key in ("accuracy", "output_mse")}}

    @classmethod
    def from_row(cls, row: dict) -> "ScaleResult":
        """Inverse of :meth:`as_row` (rows stored by a sweep before or after this version)."""
        fits = row.get("fits") or {}
        return cls(float(row["scale_s"]), float(row["accuracy"]),
                   {k[4:]: float(v) for k, v in row.items() if k.startswith("acc_")},
                   float(row["rate_E_hz"]), float(row["rate_I_hz"]), int(row["spike_count"]),
                   float(row["sim_time_s"]), int(row["trials"]), str(row["device"]),
                   str(row.get("readout_fit", "none")), float(row.get("output_mse", "nan")),
                   dict(fits))


@dataclass
class ScaleExample:
    """What a report shows of one scale: outputs (k, samples) of the example trials (the first
    trial of each condition), their indices ``example_trials`` (k,) in the batch, their spikes
    (``raster_units``, ``raster_times_s`` in s, ``raster_trial``), and the mean firing rate of
    every unit over all trials, ``unit_rates_hz`` (N,); with a calibrated readout also the
    uncalibrated outputs ``raw_outputs`` (k, samples), and the fitted readout
    ``readout_weights_s`` (N,) and ``readout_offset`` (1,) (empty arrays otherwise)."""

    outputs: np.ndarray
    example_trials: np.ndarray
    raster_units: np.ndarray
    raster_times_s: np.ndarray
    raster_trial: np.ndarray
    unit_rates_hz: np.ndarray
    raw_outputs: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    readout_weights_s: np.ndarray = field(default_factory=lambda: np.zeros(0))
    readout_offset: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def arrays(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_arrays(cls, arrays: dict) -> "ScaleExample":
        """Inverse of :meth:`arrays` (arrays stored before the calibrated readout included)."""
        return cls(**{f.name: np.asarray(arrays[f.name]) for f in fields(cls)
                      if f.name in arrays})


@dataclass
class SweepResult:
    """Results of every scale (sorted by s), the chosen s, and each scale's example data."""

    results: list
    best_s: float
    examples: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    device: str = ""
    build_time_s: float = 0.0
    batches: dict = field(default_factory=dict)   # {s: held-out trials} when fresh per s
    trials_simulated: int = 0                      # (s, trial) pairs simulated, all phases

    @property
    def best(self) -> ScaleResult:
        return next(r for r in self.results if r.s == self.best_s)


@dataclass
class ConvertResult:
    """What ``convert`` produced: the chosen s, accuracies, per-scale results, the converted
    network (:class:`~rate2spike.lif_models.LIFNetwork`) and the files written."""

    out_dir: Path
    task: str
    best_s: float
    lif_accuracy: float
    rate_accuracy: float
    results: list
    lif_network: Any
    device: str
    trials: int = 0
    seed: int = 0
    warnings: list = field(default_factory=list)
    wall_time_s: float = 0.0
    compile_time_s: float = 0.0
    files: dict = field(default_factory=dict)


@dataclass
class CompareResult:
    """Summary per net (``nets``: name -> dict of accuracy, per-condition accuracy, activity,
    energy, time per trial) on ``trials`` shared trials, and the files written."""

    out_dir: Path
    task: str
    trials: int
    nets: dict
    files: dict = field(default_factory=dict)
    wall_time_s: float = 0.0


@dataclass
class SimulationResult:
    """What ``simulate`` produced: accuracy (overall and per condition) and mean firing rates
    of the E and I units on ``trials`` trials of a converted net at scale ``s``, the
    stimulation used (a dict, or None), timings, and the files written."""

    out_dir: Path
    task: str
    s: float
    trials: int
    seed: int
    device: str
    accuracy: float
    per_condition: dict
    rate_E_hz: float
    rate_I_hz: float
    stimulation: Any = None
    sim_time_s: float = 0.0
    build_time_s: float = 0.0
    wall_time_s: float = 0.0
    files: dict = field(default_factory=dict)
    lesion: Any = None          # the lesion applied (a dict with connections_hit), or None
