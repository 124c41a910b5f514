"""Validated configuration: defaults < YAML file < CLI flags.

A YAML file may hold the sections ``train:`` (rate net, :class:`TrainConfig`), ``convert:``
(:class:`ConvertConfig`), ``src:`` (SRC net, :class:`SRCTrainConfig`) and ``snn:`` (spiking
classifier, :class:`ClassifierConfig`); each key is checked
(unknown keys, wrong types and out-of-range values are a :class:`ConfigError`). The option
objects of training live with their models (:mod:`rate2spike.rate_models.training`,
:mod:`rate2spike.src_models.training`), which never import this module. Times are in seconds
(suffix ``_s``), voltages in mV (``_mV``).

Example
-------
>>> cfg = build_config(ConvertConfig, {"trials": 50}, {"noise_mV": 0.2})
>>> cfg.trials, cfg.lif.noise_mV
(50, 0.2)
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, is_dataclass
from pathlib import Path

import yaml

from .classifiers import ClassifierConfig
from .classifiers.kim_tasks import ALIFTaskConfig
from .converters import READOUT_FITS, SEARCHES, TIE_RULES, TRIAL_SAMPLINGS, SweepOptions
from .errors import ConfigError
from .lif_models import INPUT_SWITCHES, REFRACTORY_HOLDS, LIFConstants
from .rate_models.training import TrainConfig
from .simulators import DEVICES, TORCH_DEVICES, TORCH_DTYPES, resolve_torch_device
from .src_models.training import SRCTrainConfig
from .tasks import REFERENCE_STOP_LOSS, TASKS, get_task
from .validation import check_choice, check_range, check_scales, check_seed, check_trials

__all__ = ["TrainConfig", "ConvertConfig", "SRCTrainConfig", "ClassifierConfig", "SECTIONS", "build_config",
           "load_yaml", "flat_dict", "REFERENCE_STOP_LOSS", "PRESETS", "register_section",
           "preset_sections", "with_preset", "fixed_by_preset"]


@dataclass
class ConvertConfig:
    """Rate -> LIF conversion and s-sweep options. ``lif`` holds the LIF constants (reference
    values); in a YAML section or as overrides its keys are given flat (``noise_mV: 0.2``)."""

    task: str = "gonogo"
    device: str = "cpp_standalone"
    trials: int = 100
    scales: list = field(default_factory=list)  # s = 1/lambda; empty -> default grid per act
    seed: int = 0
    copies_per_run: int = 0          # (trial x s) network copies per compiled run; 0 = auto
    processes: int = 0               # concurrent simulator processes (cpp_standalone); 0 = all cores
    threads: int = 0                 # OpenMP threads when processes == 1; 0 = all cores
    tie_rule: str = "middle"         # ties of accuracy: middle of the plateau, or "smallest" s
    readout_fit: str = "none"        # readout calibrated per s: none (Kim et al.), scale, affine, lstsq
    calibration_trials: int = 100    # trials (their own seed) the readout is fitted on
    trial_sampling: str = "common"   # same trials and noise at every s, or "fresh" per s
    search: str = "grid"             # the grid at `trials` each, or "adaptive" (beyond the paper)
    adaptive_trials: int = 50        # adaptive: trials per block
    adaptive_max_trials: int = 200   # adaptive: trials at most per s
    torch_device: str = "cpu"        # device torch: cpu, cuda or auto
    torch_dtype: str = "float32"     # device torch: float32 or float64
    lif: LIFConstants = field(default_factory=LIFConstants)

    def validate(self):
        check_choice("task", self.task, TASKS)
        check_choice("device", self.device, DEVICES)
        check_choice("torch_device", self.torch_device, TORCH_DEVICES)
        check_choice("torch_dtype", self.torch_dtype, tuple(TORCH_DTYPES))
        if self.device == "torch":
            resolve_torch_device(self.torch_device)     # cuda without a GPU: refused here
        check_choice("tie_rule", self.tie_rule, TIE_RULES)
        check_choice("readout_fit", self.readout_fit, READOUT_FITS)
        check_choice("trial_sampling", self.trial_sampling, TRIAL_SAMPLINGS)
        check_choice("search", self.search, SEARCHES)
        check_range("adaptive_trials", self.adaptive_trials, 1, 100_000)
        check_range("adaptive_max_trials", self.adaptive_max_trials, self.adaptive_trials,
                    1_000_000)
        if self.search == "adaptive" and (self.readout_fit != "none"
                                          or self.trial_sampling != "common"):
            raise ConfigError("the adaptive search runs with common trials and Kim et al.'s "
                              "readout only: use search: grid for --readout-fit or fresh trials")
        if self.search == "adaptive" and self.scales and len(set(self.scales)) < 2:
            raise ConfigError("the adaptive search needs a grid of at least 2 scales (--scales)")
        check_trials(self.trials)
        check_range("calibration_trials", self.calibration_trials, 2, 100_000)
        if self.scales:
            self.scales = check_scales(self.scales)
        elif not isinstance(self.scales, list):
            raise ConfigError(f"scales must be a list of positive numbers, got {self.scales!r}")
        c = self.lif
        check_range("dt_s", c.dt_s, 0.0, 0.001, low_open=True)
        check_range("tau_m_s", c.tau_m_s, 0.0, 10.0, low_open=True)
        check_range("tau_r_s", c.tau_r_s, 0.0, 10.0)   # 0: single-exponential synapse
        check_range("refractory_s", c.refractory_s, 0.0, 1.0)
        check_range("noise_mV", c.noise_mV, 0.0, 100.0)
        for name in ("v_th_mV", "v_reset_mV", "v_bias_mV", "v_init_high_mV"):
            check_range(name, getattr(c, name), -1000.0, 1000.0)
        check_range("copies_per_run", self.copies_per_run, 0, 10**6)
        check_range("processes", self.processes, 0, 1024)
        check_range("threads", self.threads, 0, 1024)
        check_range("readout_dt_s", c.readout_dt_s, 0.0, 0.01, low_open=True)
        check_choice("input_switch", c.input_switch, INPUT_SWITCHES)
        check_choice("refractory_holds", c.refractory_holds, REFRACTORY_HOLDS)
        check_range("start_hold_s", c.start_hold_s, 0.0, 1.0)
        try:
            c.readout_stride
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        if c.v_reset_mV >= c.v_th_mV:
            raise ConfigError(f"v_reset_mV ({c.v_reset_mV}) must be below v_th_mV ({c.v_th_mV})")
        return self

    def sweep_options(self, build_dir=None) -> SweepOptions:
        """How the sweep simulates (device, seed, batching, processes, threads)."""
        return SweepOptions(self.device, self.seed, self.copies_per_run, self.processes or None,
                            self.threads or None, build_dir, self.torch_device, self.torch_dtype)


SECTIONS = {"train": TrainConfig, "convert": ConvertConfig, "src": SRCTrainConfig,
            "snn": ClassifierConfig, "alif": ALIFTaskConfig}


def register_section(name: str, config_class: type) -> None:
    """Accept a config-file section ``name`` holding ``config_class``'s options (a plug-in
    family's training options); a name taken by another class is refused."""
    if SECTIONS.get(name, config_class) is not config_class:
        raise ConfigError(f"config section {name!r} is already taken by {SECTIONS[name].__name__}")
    SECTIONS[name] = config_class


def section_name(cls) -> str:
    """The config-file section that holds ``cls``'s options (``src`` for SRCTrainConfig, a
    family's own section), for messages; a class of no section (a nested part such as
    LIFConstants) by its lower-cased name."""
    return next((name for name, section in SECTIONS.items() if section is cls),
                cls.__name__.removesuffix("Config").lower())


def _nested(cls) -> dict:
    """Flat key -> name of the nested dataclass field holding it (e.g. noise_mV -> lif)."""
    out = {}
    for f in fields(cls):
        default = f.default_factory() if callable(f.default_factory) else f.default
        if is_dataclass(default):
            out.update({g.name: f.name for g in fields(default)})
    return out


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
        raise ConfigError(f"{section_name(cls)}.{key} must be of type "
                          f"{ftype}, got {value!r} ({type(value).__name__})")
    return value


#: named config profiles; precedence: defaults < preset < config file < command-line flags
PRESETS = ("default", "reference")
def preset_sections(name: str, task: str) -> dict:
    """The config sections (``train:``, ``convert:``, ``src:``) of preset ``name`` for ``task``.

    Both presets hold the task's recipes per section (``Task.recipes``: e.g. the SRC's and the
    adaptive LIF SRNN's options on XOR and Mante).
    ``default``: this project's defaults (nothing else changed). ``reference``: the authors' recipe
    where it differs from ours: no gradient clipping, tau_d in 20-50 ms (the paper's main
    runs), stop at loss < 7 with > 1,500 training trials for Go/NoGo only, and the smallest s
    among equally accurate scales, Kim et al.'s readout (no calibration: ``readout_fit`` is
    forced to ``none``, see :func:`with_preset`), and the LIF's timing details
    (:data:`REFERENCE_TIMING`) and fresh trials and noise for every s.

    Example
    -------
    >>> preset_sections("reference", "xor")["train"]["min_trials"]
    0
    """
    check_choice("--preset", name, PRESETS)
    task_obj = get_task(task)
    recipes = {section: dict(options) for section, options in task_obj.recipes.items()}
    if name == "default":
        return recipes
    return {**recipes, "train": {"grad_clip": 0.0, "tau_min_s": 0.02, "tau_max_s": 0.05,
                                 "stop_loss": REFERENCE_STOP_LOSS,
                                 "min_trials": task_obj.reference_min_trials},
            "convert": {"tie_rule": "smallest", "readout_fit": "none", "trial_sampling": "fresh",
                        **REFERENCE_TIMING}}


#: the timing details of the authors' LIF_network_fnc.m (see LIFConstants)
REFERENCE_TIMING = {"input_switch": "round", "start_hold_s": 0.002, "refractory_holds": "drift"}


#: preset keys that neither a config file nor a flag may change (the preset is the recipe)
PRESET_FIXED = {"reference": {"convert": ("readout_fit",)}}


def with_preset(file_cfg: dict, name: str, task: str) -> dict:
    """The config file's sections on top of preset ``name``'s (a key in the file wins, except
    the preset's fixed keys, :data:`PRESET_FIXED`)."""
    preset = preset_sections(name, task)
    merged = {k: dict(v) for k, v in preset.items()}
    for section, values in (file_cfg or {}).items():
        merged[section] = ({**merged.get(section, {}), **values} if isinstance(values, dict)
                           else values)
    for section, keys in PRESET_FIXED.get(name, {}).items():
        merged[section].update({k: preset[section][k] for k in keys})
    return merged


def fixed_by_preset(name: str, section: str) -> tuple:
    """The keys of ``section`` that preset ``name`` fixes (flags for them are ignored)."""
    return PRESET_FIXED.get(name, {}).get(section, ())


def build_config(cls, file_values: dict | None = None, overrides: dict | None = None):
    """Make a validated ``cls`` instance from file values, then overrides (None = unset)."""
    cfg = cls()
    nested = _nested(cls)
    valid = {f.name for f in fields(cls) if f.name not in set(nested.values())} | set(nested)
    for source in (file_values or {}), {k: v for k, v in (overrides or {}).items() if v is not None}:
        if not isinstance(source, dict):
            raise ConfigError(f"the '{section_name(cls)}:' options must be a mapping, got {source!r}")
        for key, value in source.items():
            if key not in valid:
                raise ConfigError(f"unknown option {key!r} in the '{section_name(cls)}:' section; "
                                  f"valid options: {', '.join(sorted(map(str, valid)))}")
            if key in nested:
                part = getattr(cfg, nested[key])
                setattr(part, key, _coerce(type(part), key, value))
            else:
                setattr(cfg, key, _coerce(cls, key, value))
    if hasattr(cfg, "seed"):
        cfg.seed = check_seed(cfg.seed)
    return cfg.validate()


def flat_dict(cfg) -> dict:
    """A config as one flat dict (nested constants inlined), as in a YAML section."""
    nested_fields = set(_nested(type(cfg)).values())
    out = {}
    for key, value in asdict(cfg).items():
        out.update(value if key in nested_fields else {key: value})
    return out


def load_yaml(path: str | Path | None) -> dict:
    """Read a config YAML file into ``{section: {key: value}}`` (sections checked; keys are
    checked by :func:`build_config`)."""
    if path is None:
        return {}
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist")
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
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
        if values.get("scales", None) == []:
            raise ConfigError(f"config file {path}: scales: [] is an empty list; give at least one "
                              f"s > 0 (e.g. [20, 25, 30]) or leave the key out for the default grid")
    return data
