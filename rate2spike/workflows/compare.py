"""``compare``: any registered families of nets on the same held-out trials of a task.

Each family (:mod:`rate2spike.families`: by default Kim et al.'s rate net, its converted LIF
net and a directly trained SRC net; any subset, plus the adaptive and plain LIF SRNNs or a
plug-in family) is trained or loaded, then evaluated on the same seeded trials, held out from
training and from the s search. Each family scores its own net by the task's rules (the rate
rule for the rate net and one-output nets, the LIF rule for the LIF net, the argmax for class
outputs). The report gives accuracy (overall and per condition), activity, the energy estimate
of :mod:`rate2spike.report.energy` and simulation wall time per trial on each simulator; result
files are keyed by family name.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, is_dataclass
from pathlib import Path

from ..config import ConvertConfig, TrainConfig, build_config, flat_dict
from ..converters import convert as convert_network
from ..errors import ConfigError
from ..families import EvaluationOptions, Family, family_names, get_family
from ..locking import folder_lock
from ..rate_models.network import RateNetwork
from ..report.compare_report import write_compare_report
from ..results import CompareResult
from ..seeds import stream_seed
from ..simulators import BRIAN_SRC_DEVICES
from ..tasks import get_task
from ..validation import check_choice, check_scale, check_trials
from .common import check_out_dir, check_trials_fit, default_out_dir
from .convert import convert
from .train import train

#: the families compared when none are named
DEFAULT_FAMILIES = ("rate", "lif", "src")


@dataclass
class CompareNets:
    """Which families to compare, the files to load instead of training (None: train one) and
    the LIF scale s (None: search it as ``convert`` does). ``models`` maps any family's name to
    its file; ``rate_model``, ``src_model``, ``alif_model`` and ``plif_model`` are shorthands.

    Example
    -------
    >>> nets = CompareNets(rate_model="tests/data/gonogo_n200.npz", s=25)   # train only the SRC
    >>> nets.families, nets.model_paths()
    (('rate', 'lif', 'src'), {'rate': 'tests/data/gonogo_n200.npz'})
    >>> CompareNets(families=("src", "alif"), models={"alif": "a.npz"}).model_paths()
    {'alif': 'a.npz'}
    """

    rate_model: str | None = None
    s: float | None = None
    src_model: str | None = None
    families: tuple = DEFAULT_FAMILIES
    alif_model: str | None = None
    plif_model: str | None = None
    models: dict = field(default_factory=dict)

    def model_paths(self) -> dict:
        """Family name -> model file, for every family given one."""
        short = {"rate": self.rate_model, "src": self.src_model, "alif": self.alif_model,
                 "plif": self.plif_model}
        return {**{k: v for k, v in short.items() if v is not None}, **self.models}


class _Source:
    """What a family's ``obtain`` may ask for (:class:`~rate2spike.families.base.NetSource`):
    the given files (loaded and checked before anything is written), each family's config, and
    the conversion pipeline's rate and LIF nets (made once, shared by both families)."""

    def __init__(self, task, out: Path, nets: CompareNets, given: dict, configs: dict, progress: bool):
        self.task, self.out, self.nets, self.given, self.configs = task, out, nets, given, configs
        self.progress = progress
        self._rate = given.get("rate")
        self._lif = None
        self.files = {}

    def model_path(self, family: str):
        return self.nets.model_paths().get(family)

    def given_network(self, family: str):
        return self.given.get(family)

    def config(self, family: Family):
        return self.configs[family.name]

    def rate_network(self) -> RateNetwork:
        if self._rate is None:
            converting = "lif" in self.nets.families and (
                self.nets.s is None or self.configs["convert"].readout_fit != "none")
            if converting:
                self.converted_network()          # the search trains the rate net it converts
            else:
                _, files = train(self.task.name, self.out / "rate", self.configs["train"],
                                 progress=self.progress)
                self._rate = RateNetwork.load(files["model"])
        return self._rate

    def converted_network(self):
        """The LIF net from ``convert`` (the s search, or only the given s when its readout is
        to be calibrated; it trains the rate net first if none is given), else the rate net
        converted at the given s."""
        if self._lif is not None:
            return self._lif
        s, ccfg = self.nets.s, self.configs["convert"]
        if s is None or ccfg.readout_fit != "none":
            given = {"scales": [s]} if s is not None else {}
            conv = convert(self.task.name, self.model_path("rate"), self.out / "convert", ccfg,
                           self.configs["train"], progress=self.progress,
                           resume=(self.out / "convert" / "sweep" / "manifest.json").is_file(), **given)
            self._rate, self._lif = conv.lif_network.rate, conv.lif_network
            self.files["convert_report"] = conv.files["report"]
        else:
            self._lif = convert_network(self.rate_network(), s, ccfg.lif)
        return self._lif


def _family_configs(task: str, seed: int, families, given: dict) -> dict:
    """Validated config of every family that trains (by family name), from ``given`` (section
    name -> config object or dict of options) with the task, seed and the family's overrides."""
    out = {}
    for family in families:
        if family.config_class is None:
            continue
        value = given.get(family.config_section) or {}
        value = asdict(value) if is_dataclass(value) else dict(value)
        out[family.name] = build_config(family.config_class, value,
                                        {"task": task, "seed": seed, **family.config_overrides})
    return out


def compare(task: str = "gonogo", out=None, nets: CompareNets | None = None, trials: int = 500,
            seed: int = 0, src_device: str = "cpp_standalone",
            train_config: TrainConfig | None = None, convert_config: ConvertConfig | None = None,
            src_config=None, progress: bool = True, alif_config=None,
            family_configs: dict | None = None) -> CompareResult:
    """Train or load the nets of ``nets.families``, evaluate them on ``trials`` shared trials
    (the ``compare_trials`` stream of ``seed``), write ``compare.md``, ``compare.json`` and plots
    to ``out``.

    nets : :class:`CompareNets` (families, files to load, the LIF scale s; default: rate,
    converted LIF and SRC, all trained, s searched). Training options per config section:
    ``train_config`` (rate), ``convert_config`` (the LIF net, run on its ``device``),
    ``src_config`` (``src:``), ``alif_config`` (``alif:``), ``family_configs`` (section -> config
    or dict, e.g. a plug-in family's). Directly trained nets run in Brian2 on ``src_device``.

    Example
    -------
    >>> res = rate2spike.compare("gonogo", out="runs/cmp", trials=100,
    ...     nets=CompareNets(rate_model="tests/data/gonogo_n200.npz", s=25))   # doctest: +SKIP
    >>> {name: r["accuracy"] for name, r in res.nets.items()}                  # doctest: +SKIP
    """
    start = time.perf_counter()
    nets = nets or CompareNets()
    if not nets.families:
        raise ConfigError(f"--families names no family; valid families: {', '.join(family_names())}")
    families = [get_family(name) for name in dict.fromkeys(nets.families)]
    for name in nets.model_paths():
        if name not in nets.families and not (name == "rate" and "lif" in nets.families):
            raise ConfigError(f"a model file is given for family {name!r}, which is not compared "
                              f"(--families {','.join(nets.families)}); add it or drop the file")
    task_obj = get_task(task)
    trials = check_trials(trials)
    if nets.s is not None:
        check_scale(nets.s, "--scale s")
    check_choice("--src-device", src_device, BRIAN_SRC_DEVICES)
    ccfg = build_config(ConvertConfig, flat_dict(convert_config) if convert_config else {},
                        {"task": task, "seed": seed})
    tcfg = build_config(TrainConfig, asdict(train_config) if train_config else {},
                        {"task": task, "seed": seed})
    sections = {**(family_configs or {}), **({"src": src_config} if src_config else {}),
                **({"alif": alif_config} if alif_config else {})}
    configs = {"train": tcfg, "convert": ccfg, **_family_configs(task, seed, families, sections)}
    given = {}
    for name, path in nets.model_paths().items():
        family = get_family(name)
        if family.load is None:
            raise ConfigError(f"family {name!r} cannot be loaded from a file")
        given[name] = family.load(path, task_obj)
    rate = given.get("rate")
    out = check_out_dir(out if out else default_out_dir("compare", task))
    src_steps = int(task_obj.duration_s / configs["src"].step_s) if "src" in configs else 0
    check_trials_fit(task_obj, trials, rate.n_units if rate else tcfg.units, "compare",
                     ccfg.lif.readout_dt_s, src_steps)
    options = EvaluationOptions(seed, ccfg.device, ccfg.processes or None, ccfg.threads or None,
                                src_device, ccfg.torch_device, ccfg.torch_dtype)
    with folder_lock(out):
        source = _Source(task_obj, out, nets, given, configs, progress)
        obtained = {f.name: f.obtain(source) for f in families}
        batch = task_obj.generate(trials, stream_seed("compare_trials", seed))
        summaries, traces = {}, {}
        for family in families:
            net = obtained[family.name]
            ev = family.evaluate(net, task_obj, batch, options)
            meta = getattr(net, "meta", {}) or {}
            ev.summary.setdefault("training", {"updates": meta.get("updates"),
                                               "wall_time_s": meta.get("train_wall_time_s")})
            summaries[family.name] = ev.summary
            traces[family.name] = (family.title, ev.traces, ev.trace_dt_s)
        res = CompareResult(out, task, trials, summaries, source.files, time.perf_counter() - start)
        formulas = {f.name: f.energy_formula for f in families}
        res.files.update(write_compare_report(res, task_obj, batch, traces, formulas))
        return res
