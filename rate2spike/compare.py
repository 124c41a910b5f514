"""``rate2spike compare``: rate net vs converted LIF net vs directly trained SRC net.

Each net is trained (or loaded), then evaluated on the same seeded trials, held out from
training and from the lambda search: the rate net in torch, the LIF net in Brian2 at its
chosen scale, the SRC net in torch and in Brian2. Scoring: the task's rules (rate rule for
the rate and SRC nets, LIF rule for the LIF net, as in the conversion report). The report
gives accuracy (overall and per condition), activity, the energy estimate of
:mod:`rate2spike.report.energy` and simulation wall time per trial on each simulator.
"""
from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from .api import (_check_model_task, _constants, _rate_forward, convert, default_out_dir, train,
                  train_src)
from .artifacts import atomic_write_text
from .config import ConvertConfig, SRCTrainConfig, TrainConfig, build_config
from .converters import RateNetwork, lambda_sweep
from .errors import Rate2SpikeError
from .report import energy, plots
from .src_models.cell import SRCNet
from .src_models.network import SRCNetwork, task_inputs_to_steps
from .src_models.training import score_src
from .tasks import first_trial_per_condition, get_task, per_condition_accuracy

#: trial seed offset of the comparison trials (the lambda sweep uses seed + 1000)
COMPARE_TRIAL_OFFSET = 5000


@dataclass
class CompareResult:
    """Summary rows per net (``nets``: name -> dict) and the files written."""

    out_dir: Path
    task: str
    trials: int
    nets: dict
    files: dict = field(default_factory=dict)
    wall_time_s: float = 0.0


def _timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def _load_src(path, task) -> SRCNetwork:
    net = SRCNetwork.load(path)
    _check_model_task(net.task, net.n_inputs, task, path, "SRC model")
    return net


def compare(task: str = "gonogo", out=None, rate_model=None, scale: float | None = None,
            src_model=None, trials: int = 500, seed: int = 0, device: str = "cpp_standalone",
            src_device: str = "cpp_standalone", train_config: TrainConfig | None = None,
            convert_config: ConvertConfig | None = None, src_config: SRCTrainConfig | None = None,
            progress: bool = True) -> CompareResult:
    """Train or load the three nets, evaluate them on ``trials`` shared trials, write
    ``compare.md``, ``compare.json`` and plots to ``out``.

    rate_model : rate artifact (.npz), or None to train one (``train_config``).
    scale : s = 1/lambda of the LIF net, or None to run the lambda search (``convert_config``).
    src_model : SRC artifact (.npz), or None to train one (``src_config``).
    device / src_device : Brian2 devices of the LIF and SRC simulations.
    """
    start = time.perf_counter()
    task_obj = get_task(task)
    if int(trials) < 1:
        raise Rate2SpikeError(f"--trials must be >= 1, got {trials}")
    if scale is not None and not scale > 0:
        raise Rate2SpikeError(f"--scale must be > 0 (s = 1/lambda), got {scale}")
    ccfg = build_config(ConvertConfig, asdict(convert_config) if convert_config else {},
                        {"task": task, "seed": seed, "device": device})
    tcfg = build_config(TrainConfig, asdict(train_config) if train_config else {},
                        {"task": task, "seed": seed})
    scfg = build_config(SRCTrainConfig, asdict(src_config) if src_config else {},
                        {"task": task, "seed": seed})
    from .brian_models.src import BRIAN_SRC_DEVICES
    if src_device not in BRIAN_SRC_DEVICES:
        raise Rate2SpikeError(f"unknown --src-device {src_device!r}; valid: "
                              f"{', '.join(BRIAN_SRC_DEVICES)}")
    rate = RateNetwork.load(rate_model) if rate_model else None
    if rate is not None:
        _check_model_task(rate.task, rate.W_in.shape[1], task_obj, rate_model)
    src = _load_src(src_model, task_obj) if src_model else None
    out = Path(out) if out else default_out_dir("compare", task)
    if out.exists() and not out.is_dir():
        raise Rate2SpikeError(f"--out {out} exists and is not a folder")
    files = {}
    # 1. the three nets
    if scale is None:   # the lambda search (training the rate net first if none was given)
        conv = convert(task, rate_model, out / "convert", ccfg, tcfg, progress=progress,
                       resume=(out / "convert" / "sweep" / "manifest.json").is_file())
        rate = RateNetwork.load(rate_model or out / "convert" / "rate_model.npz")
        scale = conv.best_scale
        files["convert_report"] = conv.files["report"]
    elif rate is None:  # a scale is given: train the rate net only
        _, rate_files = train(task, out / "rate", tcfg, progress=progress)
        rate = RateNetwork.load(rate_files["model"])
    if src is None:
        src_out = out / "src"
        if (src_out / "src_model.npz").is_file():
            src = SRCNetwork.load(src_out / "src_model.npz")
        else:
            _, src_files = train_src(task, src_out, scfg, progress=progress)
            src = SRCNetwork.load(src_files["model"])
    # 2. shared trials
    batch = task_obj.generate(trials, seed + COMPARE_TRIAL_OFFSET)
    names = task_obj.condition_names
    T = batch.inputs.shape[2]
    nets = {}
    (rate_o, rate_r), t_rate = _timed(lambda: _rate_forward(rate, batch, seed))
    ok = task_obj.score(rate_o, batch.labels, task_obj.dt_s, window="rate")
    nets["rate"] = {"label": f"rate RNN ({rate.n_units} units, {rate.act})", "simulator": "torch",
                    "accuracy": float(ok.mean()), "per_condition": per_condition_accuracy(ok, batch.conditions, names),
                    "time_per_trial_s": {"torch": t_rate / trials},
                    "energy": energy.rate_energy(rate.W_in, rate.W_rec, rate.W_out, T),
                    "activity": {"mean r": float(rate_r.mean())}}
    sweep = lambda_sweep(rate, task_obj, batch, [scale], _constants(ccfg), ccfg.device, seed,
                         progress=progress, processes=ccfg.processes or None,
                         threads=ccfg.threads or None)
    row, ex = sweep.best_row, sweep.examples[scale]
    spikes = ex["unit_rates_hz"] * task_obj.duration_s
    nets["lif"] = {"label": f"converted LIF (s = {scale:g}, λ = {1 / scale:.4g})",
                   "simulator": f"Brian2 {sweep.device}", "accuracy": row["accuracy"],
                   "per_condition": {c: row[f"acc_{c}"] for c in names if f"acc_{c}" in row},
                   "time_per_trial_s": {f"Brian2 {sweep.device}": row["sim_time_s"] / trials},
                   "compile_s": sweep.build_time_s,
                   "energy": energy.lif_energy(rate.W_in, rate.W_rec, rate.W_out, spikes, T),
                   "activity": {"Hz": float(ex["unit_rates_hz"].mean()),
                                "E Hz": row["rate_E_hz"], "I Hz": row["rate_I_hz"]}}
    nets["src"], src_outputs = _evaluate_src(src, task_obj, batch, src_device)
    # 3. report
    examples = {
        "rate": rate_o, "lif": (ex["outputs"], ccfg.readout_dt_s, ex["example_trials"]),
        "src": src_outputs,
    }
    res = CompareResult(out, task, trials, nets, files, time.perf_counter() - start)
    res.files.update(write_compare_report(res, task_obj, batch, examples, src))
    return res


def _evaluate_src(src: SRCNetwork, task, batch, device: str):
    """SRC net in torch (float64) and in Brian2 on ``batch``; returns (summary, torch outputs)."""
    from .brian_models.src import simulate_src_brian

    step = src.constants.step_s
    u = task_inputs_to_steps(batch.inputs, task.dt_s, step)
    model = SRCNet.from_network(src, torch.float64)
    with torch.no_grad():
        out_t, t_torch = _timed(lambda: model(u))
    o_t = out_t.outputs.numpy()
    b = simulate_src_brian(src, u, device=device)
    ok_t = score_src(task, o_t, batch, src.readout, step)
    ok_b = score_src(task, b.outputs, batch, src.readout, step)
    n_steps = u.shape[2]
    active = [a.numpy().mean(axis=0) for a in out_t.active_steps]
    summary = {
        "label": f"SRC {'+'.join(map(str, src.sizes))} "
                 f"({'recurrent' if any(l.recurrent for l in src.layers) else 'feedforward'}, "
                 f"{src.readout} readout, {step * 1e3:g} ms steps)",
        "simulator": "torch + Brian2", "accuracy": float(ok_t.mean()),
        "accuracy_brian2": float(ok_b.mean()),
        "verdicts_agree": float((ok_t == ok_b).mean()),
        "max_output_difference": float(np.abs(o_t - b.outputs).max()),
        "per_condition": per_condition_accuracy(ok_t, batch.conditions, task.condition_names),
        "per_condition_brian2": per_condition_accuracy(ok_b, batch.conditions, task.condition_names),
        "time_per_trial_s": {"torch": t_torch / len(batch),
                             f"Brian2 {device}": b.sim_time_s / len(batch)},
        "compile_s": b.build_time_s,
        "energy": energy.src_energy(src, active, batch.inputs.shape[2]),
        "activity": {f"T(s) L{l}": float(a.mean()) / n_steps for l, a in enumerate(active)},
    }
    return summary, o_t


def write_compare_report(res: CompareResult, task, batch, examples: dict, src: SRCNetwork) -> dict:
    out = res.out_dir
    out.mkdir(parents=True, exist_ok=True)
    idx = first_trial_per_condition(batch.conditions)
    lif_o, lif_dt, lif_idx = examples["lif"]
    # the LIF sweep keeps the first trial of each condition: the same trials as idx
    lif_rows = [int(np.flatnonzero(np.asarray(lif_idx) == i)[0]) for i in idx]
    step = src.constants.step_s
    files = {
        "examples_png": str(plots.example_trials(task.dt_s, batch.conditions[idx], {
            "rate": (examples["rate"][idx], task.dt_s),
            "LIF": (lif_o[lif_rows], lif_dt),
            "SRC": (examples["src"][idx, 0], step)}, batch.targets[idx], out / "compare_examples.png")),
        "summary_png": str(plots.comparison_summary(res.nets, task.condition_names,
                                                    out / "compare_summary.png")),
    }
    n = res.nets
    lines = [f"# rate2spike comparison: {task.name}", "",
             f"{res.trials} shared trials (seed offset {COMPARE_TRIAL_OFFSET}, held out from training "
             f"and from the λ search). Total wall time {res.wall_time_s:.1f} s.", "",
             "| net | simulator | accuracy | " + " | ".join(task.condition_names) +
             " | activity | energy / trial | sim time / trial |",
             "|---" * (6 + len(task.condition_names)) + "|"]
    for key, r in n.items():
        act = "; ".join(f"{k} {v:.3g}" for k, v in r["activity"].items())
        times = "; ".join(f"{k} {v * 1e3:.3g} ms" for k, v in r["time_per_trial_s"].items())
        lines.append(f"| {r['label']} | {r['simulator']} | {r['accuracy']:.1%} | " +
                     " | ".join(f"{r['per_condition'].get(c, float('nan')):.1%}"
                                for c in task.condition_names) +
                     f" | {act} | {r['energy']['energy_J'] * 1e9:.3g} nJ | {times} |")
    s = n["src"]
    lines += ["", f"- SRC in Brian2: accuracy {s['accuracy_brian2']:.1%} (torch {s['accuracy']:.1%}); "
              f"the two verdicts agree on {s['verdicts_agree']:.1%} of trials; largest output "
              f"difference {s['max_output_difference']:.2g}.",
              f"- Scoring: rate and SRC nets by the rate rule (window from {task.rate_window_s} s), "
              f"LIF by the LIF rule (window from {task.lif_window_s} s).",
              f"- Compile times (not in sim time): LIF {n['lif']['compile_s']:.1f} s, "
              f"SRC {s['compile_s']:.1f} s.", "",
              "Energy per trial (E_MAC = 3.2 pJ, E_AC = 0.1 pJ; nnz = nonzero weights, T_task = "
              f"{task.n_steps} steps of {task.dt_s * 1e3:g} ms):", ""]
    for key in ("rate", "lif", "src"):
        e = n[key]["energy"]
        lines.append(f"- {key}: {energy.FORMULAS[key]} = {e['MAC']:.3g} MAC + {e['AC']:.3g} AC "
                     f"= {e['energy_J'] * 1e9:.3g} nJ")
    lines += ["", "![summary](compare_summary.png)", "", "![examples](compare_examples.png)", ""]
    atomic_write_text(out / "compare.md", "\n".join(lines))
    files["report"] = str(out / "compare.md")
    atomic_write_text(out / "compare.json", json.dumps(
        {"task": task.name, "trials": res.trials, "wall_time_s": res.wall_time_s,
         "nets": n, "energy_formulas": energy.FORMULAS, "files": {**res.files, **files}},
        indent=2) + "\n")
    files["json"] = str(out / "compare.json")
    return files
