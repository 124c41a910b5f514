"""``rate2spike study``: many nets per setting, trained and converted on Dask (see
:mod:`rate2spike.workflows.study`)."""
from __future__ import annotations

import os

from ..config import ConvertConfig, TrainConfig, build_config
from ..errors import Rate2SpikeError
from .sweep_flags import sweep_overrides


def run_study_command(args, file_cfg: dict, progress: bool) -> int:
    """``rate2spike study``: plan the nets, check the options fit, run and report."""
    import time
    from pathlib import Path

    from ..locking import folder_lock
    from ..workflows.common import check_out_dir, default_out_dir
    from ..workflows.study import plan_jobs, run_study, write_study_report

    if args.workers is not None and args.workers < 1:
        raise Rate2SpikeError(f"--workers must be >= 1, got {args.workers}")
    if not 1 <= args.train_together <= 1000:
        raise Rate2SpikeError(f"--train-together must be a number of nets from 1 to 1000, got "
                              f"{args.train_together}")
    if args.nets_from and args.train_together > 1:
        raise Rate2SpikeError("--train-together does not apply with --nets-from, whose nets are "
                              "trained already; leave one of them out")
    train_options = dict(file_cfg.get("train") or {})
    convert_options = dict(file_cfg.get("convert") or {})
    if args.trials is not None:
        convert_options["trials"] = args.trials
    convert_options.update({k: v for k, v in sweep_overrides(args).items() if v is not None})
    if args.seed is not None:
        raise Rate2SpikeError("--seed does not apply to a study: net k is trained with seed k")
    _check_study_fits(args, train_options, convert_options)
    jobs = plan_jobs(args.task, args.act, args.nets, args.units, args.tau,
                     [r / 1000 for r in args.refractory], args.synapse)
    out = check_out_dir(Path(args.out) if args.out else default_out_dir("study", args.task))
    start = time.perf_counter()
    results = run_study(jobs, out, train_options, convert_options, args.scheduler, args.workers,
                        progress, nets_from=args.nets_from, train_together=args.train_together)
    with folder_lock(out):
        files = write_study_report(results, out, time.perf_counter() - start)
    failed = sum("error" in r for r in results)
    print(f"study of {len(results)} nets ({failed} failed): report {files['report']}")
    return 0


def _check_study_fits(args, train_options: dict, convert_options: dict) -> None:
    """Refuse a study whose plan, or whose nets running side by side, would not fit in memory."""
    from ..resources import check_memory
    from ..tasks import get_task
    from ..workflows.common import check_training_fits, check_trials_fit

    n_nets = args.nets * len(args.act) * len(args.units) * len(args.tau) * len(args.refractory) \
        * len(args.synapse)
    check_memory(4096 * n_nets, f"planning a study of {n_nets:,} nets")    # ~4 KiB per planned net
    task, units = get_task(args.task), max(args.units)
    workers = 1 if args.scheduler else (args.workers or os.cpu_count() or 1)   # remote: per worker
    tcfg = build_config(TrainConfig, train_options, {"task": args.task, "units": units})
    check_training_fits(f"study with --units {units:,} on {workers} workers", units * (units + 3),
                        max(tcfg.batch_size, tcfg.eval_trials), task.n_steps, units,
                        copies=workers * min(args.train_together, args.nets))
    ccfg = build_config(ConvertConfig, convert_options, {"task": args.task})
    check_trials_fit(task, ccfg.trials * workers, units, f"study on {workers} workers",
                     ccfg.lif.readout_dt_s)
