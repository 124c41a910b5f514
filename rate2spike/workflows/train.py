"""``train``, ``train_src`` and ``train_alif_task``: train a net, write its artifact and plots."""
from __future__ import annotations

from dataclasses import asdict

from ..classifiers.kim_tasks import ALIFTaskConfig, ALIFTaskRecord
from ..config import SRCTrainConfig, TrainConfig, build_config
from ..families import alif as alif_family
from ..families import src as src_family
from ..locking import folder_lock
from ..rate_models.training import TrainResult, train_rate_model
from ..report.training_report import write_training_report
from ..src_models.training import SRCTrainResult
from ..tasks import get_task
from .common import check_out_dir, check_training_fits, default_out_dir


def train(task: str = "gonogo", out=None, config: TrainConfig | None = None,
          progress: bool = True, **overrides) -> tuple[TrainResult, dict]:
    """Train a rate RNN (Kim et al. 2019) on ``task`` and write it with its plots to ``out``.

    Options are :class:`~rate2spike.config.TrainConfig` fields, from ``config`` and/or keyword
    ``overrides``. Returns the training result and a dict of written paths (``model``: the
    ``rate_model.npz`` to give to :func:`~rate2spike.convert`).

    Example
    -------
    >>> result, files = rate2spike.train("gonogo", out="runs/gng", units=100)   # doctest: +SKIP
    """
    cfg = build_config(TrainConfig, asdict(config) if config else {}, {"task": task, **overrides})
    task_obj = get_task(cfg.task)
    check_training_fits(f"train with units {cfg.units:,}, batch_size {cfg.batch_size:,} and "
                        f"eval_trials {cfg.eval_trials:,}", cfg.units * (cfg.units + task_obj.n_inputs + 2),
                        max(cfg.batch_size, cfg.eval_trials), task_obj.n_steps, cfg.units)
    out = check_out_dir(out if out else default_out_dir("train", cfg.task))
    result = train_rate_model(cfg, progress=progress)
    with folder_lock(out):
        return result, write_training_report(result, out)


def train_src(task: str = "gonogo", out=None, config: SRCTrainConfig | None = None,
              progress: bool = True, **overrides) -> tuple[SRCTrainResult, dict]:
    """Train a Spiking Recurrent Cell net (De Geeter et al. 2023) directly on ``task`` and write
    it with its plots to ``out``. Options are :class:`~rate2spike.config.SRCTrainConfig`
    fields. Returns the training result and a dict of written paths.

    Example
    -------
    >>> result, files = rate2spike.train_src("gonogo", out="runs/src", sizes=[50])   # doctest: +SKIP
    """
    cfg = build_config(SRCTrainConfig, asdict(config) if config else {}, {"task": task, **overrides})
    out = check_out_dir(out if out else default_out_dir("train-src", cfg.task))
    return src_family.train_and_write(cfg, out, progress)


def train_alif_task(config: ALIFTaskConfig, out=None, progress: bool = True
                    ) -> tuple[ALIFTaskRecord, dict]:
    """Train an adaptive LIF SRNN (Yin et al. 2020) directly on ``config.task`` and write it with
    its plots and ``result.json`` to ``out``.

    Example
    -------
    >>> from rate2spike.classifiers.kim_tasks import ALIFTaskConfig
    >>> result, files = train_alif_task(ALIFTaskConfig("gonogo"), out="runs/alif")   # doctest: +SKIP
    """
    config.validate()
    out = check_out_dir(out if out else default_out_dir("train-alif", config.task))
    return alif_family.train_and_write(config, out, progress)
