"""The units of work of a study: train one net and sweep its lambda, stored in its folder
(:func:`run_net`), and, before that, train several nets of a setting together
(:func:`train_nets`, with ``--train-together``).

``nets/<setting>/net_<k>/`` holds the net's full convert output (rate artifact, sweep per
scale, report) and, when done, ``result.json``; a failure writes ``error.json`` instead
(retried on resume). A net whose ``result.json`` exists is never recomputed, and a net whose
``rate_model.npz`` exists is never trained again.
"""
from __future__ import annotations

import json
import shutil
import time
import traceback
from pathlib import Path

from ...artifacts import atomic_write_text, check_trained_with
from ...config import ConvertConfig, TrainConfig, build_config
from ...converters import best_per_fit
from ...rate_models.batched_training import train_rate_models
from ...rate_models.training import TrainResult
from ...report.training_report import write_training_report
from ...simulators.brian_signals import import_brian2_off_main_thread
from ..convert import convert
from .plan import NetJob


def net_dir(study_dir, job: NetJob) -> Path:
    return Path(study_dir) / "nets" / job.key


def load_result(study_dir, job: NetJob):
    """The stored result of a finished net (or its stored failure), else None."""
    d = net_dir(study_dir, job)
    for name in ("result.json", "error.json"):
        if (d / name).is_file():
            try:
                return json.loads((d / name).read_text())
            except ValueError:
                return None
    return None


def net_configs(job: NetJob, train_options: dict, convert_options: dict):
    """The (TrainConfig, ConvertConfig) of one net: the study's options, the setting's
    overrides, seed = net index. Raises ConfigError for invalid options."""
    return (build_config(TrainConfig, train_options,
                         {**job.setting.train_overrides(), "seed": job.index}),
            build_config(ConvertConfig, convert_options,
                         {**job.setting.convert_overrides(), "seed": job.index}))


def take_rate_net(job: NetJob, nets_from, d: Path, tcfg: TrainConfig) -> None:
    """Copy net ``job``'s trained rate model from the study in ``nets_from`` into ``d`` (if
    there is one and ``d`` has none), after checking it was trained with ``tcfg``."""
    if (d / "rate_model.npz").is_file():
        return
    # any setting of that study whose nets are trained as this one's (e.g. another t_ref)
    srcs = [s / f"net_{job.index:03d}" for s in sorted(Path(nets_from, "nets").glob("*"))
            if s.name.startswith(job.setting.train_key + "_ref")
            and (s / f"net_{job.index:03d}" / "rate_model.npz").is_file()]
    if not srcs:
        return
    src = srcs[0]
    check_trained_with(src / "rate_model.npz", tcfg)   # options added since count as defaults
    d.mkdir(parents=True, exist_ok=True)
    for name in ("rate_model.npz", "rate_model.json"):
        shutil.copy2(src / name, d / f".{name}.part")
    for name in ("rate_model.json", "rate_model.npz"):   # the .npz last: it marks the copy done
        (d / f".{name}.part").replace(d / name)


def run_net(job: NetJob, study_dir: str, train_options: dict, convert_options: dict,
            nets_from: str | None = None) -> dict:
    """Train and sweep one net (or return its stored result). Never raises for a failing net:
    the error is returned and stored in ``error.json``. ``nets_from``: another study's folder
    whose trained rate nets (same setting and index, same training options) are converted
    here instead of training them again."""
    d = net_dir(study_dir, job)
    if (d / "result.json").is_file():
        return json.loads((d / "result.json").read_text())
    import_brian2_off_main_thread()
    start = time.perf_counter()
    base = {"net": job.key, "setting": job.setting.key, "index": job.index}
    try:
        tcfg, ccfg = net_configs(job, train_options, convert_options)
        if nets_from:
            take_rate_net(job, nets_from, d, tcfg)
        res = convert(ccfg.task, None, d, ccfg, tcfg, resume=True, progress=False)
        meta = json.loads((d / "rate_model.json").read_text())
        result = {**base, "trained": bool(meta.get("converged")),
                  "final_eval_loss": meta.get("final_eval_loss"),
                  "rate_accuracy": res.rate_accuracy, "lif_accuracy": res.lif_accuracy,
                  "best_scale_s": res.best_s,
                  "accuracy_by_scale": {f"{r.s:g}": r.accuracy for r in res.results},
                  "readout_fit": ccfg.readout_fit,
                  "readout_fits": best_per_fit(res.results, ccfg.tie_rule),
                  "wall_time_s": time.perf_counter() - start}
        (d / "error.json").unlink(missing_ok=True)
        atomic_write_text(d / "result.json", json.dumps(result, indent=2) + "\n")
    except Exception as exc:  # one failing net is reported, never fatal to the study
        result = {**base, "error": f"{type(exc).__name__}: {exc}",
                  "traceback": traceback.format_exc(), "wall_time_s": time.perf_counter() - start}
        d.mkdir(parents=True, exist_ok=True)
        atomic_write_text(d / "error.json", json.dumps(result, indent=2) + "\n")
    return result


def train_nets(jobs: list, study_dir: str, train_options: dict, convert_options: dict) -> dict:
    """Train the rate nets of ``jobs`` (nets of one setting) together in one batched model
    (:func:`~rate2spike.rate_models.batched_training.train_rate_models`) and save each in its
    folder as :func:`run_net` would have. Returns ``{net key: "trained"}``, or the error of a
    net that failed; such a net is left untrained, and its :func:`run_net` trains it alone
    (and reports the failure)."""
    cfgs = [net_configs(job, train_options, convert_options)[0] for job in jobs]
    out = {}

    def save(i: int, outcome) -> None:         # each net as soon as it stops: nothing waits
        job = jobs[i]
        if isinstance(outcome, TrainResult):
            d = net_dir(study_dir, job)
            d.mkdir(parents=True, exist_ok=True)
            write_training_report(outcome, d)
            out[job.key] = "trained"
        else:
            out[job.key] = f"{type(outcome).__name__}: {outcome}"

    train_rate_models(cfgs, progress=False, on_finish=save)
    return out
