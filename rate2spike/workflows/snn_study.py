"""``snn_study``: a grid of directly trained classifiers (cells x encodings x depths x seeds) on
one dataset, run on Dask like the conversion studies, summarised as a table shaped like
De Geeter et al.'s Table 1 and a depth figure.

Every run has its own folder ``OUT/CELL-ENCODING-LLAYERS-sSEED`` (a complete ``train-snn`` run:
model, report, result.json, checkpoint); finished runs are skipped and unfinished ones continue
from their last epoch, so a study can be stopped and started again, or extended with more
depths, cells or seeds.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from ..classifiers import ClassifierConfig
from ..classifiers.training import check_sample_limits
from ..config import build_config
from ..datasets import load_dataset
from ..errors import Rate2SpikeError
from ..locking import folder_lock
from ..report.snn_study_report import write_snn_study_report
from .common import check_out_dir, default_out_dir
from .study.engine import check_manifest, dask_map


@dataclass(frozen=True)
class SNNJob:
    """One classifier of the grid."""

    cell: str
    encoding: str
    layers: int
    seed: int

    @property
    def key(self) -> str:
        return f"{self.cell}-{self.encoding}-L{self.layers}-s{self.seed}"


def plan_snn_jobs(cells, encodings, layers, seeds: int) -> list:
    """Every combination, deepest last (so shallow rows fill in first). The rate cell has one
    layer whatever the depths: it runs once per encoding and seed, in the shallowest row."""
    depths = sorted(set(int(k) for k in layers))
    return [SNNJob(c, e, 1 if c == "rate" else k, s) for k in depths for c in cells
            if c != "rate" or k == depths[0] for e in encodings for s in range(seeds)]


def run_snn_job(job: SNNJob, study_dir: str, options: dict) -> dict:
    """Train and score one classifier in ``study_dir/job.key`` (a worker's unit of work);
    returns its summary (stored there as result.json, which later calls read back)."""
    import torch

    from ..simulators.brian_signals import import_brian2_off_main_thread
    from .train_snn import train_snn

    torch.set_num_threads(1)     # the workers already use every core
    import_brian2_off_main_thread()   # the Brian2 parity check runs in a Dask worker thread
    folder = Path(study_dir) / job.key
    if (folder / "result.json").is_file():
        return json.loads((folder / "result.json").read_text())
    cfg = build_config(ClassifierConfig, options, {"cell": job.cell, "encoding": job.encoding,
                                                   "layers": job.layers, "seed": job.seed})
    _, summary, _ = train_snn(cfg.cell, cfg.dataset, folder, cfg, progress=False)
    return summary


def snn_study(cells=("src", "lif"), encodings=("rate",), layers=(1, 2, 3), seeds: int = 1,
              out=None, scheduler=None, workers: int | None = None, progress: bool = True,
              **options):
    """Train the grid and write ``table.md``, ``depth.png`` and ``study.json`` to ``out``.

    ``options`` are :class:`~rate2spike.classifiers.ClassifierConfig` fields shared by every run
    (dataset, epochs, hidden, steps, ...). Bad options and a missing dataset fail before any
    work starts. Returns (results: one summary dict per run, written paths).

    Example
    -------
    >>> results, files = rate2spike.snn_study(cells=["src", "lif"], encodings=["rate"],
    ...                                       layers=[1, 2, 3], epochs=5, out="runs/depth")  # doctest: +SKIP
    """
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise Rate2SpikeError(f"--seeds must be a whole number >= 1, got {seeds!r}")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise Rate2SpikeError(f"--workers must be a whole number >= 1, got {workers!r}")
    jobs = plan_snn_jobs(cells, encodings, layers, seeds)
    if not jobs:
        raise Rate2SpikeError("the study grid is empty: give at least one cell, encoding and depth")
    # every grid point's options are valid before anything runs; the shared ones are any point's
    base = [build_config(ClassifierConfig, options, {"cell": job.cell, "encoding": job.encoding,
                                                     "layers": job.layers, "seed": job.seed})
            for job in jobs][0]
    # a missing file or a limit larger than a split fails now, not in every worker
    train_set, test_set = (load_dataset(base.dataset, split, base.data_root)
                           for split in ("train", "test"))
    check_sample_limits(base, train_set, test_set)
    grid = ("cell", "encoding", "layers", "seed")   # the manifest: every shared option, spelled out
    shared = {k: v for k, v in asdict(base).items() if k not in grid}
    out = check_out_dir(out if out else default_out_dir("snn-study", base.dataset))
    with folder_lock(out):
        check_manifest(out, shared, defaults={k: v for k, v in asdict(ClassifierConfig()).items()
                                              if k not in grid})
        calls = {j.key: ((j, str(out), options), {}) for j in jobs
                 if not (out / j.key / "result.json").is_file()}
        done = dask_map(run_snn_job, calls, scheduler, workers, progress,
                        f"classifier study ({len(jobs)} runs, {len(calls)} to run)", "run")
        results = []
        for j in jobs:
            path = out / j.key / "result.json"
            r = json.loads(path.read_text()) if path.is_file() else done.get(j.key, {})
            results.append({**asdict(j), **r, "key": j.key})
        files = write_snn_study_report(results, base.dataset, out)
    return results, files
