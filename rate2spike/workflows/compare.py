"""``compare``: rate net vs converted LIF net vs directly trained SRC net (and, on request, the
adaptive LIF SRNN of Yin et al. and its plain-LIF variant, trained directly).

Each net is trained (or loaded), then evaluated on the same seeded trials, held out from
training and from the s search: the rate net in torch, the LIF net in Brian2 at its chosen
s, the SRC net in torch and in Brian2. Scoring: the task's rules (rate rule for the rate and
SRC nets, LIF rule for the LIF net, as in the conversion report). The report gives accuracy
(overall and per condition), activity, the energy estimate of :mod:`rate2spike.report.energy`
and simulation wall time per trial on each simulator.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path

from ..classifiers.kim_tasks import ALIFTaskConfig
from ..config import ConvertConfig, SRCTrainConfig, TrainConfig, build_config, flat_dict
from ..converters import convert as convert_network
from ..locking import folder_lock
from ..rate_models.network import RateNetwork
from ..report.compare_report import COMPARE_TRIAL_OFFSET, write_compare_report
from ..results import CompareResult
from ..simulators import BRIAN_SRC_DEVICES
from ..src_models.network import SRCNetwork
from ..surrogate_models.alif_network import ALIFNetwork
from ..tasks import get_task
from ..validation import check_choice, check_scale, check_trials
from .common import check_model_task, check_out_dir, check_trials_fit, default_out_dir, load_rate, load_src
from .convert import convert
from .evaluate import evaluate_alif, evaluate_lif, evaluate_rate, evaluate_src
from .train import train, train_alif_task, train_src


@dataclass
class CompareNets:
    """Where the three nets come from: files to load (None: train one) and the LIF scale s
    (None: search it as ``convert`` does).

    Example
    -------
    >>> CompareNets(rate_model="tests/data/gonogo_n200.npz", s=25)   # train only the SRC
    CompareNets(rate_model='tests/data/gonogo_n200.npz', s=25, src_model=None)
    """

    rate_model: str | None = None
    s: float | None = None
    src_model: str | None = None
    families: tuple = ("rate", "lif", "src")
    alif_model: str | None = None
    plif_model: str | None = None


#: the families ``compare`` can add to rate, lif and src: the adaptive LIF SRNN and its beta = 0
#: variant (plain LIF), both trained with surrogate gradients
EXTRA_FAMILIES = ("alif", "plif")
FAMILIES = ("rate", "lif", "src", *EXTRA_FAMILIES)


def _surrogate_net(task: str, out: Path, family: str, path, acfg: ALIFTaskConfig, progress):
    """Load the adaptive (``alif``) or plain (``plif``) LIF SRNN from ``path``, or train one in
    ``out/family`` (kept there: a second compare in the same folder reuses it)."""
    if path is None:
        path = out / family / "alif_model.npz"
        if not path.is_file():
            cfg = build_config(ALIFTaskConfig, asdict(acfg), {"adaptive": family == "alif"})
            _, files = train_alif_task(cfg, out / family, progress=progress)
            path = files["model"]
    net = ALIFNetwork.load(path)
    check_model_task(net.meta.get("task", ""), net.n_inputs, get_task(task), path, f"{family} model")
    return net


def _nets(task: str, out: Path, nets: CompareNets, rate, src, configs, progress):
    """Train or load what is missing; returns (rate net, LIF net, SRC net, files). The LIF
    net comes from ``convert`` (the s search, or only the given s when its readout is to be
    calibrated), else it is the rate net converted at the given s."""
    tcfg, ccfg, scfg = configs
    files, s, lif = {}, nets.s, None
    if s is None or ccfg.readout_fit != "none":   # (training the rate net first if none given)
        given = {"scales": [s]} if s is not None else {}
        conv = convert(task, nets.rate_model, out / "convert", ccfg, tcfg, progress=progress,
                       resume=(out / "convert" / "sweep" / "manifest.json").is_file(), **given)
        rate, lif = conv.lif_network.rate, conv.lif_network
        files["convert_report"] = conv.files["report"]
    elif rate is None:  # s is given: train the rate net only
        _, rate_files = train(task, out / "rate", tcfg, progress=progress)
        rate = RateNetwork.load(rate_files["model"])
    if src is None:
        src_file = out / "src" / "src_model.npz"
        if not src_file.is_file():
            _, src_files = train_src(task, out / "src", scfg, progress=progress)
            src_file = src_files["model"]
        src = SRCNetwork.load(src_file)
    return rate, lif or convert_network(rate, s, ccfg.lif), src, files


def compare(task: str = "gonogo", out=None, nets: CompareNets | None = None, trials: int = 500,
            seed: int = 0, src_device: str = "cpp_standalone",
            train_config: TrainConfig | None = None, convert_config: ConvertConfig | None = None,
            src_config: SRCTrainConfig | None = None, progress: bool = True,
            alif_config: ALIFTaskConfig | None = None) -> CompareResult:
    """Train or load the three nets, evaluate them on ``trials`` shared trials (seed + 5000),
    write ``compare.md``, ``compare.json`` and plots to ``out``.

    nets : :class:`CompareNets` (files to load, the LIF scale s, the families; default: rate,
    converted LIF and SRC, all trained, s searched; ``families`` may add ``alif`` and ``plif``,
    trained with ``alif_config`` or loaded from ``alif_model`` / ``plif_model``).
    The LIF net runs on ``convert_config.device``; the SRC and surrogate-gradient nets in Brian2 on
    ``src_device``.

    Example
    -------
    >>> res = rate2spike.compare("gonogo", out="runs/cmp", trials=100,
    ...     nets=CompareNets(rate_model="tests/data/gonogo_n200.npz", s=25))   # doctest: +SKIP
    >>> {name: r["accuracy"] for name, r in res.nets.items()}                  # doctest: +SKIP
    """
    start = time.perf_counter()
    nets = nets or CompareNets()
    extra = [f for f in nets.families if f not in ("rate", "lif", "src")]
    for f in extra:
        check_choice("--families", f, FAMILIES)
    acfg = build_config(ALIFTaskConfig, asdict(alif_config) if alif_config else {},
                        {"task": task, "seed": seed})
    task_obj = get_task(task)
    trials = check_trials(trials)
    if nets.s is not None:
        check_scale(nets.s, "--scale s")
    check_choice("--src-device", src_device, BRIAN_SRC_DEVICES)
    ccfg = build_config(ConvertConfig, flat_dict(convert_config) if convert_config else {},
                        {"task": task, "seed": seed})
    tcfg = build_config(TrainConfig, asdict(train_config) if train_config else {},
                        {"task": task, "seed": seed})
    scfg = build_config(SRCTrainConfig, asdict(src_config) if src_config else {},
                        {"task": task, "seed": seed})
    rate = load_rate(nets.rate_model, task_obj) if nets.rate_model else None
    src = load_src(nets.src_model, task_obj) if nets.src_model else None
    out = check_out_dir(out if out else default_out_dir("compare", task))
    check_trials_fit(task_obj, trials, rate.n_units if rate else tcfg.units, "compare",
                     ccfg.lif.readout_dt_s, int(task_obj.duration_s / scfg.step_s))
    with folder_lock(out):
        rate, lif, src, files = _nets(task, out, nets, rate, src, (tcfg, ccfg, scfg), progress)
        batch = task_obj.generate(trials, seed + COMPARE_TRIAL_OFFSET)
        summaries, examples = {}, {}
        summaries["rate"], examples["rate"] = evaluate_rate(rate, task_obj, batch, seed)
        opt = ccfg.sweep_options()
        summaries["lif"], examples["lif"] = evaluate_lif(
            lif, task_obj, batch, seed, device=opt.device, processes=opt.processes,
            threads=opt.threads)
        summaries["src"], examples["src"] = evaluate_src(src, task_obj, batch, src_device)
        metas = {"rate": rate.meta, "src": src.meta}    # where each net's training is recorded
        for family in extra:
            net = _surrogate_net(task, out, family, getattr(nets, f"{family}_model"), acfg, progress)
            summaries[family], examples[family] = evaluate_alif(net, task_obj, batch, src_device)
            metas[family] = net.meta
            examples[f"{family}_step_s"] = net.step_s
        for key, meta in metas.items():
            summaries[key]["training"] = {"updates": meta.get("updates"),
                                          "wall_time_s": meta.get("train_wall_time_s")}
        summaries["lif"]["training"] = {"updates": 0, "wall_time_s": None}   # the λ search only
        res = CompareResult(out, task, trials, summaries, files, time.perf_counter() - start)
        res.files.update(write_compare_report(res, task_obj, batch, examples, src))
        return res
