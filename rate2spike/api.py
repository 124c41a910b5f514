"""Python entry points: :func:`train` and :func:`convert` (the CLI calls these).

Data path: task -> rate model -> converter -> Brian2 simulator -> report.
"""
from __future__ import annotations

import csv
import io
import json
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import torch

from .artifacts import atomic_write_text, save_network
from .brian_models import LIFConstants
from .brian_models.devices import COUNTER_NOISE_DEVICES
from .config import ConvertConfig, TrainConfig, build_config
from .converters import LIFNetwork, RateNetwork, convert as convert_network, default_scales, lambda_sweep
from .errors import Rate2SpikeError
from .rate_models import RateRNN
from .rate_models.training import TrainResult, train_rate_model, trial_loss
from .report import plots
from .tasks import Task, TrialBatch, first_trial_per_condition, get_task


def _fmt(x):
    """A number with 4 significant digits, anything else as it is."""
    return f"{x:.4g}" if isinstance(x, (int, float)) else x


def default_out_dir(command: str, task: str) -> Path:
    return Path("runs") / f"{task}-{command}-{datetime.now():%Y%m%d-%H%M%S}"


# --------------------------------------------------------------------------- training
def _rate_forward(net: RateNetwork, batch: TrialBatch, seed: int):
    """Rate-model outputs (batch, T) and rates (batch, T, N) on ``batch`` (noise on, seeded)."""
    model = RateRNN.from_arrays(net.arrays(), net.meta)
    with torch.no_grad():
        o, r = model(batch.inputs, generator=torch.Generator().manual_seed(seed), return_rates=True)
    return o.numpy(), r.numpy()


def write_training_report(result: TrainResult, out: Path) -> dict:
    """Save the rate artifact and its plots in ``out``; return the paths."""
    meta = result.metadata()
    stem = out / "rate_model"
    save_network(stem, "rate_rnn", result.model.export_arrays(), meta)
    task = result.task
    batch = task.generate(200, result.config.seed + 99)
    idx = first_trial_per_condition(batch.conditions)
    with torch.no_grad():
        o = result.model(batch.inputs[idx], generator=torch.Generator().manual_seed(1)).numpy()
    paths = {
        "model": str(stem.with_suffix(".npz")),
        "examples_png": str(plots.example_trials(task.dt_s, batch.conditions[idx],
                                                 {"rate output": (o, task.dt_s)},
                                                 batch.targets[idx], out / "train_examples.png")),
        "curve_png": str(plots.training_curve(result.history, result.config.stop_loss,
                                              out / "training_curve.png")),
    }
    return paths


def train(task: str = "gonogo", out=None, config: TrainConfig | None = None, progress=True,
          **overrides) -> tuple[TrainResult, dict]:
    """Train a rate RNN and write its artifact and plots to ``out``.

    Options are :class:`TrainConfig` fields (``config`` and/or keyword overrides).
    Returns the :class:`TrainResult` and a dict of written paths.
    """
    cfg = build_config(TrainConfig, asdict(config) if config else {}, {"task": task, **overrides})
    out = Path(out) if out else default_out_dir("train", cfg.task)
    result = train_rate_model(cfg, progress=progress)
    out.mkdir(parents=True, exist_ok=True)
    return result, write_training_report(result, out)


def write_src_training_report(result, out: Path) -> dict:
    """Save a trained SRC net (``src_model.npz``/``.json``) and its plots in ``out``."""
    from .src_models.cell import SRCNet
    from .src_models.network import task_inputs_to_steps

    net = result.network()
    stem = net.save(out / "src_model")
    task, step_s = result.task, result.config.step_s
    batch = task.generate(200, result.config.seed + 99)
    idx = first_trial_per_condition(batch.conditions)
    with torch.no_grad():
        o = SRCNet.from_network(net)(task_inputs_to_steps(batch.inputs[idx], task.dt_s, step_s))
    traces = {"SRC output": (o.outputs[:, 0].numpy(), step_s)}
    return {
        "model": str(stem),
        "examples_png": str(plots.example_trials(task.dt_s, batch.conditions[idx], traces,
                                                 batch.targets[idx], out / "src_train_examples.png")),
        "curve_png": str(plots.training_curve(result.history, None, out / "src_training_curve.png",
                                              reference=None, ylabel="eval loss")),
    }


def train_src(task: str = "gonogo", out=None, config=None, progress=True, **overrides):
    """Train a Spiking Recurrent Cell net directly and write its artifact and plots to ``out``.

    Options are :class:`~rate2spike.config.SRCTrainConfig` fields. Returns the
    :class:`~rate2spike.src_models.training.SRCTrainResult` and a dict of written paths.
    """
    from .config import SRCTrainConfig
    from .src_models.training import train_src_model

    cfg = build_config(SRCTrainConfig, asdict(config) if config else {}, {"task": task, **overrides})
    out = Path(out) if out else default_out_dir("train-src", cfg.task)
    result = train_src_model(cfg, progress=progress)
    out.mkdir(parents=True, exist_ok=True)
    return result, write_src_training_report(result, out)


# -------------------------------------------------------------------------- conversion
@dataclass
class ConvertResult:
    """What :func:`convert` produced: the chosen scale, accuracies, rows and file paths."""

    out_dir: Path
    task: str
    best_scale: float
    lif_accuracy: float
    rate_accuracy: float
    rows: list
    lif_network: LIFNetwork
    device: str
    warnings: list = field(default_factory=list)
    wall_time_s: float = 0.0
    files: dict = field(default_factory=dict)

    @property
    def best_lambda(self) -> float:
        return 1.0 / self.best_scale


def _constants(cfg: ConvertConfig) -> LIFConstants:
    """The LIF constants part of a convert config."""
    return LIFConstants(**{k: getattr(cfg, k) for k in LIFConstants.__dataclass_fields__})


def _check_model_task(net_task: str, n_inputs: int, task: Task, path, what: str = "model") -> None:
    """Refuse a model file trained on another task or with the wrong number of inputs."""
    if net_task != task.name:
        raise Rate2SpikeError(f"{what} {path} was trained on task {net_task!r}, not {task.name!r}; "
                              f"pass --task {net_task} or another file")
    if n_inputs != task.n_inputs:
        raise Rate2SpikeError(f"{what} {path} has {n_inputs} inputs; task {task.name} needs "
                              f"{task.n_inputs}")


def convert(task: str = "gonogo", model=None, out=None, config: ConvertConfig | None = None,
            train_config: TrainConfig | None = None, resume: bool = False, progress: bool = True,
            **overrides) -> ConvertResult:
    """Convert a rate RNN into a Brian2 LIF network, search lambda, and write the report.

    model : path to a rate artifact (``.npz``); if None, a rate net is trained first with
        ``train_config`` (default :class:`TrainConfig` for the task) and saved in ``out``.
    Options are :class:`ConvertConfig` fields. All inputs are validated before anything
    is written.
    """
    start = time.perf_counter()
    cfg = build_config(ConvertConfig, asdict(config) if config else {}, {"task": task, **overrides})
    task_obj = get_task(cfg.task)
    rate = RateNetwork.load(model) if model is not None else None
    if rate is not None:
        _check_model_task(rate.task, rate.W_in.shape[1], task_obj, model)
    if resume and out is None:
        raise Rate2SpikeError("--resume needs the --out folder of the sweep to continue")
    out = Path(out) if out else default_out_dir("convert", cfg.task)
    if out.exists() and not out.is_dir():
        raise Rate2SpikeError(f"--out {out} exists and is not a folder")
    if (out / "sweep" / "manifest.json").is_file() and not resume:
        raise Rate2SpikeError(f"{out} already holds a sweep; pass --resume to continue it, "
                              f"or choose another --out")
    files = {}
    if rate is None:
        existing = out / "rate_model.npz"
        if resume and existing.is_file():
            rate = RateNetwork.load(existing)
        else:
            tcfg = build_config(TrainConfig, asdict(train_config) if train_config else {},
                                {"task": cfg.task, "seed": cfg.seed})
            result = train_rate_model(tcfg, progress=progress)
            out.mkdir(parents=True, exist_ok=True)
            files.update(write_training_report(result, out))
            rate = RateNetwork.load(out / "rate_model.npz")
    rate.meta.setdefault("source", str(model) if model else str(out / "rate_model.npz"))
    scales = list(cfg.scales) or default_scales(rate.act)
    constants = _constants(cfg)
    batch = task_obj.generate(cfg.trials, cfg.seed + 1000)
    out.mkdir(parents=True, exist_ok=True)
    sweep = lambda_sweep(rate, task_obj, batch, scales, constants, cfg.device, cfg.seed,
                         work_dir=out / "sweep", resume=resume, copies_per_run=cfg.copies_per_run,
                         progress=progress, processes=cfg.processes or None,
                         threads=cfg.threads or None)
    rate_o, rate_r = _rate_forward(rate, batch, cfg.seed)
    rate_correct = task_obj.score(rate_o, batch.labels, task_obj.dt_s, window="rate")
    lif = convert_network(rate, sweep.best_scale, constants)
    lif.meta.update(task=cfg.task, lif_accuracy=sweep.best_row["accuracy"],
                    rate_accuracy=float(rate_correct.mean()), trials=cfg.trials, seed=cfg.seed)
    lif.save(out / "lif_network")
    result = ConvertResult(out, cfg.task, sweep.best_scale, sweep.best_row["accuracy"],
                           float(rate_correct.mean()), sweep.rows, lif, sweep.device,
                           sweep.warnings, time.perf_counter() - start, files)
    files.update(write_convert_report(result, task_obj, batch, sweep, rate, rate_o, rate_r, cfg))
    return result


def _write_sweep_tables(rows: list, out: Path) -> dict:
    keys = list(dict.fromkeys(k for r in rows for k in r))
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=keys)
    w.writeheader()
    w.writerows(rows)
    atomic_write_text(out / "lambda_sweep.csv", buf.getvalue())
    atomic_write_text(out / "lambda_sweep.json", json.dumps(rows, indent=2) + "\n")
    return {"sweep_csv": str(out / "lambda_sweep.csv"), "sweep_json": str(out / "lambda_sweep.json")}


def write_convert_report(res: ConvertResult, task: Task, batch: TrialBatch, sweep, rate: RateNetwork,
                         rate_o, rate_r, cfg: ConvertConfig) -> dict:
    out = res.out_dir
    files = _write_sweep_tables(sweep.rows, out)
    ex = sweep.examples[sweep.best_scale]
    idx = ex["example_trials"]
    conds = batch.conditions[idx]
    files["accuracy_png"] = str(plots.accuracy_vs_scale(sweep.rows, task.condition_names,
                                                        sweep.best_scale, res.rate_accuracy,
                                                        out / "accuracy_vs_scale.png"))
    files["examples_png"] = str(plots.example_trials(
        task.dt_s, conds, {"rate output": (rate_o[idx], task.dt_s),
                           f"LIF output (s={sweep.best_scale:g})": (ex["outputs"], cfg.readout_dt_s)},
        batch.targets[idx], out / "example_trials.png"))
    first = ex["raster_trial"] == idx[0]
    files["raster_png"] = str(plots.raster(ex["raster_units"][first], ex["raster_times_s"][first],
                                           rate.dale_sign, task.duration_s, out / "raster.png",
                                           title=f"trial {idx[0]} ({conds[0]}), s = {sweep.best_scale:g}"))
    files["rate_hist_png"] = str(plots.rate_histogram(ex["unit_rates_hz"], rate.dale_sign,
                                                      out / "firing_rates.png"))
    files["rate_vs_lif_png"] = str(plots.rate_vs_lif(rate_r.mean(axis=(0, 1)), ex["unit_rates_hz"],
                                                     rate.dale_sign, out / "rate_vs_lif.png"))
    best = sweep.best_row
    lines = [
        f"# rate2spike conversion report: {task.name}",
        "",
        f"- Rate model: `{rate.meta.get('source')}` ({rate.n_units} units, {rate.act}, "
        f"trained to eval loss {_fmt(rate.meta.get('final_eval_loss'))})",
        f"- **LIF accuracy {res.lif_accuracy:.1%}** at s = {res.best_scale:g} "
        f"(λ = {1 / res.best_scale:.4g}) on {cfg.trials} held-out trials (seed {cfg.seed + 1000}); "
        f"rate network on the same trials: {res.rate_accuracy:.1%}.",
        f"- Scoring: reference LIF rule, window from {task.lif_window_s} s "
        f"(rate net: rate rule, window from {task.rate_window_s} s).",
        f"- Device: `{res.device}`; compile {sweep.build_time_s:.1f} s; "
        f"total wall time {res.wall_time_s:.1f} s.",
        "- W_rec and W_out divided by s; W_in and τ_d unchanged; **b_out dropped** "
        f"(it was {float(rate.b_out.ravel()[0]):.4g}).",
        "- Best s: highest accuracy; ties go to the middle of the tied values.",
        f"- LIF: dt = {cfg.dt_s * 1e3:g} ms, voltage noise {cfg.noise_mV:g} mV × N(0, 1) per step "
        f"({'counter-based draws' if res.device in COUNTER_NOISE_DEVICES else 'the simulator’s own generator'}"
        f"), readout o(t) sampled every {cfg.readout_dt_s * 1e3:g} ms.",
    ]
    for w in res.warnings:
        lines.append(f"- **Warning:** {w}")
    lines += ["", "| s | λ | accuracy | " + " | ".join(task.condition_names) +
              " | E rate (Hz) | I rate (Hz) | spikes | sim time (s) |",
              "|---" * (7 + len(task.condition_names)) + "|"]
    for r in sweep.rows:
        mark = " **←**" if r["scale_s"] == res.best_scale else ""
        lines.append(f"| {r['scale_s']:g}{mark} | {r['lambda']:.4g} | {r['accuracy']:.2f} | " +
                     " | ".join(f"{r.get('acc_' + c, float('nan')):.2f}" for c in task.condition_names) +
                     f" | {r['rate_E_hz']:.1f} | {r['rate_I_hz']:.1f} | {r['spike_count']} | "
                     f"{r['sim_time_s']:.1f} |")
    lines += ["", "![accuracy vs s](accuracy_vs_scale.png)", "",
              "Example trials, rate and LIF output against the target:", "",
              "![examples](example_trials.png)", "", "![raster](raster.png)", "",
              "![firing rates](firing_rates.png) ![rate vs LIF](rate_vs_lif.png)", ""]
    atomic_write_text(out / "report.md", "\n".join(lines))
    files["report"] = str(out / "report.md")
    summary = {"task": task.name, "best_scale_s": res.best_scale, "best_lambda": 1 / res.best_scale,
               "lif_accuracy": res.lif_accuracy, "rate_accuracy": res.rate_accuracy,
               "device": res.device, "warnings": res.warnings, "wall_time_s": res.wall_time_s,
               "compile_time_s": sweep.build_time_s, "best_row": best, "files": files}
    atomic_write_text(out / "convert_result.json", json.dumps(summary, indent=2) + "\n")
    return files
