"""Validated configuration: defaults < YAML file < CLI flags.

A YAML file may hold the sections ``train:`` and ``convert:``; each key is checked
against the dataclasses below (unknown keys, wrong types and out-of-range values
are a :class:`ConfigError`). Times are in seconds (suffix ``_s``).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, fields
from pathlib import Path

import yaml

from .brian_models.lif import LIFConstants
from .errors import ConfigError
from .rate_models.transfer import TRANSFER_FUNCTIONS
from .tasks import TASKS


REFERENCE_STOP_LOSS = 7.0
#: Go/NoGo and Mante train past the reference rule: their reference-rule nets converted at
#: 95 % and 89 %, the deeper ones at 100 % (README, "Why train past the reference rule").
DEFAULT_STOP_LOSS = {"gonogo": 1.0, "xor": REFERENCE_STOP_LOSS, "mante": 3.0}


@dataclass
class TrainConfig:
    """Rate-RNN training options (Kim et al. 2019 defaults unless noted)."""

    task: str = "gonogo"
    units: int = 200
    act: str = "sigmoid"
    dale: bool = True
    p_inh: float = 0.2
    p_rec: float = 0.2
    gain: float = 1.5
    tau_min_s: float = 0.02   # tau_d range (public example: 4-20 steps = 20-100 ms)
    tau_max_s: float = 0.1    # equal to tau_min_s -> fixed, shared tau_d
    dt_s: float = 0.005
    noise_std: float = 0.1    # xi ~ N(0, noise_std^2) per step (reference randn/10)
    lr: float = 0.01
    batch_size: int = 32
    max_updates: int = 3000
    eval_every: int = 25
    eval_trials: int = 100
    # Stopping rule: mean eval loss < stop_loss AND eval accuracy > stop_accuracy,
    # after at least min_trials training trials. Reference: stop_loss = 7. None -> the
    # task's default (DEFAULT_STOP_LOSS): Go/NoGo trains deeper, to 1.0, and Mante to 3.0,
    # because that converts better (README, "Why train past the reference rule").
    stop_loss: float | None = None
    stop_accuracy: float = 0.95
    min_trials: int = 1500
    grad_clip: float = 1.0
    seed: int = 0

    def validate(self):
        _check_choice("task", self.task, TASKS)
        if self.stop_loss is None:
            self.stop_loss = DEFAULT_STOP_LOSS[self.task]
        _check_choice("act", self.act, TRANSFER_FUNCTIONS)
        _check_range("units", self.units, 2, 5000)
        for name in ("p_inh", "p_rec"):
            _check_range(name, getattr(self, name), 0.0, 1.0)
        _check_range("gain", self.gain, 0.0, 100.0, low_open=True)
        _check_range("dt_s", self.dt_s, 0.0, 1.0, low_open=True)
        _check_range("tau_min_s", self.tau_min_s, self.dt_s, 10.0)
        _check_range("tau_max_s", self.tau_max_s, self.tau_min_s, 10.0)
        _check_range("noise_std", self.noise_std, 0.0, 10.0)
        _check_range("lr", self.lr, 0.0, 10.0, low_open=True)
        _check_range("batch_size", self.batch_size, 1, 100000)
        _check_range("max_updates", self.max_updates, 1, 10**7)
        _check_range("eval_every", self.eval_every, 1, 10**7)
        _check_range("eval_trials", self.eval_trials, 1, 10**6)
        _check_range("stop_loss", self.stop_loss, 0.0, 1e9, low_open=True)
        _check_range("stop_accuracy", self.stop_accuracy, 0.0, 1.0)
        _check_range("min_trials", self.min_trials, 0, 10**9)
        _check_range("grad_clip", self.grad_clip, 0.0, 1e9, low_open=True)
        return self


@dataclass
class ConvertConfig(LIFConstants):
    """Rate -> LIF conversion and lambda-sweep options; the LIF constants (dt, tau_m,
    refractory, threshold, reset, bias, initial voltage, noise, tau_r) are inherited from
    :class:`~rate2spike.brian_models.lif.LIFConstants` with the reference values."""

    task: str = "gonogo"
    device: str = "cpp_standalone"
    trials: int = 100
    scales: list = field(default_factory=list)  # s = 1/lambda; empty -> default grid per act
    seed: int = 0
    copies_per_run: int = 0          # (trial x scale) network copies per compiled run; 0 = auto
    processes: int = 0               # concurrent simulator processes (cpp_standalone); 0 = all cores
    threads: int = 0                 # OpenMP threads when processes == 1; 0 = all cores

    def validate(self):
        from .brian_models.devices import DEVICES

        _check_choice("task", self.task, TASKS)
        _check_choice("device", self.device, DEVICES)
        _check_range("trials", self.trials, 1, 10**6)
        if not isinstance(self.scales, (list, tuple)):
            raise ConfigError(f"scales must be a list of positive numbers, got {self.scales!r}")
        for s in self.scales:
            if isinstance(s, bool) or not isinstance(s, (int, float)) or not s > 0:
                raise ConfigError(f"every scale s = 1/lambda must be a positive number; got {s!r}")
        _check_range("dt_s", self.dt_s, 0.0, 0.001, low_open=True)
        for name in ("tau_m_s", "tau_r_s"):
            _check_range(name, getattr(self, name), 0.0, 10.0, low_open=True)
        _check_range("refractory_s", self.refractory_s, 0.0, 1.0)
        _check_range("noise_mV", self.noise_mV, 0.0, 100.0)
        _check_range("copies_per_run", self.copies_per_run, 0, 10**6)
        _check_range("processes", self.processes, 0, 1024)
        _check_range("threads", self.threads, 0, 1024)
        _check_range("readout_dt_s", self.readout_dt_s, 0.0, 0.01, low_open=True)
        try:
            self.readout_stride
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        if self.v_reset_mV >= self.v_th_mV:
            raise ConfigError(f"v_reset_mV ({self.v_reset_mV}) must be below v_th_mV ({self.v_th_mV})")
        return self


@dataclass
class SRCTrainConfig:
    """Options of a directly trained Spiking Recurrent Cell net (De Geeter et al. 2023
    defaults where the paper has one; ``sizes``, ``recurrent``, the linear readout and the
    stopping rule are ours, for the Kim et al. tasks)."""

    task: str = "gonogo"
    sizes: list = field(default_factory=lambda: [100])   # neurons per SRC layer
    recurrent: bool = True           # W_r within each layer (not in the paper)
    readout: str = "linear"          # "linear" (task output) or "classify" (paper's frozen readout)
    step_s: float = 0.001            # seconds per SRC step
    alpha: float = 0.9               # input-integrator leak per step
    bypass_relu: bool = True
    detach: bool = True
    batch_size: int = 64
    lr: float = 0.005                # Adam, cosine-annealed to 0 over max_updates
    max_updates: int = 800
    grad_clip: float = 1.0
    eval_every: int = 25
    eval_trials: int = 200
    stop_accuracy: float = 0.99      # stop once eval accuracy (task scorer) reaches this
    stop_loss: float = 0.02          # ... and the eval loss (MSE per step) is below this
    seed: int = 0

    def validate(self):
        from .src_models.network import GROUP_SIZE, READOUTS

        _check_choice("task", self.task, TASKS)
        _check_choice("readout", self.readout, READOUTS)
        if not isinstance(self.sizes, (list, tuple)) or not self.sizes:
            raise ConfigError(f"sizes must be a non-empty list of layer sizes, got {self.sizes!r}")
        for n in self.sizes:
            _check_range("every layer size", n, 1, 100000)
            if not isinstance(n, int):
                raise ConfigError(f"layer sizes must be whole numbers, got {n!r}")
        need = 2 * GROUP_SIZE   # the Kim tasks have 2 classes
        if self.readout == "classify" and self.sizes[-1] != need:
            raise ConfigError(f"the classification readout needs a last layer of {need} neurons "
                              f"({GROUP_SIZE} per class, 2 classes), got {self.sizes[-1]}")
        _check_range("step_s", self.step_s, 0.0, 1.0, low_open=True)
        _check_range("alpha", self.alpha, 0.0, 1.0)
        _check_range("batch_size", self.batch_size, 1, 100000)
        _check_range("lr", self.lr, 0.0, 10.0, low_open=True)
        _check_range("max_updates", self.max_updates, 1, 10**7)
        _check_range("grad_clip", self.grad_clip, 0.0, 1e9, low_open=True)
        _check_range("eval_every", self.eval_every, 1, 10**7)
        _check_range("eval_trials", self.eval_trials, 1, 10**6)
        _check_range("stop_accuracy", self.stop_accuracy, 0.0, 1.0)
        _check_range("stop_loss", self.stop_loss, 0.0, 1e9)
        from .src_models.network import steps_per_task_step
        from .tasks import get_task
        try:
            steps_per_task_step(get_task(self.task).dt_s, self.step_s)
        except Exception as exc:
            raise ConfigError(str(exc)) from None
        return self


SECTIONS = {"train": TrainConfig, "convert": ConvertConfig, "src": SRCTrainConfig}


def _check_choice(name, value, valid):
    if value not in valid:
        raise ConfigError(f"{name} = {value!r} is not valid; choose one of: {', '.join(sorted(valid))}")


def _check_range(name, value, low, high, low_open=False):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{name} must be a number, got {value!r}")
    if (value <= low if low_open else value < low) or value > high:
        bracket = "(" if low_open else "["
        raise ConfigError(f"{name} = {value!r} is out of range; valid: {bracket}{low}, {high}]")


def _coerce(cls, key, value):
    """Check a value's type against the dataclass field; ints are accepted for floats."""
    ftype = {f.name: f.type for f in fields(cls)}[key]
    if ftype.endswith(" | None"):
        if value is None:
            return None
        ftype = ftype[: -len(" | None")]
    if ftype == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    expected = {"int": int, "float": float, "str": str, "bool": bool, "list": list}[ftype]
    if expected is int and isinstance(value, bool) or not isinstance(value, expected):
        raise ConfigError(f"{cls.__name__[:-6].lower()}.{key} must be of type {ftype}, "
                          f"got {value!r} ({type(value).__name__})")
    return value


def build_config(cls, file_values: dict | None = None, overrides: dict | None = None):
    """Make a validated ``cls`` instance from file values, then CLI overrides (None = unset)."""
    cfg = cls()
    valid = {f.name for f in fields(cls)}
    for source in (file_values or {}), {k: v for k, v in (overrides or {}).items() if v is not None}:
        for key, value in source.items():
            if key not in valid:
                raise ConfigError(f"unknown option {key!r} in the {cls.__name__} section; "
                                  f"valid options: {', '.join(sorted(valid))}")
            setattr(cfg, key, _coerce(cls, key, value))
    return cfg.validate()


def load_yaml(path: str | Path | None) -> dict:
    """Read a config YAML file into ``{section: {key: value}}`` (validated keys only)."""
    if path is None:
        return {}
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist")
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must hold a mapping with sections "
                          f"{', '.join(SECTIONS)}")
    for section, values in data.items():
        if section not in SECTIONS:
            raise ConfigError(f"config file {path}: unknown section {section!r}; "
                              f"valid sections: {', '.join(SECTIONS)}")
        if not isinstance(values, dict):
            raise ConfigError(f"config file {path}: section {section!r} must be a mapping")
    return data


def as_dict(cfg) -> dict:
    return dataclasses.asdict(cfg)
