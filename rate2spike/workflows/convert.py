"""``convert``: rate net -> LIF net, the search for s, and the report.

Data path: task -> rate model -> converter -> simulator -> report.
"""
from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path

from ..artifacts import check_trained_with
from ..config import ConvertConfig, TrainConfig, build_config, flat_dict
from ..converters import AdaptiveOptions, CalibrationTrials, adaptive_search, default_scales, sweep_scales
from ..converters import convert as convert_network
from ..errors import Rate2SpikeError
from ..lif_models.readout import CalibratedReadout
from ..locking import folder_lock
from ..rate_models.network import RateNetwork
from ..rate_models.training import train_rate_model
from ..report.convert_report import write_convert_report
from ..report.training_report import write_training_report
from ..results import ConvertResult
from ..seeds import STREAMS, stream_seed
from ..tasks import get_task
from .common import check_out_dir, check_trials_fit, default_out_dir, load_rate

#: trial seed offset of the sweep's held-out trials (stream ``sweep_trials``)
SWEEP_TRIAL_OFFSET = STREAMS["sweep_trials"]


def _rate_net(out: Path, resume: bool, tcfg: TrainConfig, progress) -> tuple:
    """The rate net to convert when no model file is given: the one a resumed run trained
    before, else a new one trained with ``tcfg`` (saved in ``out``)."""
    existing = out / "rate_model.npz"
    if resume and existing.is_file():
        check_trained_with(existing, tcfg)     # a resumed run never converts a net of other options
        net = RateNetwork.load(existing)
        files = {}
    else:
        files = write_training_report(train_rate_model(tcfg, progress=progress), out)
        net = RateNetwork.load(existing)
    net.meta.setdefault("source", str(existing))
    return net, files


def fitted_readout(sweep, cfg: ConvertConfig) -> CalibratedReadout | None:
    """The readout calibrated at the sweep's best s (None without calibration)."""
    if cfg.readout_fit == "none":
        return None
    ex, fit = sweep.examples[sweep.best_s], sweep.best.fits[cfg.readout_fit]
    info = {k: fit[k] for k in ("gain", "ridge") if k in fit}
    return CalibratedReadout(cfg.readout_fit, ex.readout_weights_s, float(ex.readout_offset[0]),
                             {**info, "s": sweep.best_s, "calibration_trials": cfg.calibration_trials,
                              "calibration_seed": stream_seed("calibration_trials", cfg.seed),
                              "held_out_output_mse": fit["output_mse"]})


def convert(task: str = "gonogo", model=None, out=None, config: ConvertConfig | None = None,
            train_config: TrainConfig | None = None, resume: bool = False, progress: bool = True,
            **overrides) -> ConvertResult:
    """Convert a rate RNN into a Brian2 LIF network, search s = 1/lambda, write the report.

    model : a rate artifact (``.npz``); if None, a rate net is trained first with
        ``train_config`` (default :class:`~rate2spike.config.TrainConfig` for the task) and
        saved in ``out``.
    out : output folder (default ``runs/TASK-convert-TIMESTAMP``); resume : continue the sweep
        stored there. Options are :class:`~rate2spike.config.ConvertConfig` fields (``config``
        and/or keyword ``overrides``, LIF constants flat, e.g. ``noise_mV=0.2``). All inputs are
        validated before anything is written. Returns a :class:`~rate2spike.results.ConvertResult`.

    Example
    -------
    >>> res = rate2spike.convert("gonogo", model="tests/data/gonogo_n200.npz",
    ...                          out="runs/gng-lif", trials=50)                  # doctest: +SKIP
    >>> res.best_s, res.lif_accuracy, res.files["report"]                         # doctest: +SKIP
    """
    start = time.perf_counter()
    cfg = build_config(ConvertConfig, flat_dict(config) if config else {},
                       {"task": task, **overrides})
    task_obj = get_task(cfg.task)
    rate = load_rate(model, task_obj) if model is not None else None
    if resume and out is None:
        raise Rate2SpikeError("--resume needs the --out folder of the sweep to continue")
    out = check_out_dir(out if out else default_out_dir("convert", cfg.task))
    if (out / "sweep" / "manifest.json").is_file() and not resume:
        raise Rate2SpikeError(f"{out} already holds a sweep; pass --resume to continue it, "
                              f"or choose another --out")
    tcfg = None if rate is not None else build_config(
        TrainConfig, asdict(train_config) if train_config else {},
        {"task": cfg.task, "seed": cfg.seed})
    n_units = rate.n_units if rate is not None else tcfg.units
    check_trials_fit(task_obj, cfg.trials, n_units, "convert", cfg.lif.readout_dt_s)
    with folder_lock(out):
        files = {}
        if rate is None:
            rate, files = _rate_net(out, resume, tcfg, progress)
        scales = list(cfg.scales) or default_scales(rate.act)
        batch = task_obj.generate(cfg.trials, stream_seed("sweep_trials", cfg.seed))
        network = convert_network(rate, scales[0], cfg.lif)
        calibration = (CalibrationTrials.make(task_obj, cfg.calibration_trials, cfg.seed,
                                              cfg.readout_fit)
                       if cfg.readout_fit != "none" else None)
        if cfg.search == "adaptive":
            sweep = adaptive_search(network, task_obj, scales, batch.inputs.shape[2], batch.dt_s,
                                    cfg.sweep_options(),
                                    AdaptiveOptions(trials=cfg.adaptive_trials,
                                                    max_trials=cfg.adaptive_max_trials),
                                    cfg.tie_rule, progress)
        else:
            sweep = sweep_scales(network, task_obj, batch, scales, cfg.sweep_options(),
                                 work_dir=out / "sweep", resume=resume, progress=progress,
                                 tie_rule=cfg.tie_rule, calibration=calibration,
                                 trial_sampling=cfg.trial_sampling)
        rate_o, rate_r = rate.run(batch.inputs, cfg.seed)
        rate_accuracy = float(task_obj.score(rate_o, batch.labels, task_obj.dt_s, "rate").mean())
        lif = network.at_scale(sweep.best_s)
        lif.readout = fitted_readout(sweep, cfg)
        lif.meta.update(task=cfg.task, lif_accuracy=sweep.best.accuracy,
                        rate_accuracy=rate_accuracy, trials=cfg.trials, seed=cfg.seed)
        files["lif_network"] = str(lif.save(out / "lif_network"))
        result = ConvertResult(out, cfg.task, sweep.best_s, sweep.best.accuracy, rate_accuracy,
                               sweep.results, lif, sweep.device, cfg.trials, cfg.seed,
                               sweep.warnings, time.perf_counter() - start, sweep.build_time_s,
                               files)
        if sweep.batches:   # the report's examples: the best s's own trials
            batch = sweep.batches[sweep.best_s]
            rate_o, rate_r = rate.run(batch.inputs, cfg.seed)
        files.update(write_convert_report(result, task_obj, batch, sweep, rate_o, rate_r))
        return result
