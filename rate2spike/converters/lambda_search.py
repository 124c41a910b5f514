"""Grid search of the scale s = 1/lambda for a converted LIF network.

Every scale is simulated on the same seeded trials, the same initial voltages and the
same Brian2 noise seed (common random numbers), with one compiled program re-run per
scale. Finished scales are written to ``work_dir`` at once (one JSON + one NPZ per scale,
atomically), so an interrupted sweep resumes with nothing recomputed or lost.

Best scale: the highest accuracy; ties go to the tied s closest to the median of the tied
values (the middle of the plateau; the smaller s when two are equally close).
"""
from __future__ import annotations

import hashlib
import io
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from ..artifacts import atomic_write_bytes, atomic_write_text
from ..brian_models import LIFBatchModel, LIFConstants, LIFRunner, initial_voltages
from ..brian_models.devices import concurrent_runs
from ..errors import Rate2SpikeError
from ..tasks import Task, TrialBatch, first_trial_per_condition, per_condition_accuracy
from .lif_network import RateNetwork


@dataclass
class SweepResult:
    """Rows (one dict per scale, sorted by s), the chosen scale, and example data per scale.

    examples[s]: dict with ``outputs`` (k, steps) LIF output of the example trials,
    ``example_trials`` (k,) their indices in the batch, ``raster_units``/``raster_times_s``/
    ``raster_trial`` the spikes of those trials, ``unit_rates_hz`` (N,) mean rate per unit.
    """

    rows: list
    best_scale: float
    examples: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    device: str = ""
    build_time_s: float = 0.0

    @property
    def best_row(self) -> dict:
        return next(r for r in self.rows if r["scale_s"] == self.best_scale)


def choose_best_scale(rows: list) -> float:
    """Highest accuracy; ties -> s closest to the median of the tied s (smaller if equal)."""
    if not rows:
        raise Rate2SpikeError("no sweep results to choose from")
    top = max(r["accuracy"] for r in rows)
    tied = sorted(r["scale_s"] for r in rows if r["accuracy"] == top)
    med = float(np.median(tied))
    return min(tied, key=lambda s: (abs(s - med), s))


def sweep_fingerprint(rate: RateNetwork, batch: TrialBatch, constants: LIFConstants, seed: int) -> str:
    """Hash of everything a resumed sweep must share with the original (not the scales)."""
    h = hashlib.sha256()
    for arr in (*rate.arrays().values(), batch.inputs, batch.labels):
        h.update(np.ascontiguousarray(arr).tobytes())
    h.update(json.dumps([asdict(constants), int(seed)], sort_keys=True).encode())
    return h.hexdigest()[:16]


def _scale_stem(work_dir: Path, s: float) -> Path:
    return work_dir / f"scale_{s:g}"


def _save_scale(work_dir: Path, row: dict, example: dict) -> None:
    stem = _scale_stem(work_dir, row["scale_s"])
    buf = io.BytesIO()
    np.savez_compressed(buf, **example)
    atomic_write_bytes(stem.with_suffix(".npz"), buf.getvalue())
    atomic_write_text(stem.with_suffix(".json"), json.dumps(row, indent=2) + "\n")  # last: marks done


def _load_scale(work_dir: Path, s: float):
    stem = _scale_stem(work_dir, s)
    if not (stem.with_suffix(".json").is_file() and stem.with_suffix(".npz").is_file()):
        return None
    try:
        row = json.loads(stem.with_suffix(".json").read_text())
        with np.load(stem.with_suffix(".npz")) as d:
            example = {k: d[k] for k in d.files}
        return row, example
    except Exception:  # a half-written scale is recomputed
        return None


def prepare_work_dir(work_dir: Path, fingerprint: str, resume: bool) -> None:
    """Create or check the sweep folder; refuse to mix or overwrite sweeps."""
    manifest = work_dir / "manifest.json"
    if manifest.is_file():
        old = json.loads(manifest.read_text()).get("fingerprint")
        if not resume:
            raise Rate2SpikeError(f"{work_dir} already holds a sweep; pass --resume to continue it, "
                                  f"or choose another --out")
        if old != fingerprint:
            raise Rate2SpikeError(f"cannot resume the sweep in {work_dir}: it was run with a different "
                                  f"model, trials, seed or LIF constants (fingerprint {old} != "
                                  f"{fingerprint})")
        return
    work_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(manifest, json.dumps({"fingerprint": fingerprint}) + "\n")


#: largest default number of network copies (trial x scale pairs) per compiled run. Bigger
#: runs amortise the per-run cost (process start, synapse creation, result files, ~0.25 s);
#: smaller ones keep each process's state and synapses in cache. Measured on the default
#: Go/NoGo sweep (1,200 copies of N = 200, 2 processes): 100 -> 31.0 s, 200 -> 30.0 s,
#: 300 -> 31.7 s in total.
DEFAULT_COPIES_PER_RUN = 200


def plan_runs(scales, n_trials: int, copies_per_run: int = 0, parallel: int = 1):
    """Split every (scale, trial) pair into runs of one fixed size (the compiled batch).

    With ``copies_per_run = 0`` the size is chosen so that the number of runs is a multiple
    of ``parallel`` (runs done concurrently) and no run exceeds
    :data:`DEFAULT_COPIES_PER_RUN` copies. Returns (runs, copies): ``runs`` is a list of
    lists of (scale, trial_index) pairs, scale by scale in order, and ``copies`` the batch
    size (the last run is padded to it).
    """
    pairs = [(s, t) for s in scales for t in range(n_trials)]
    if not pairs:
        return [], 0
    if copies_per_run > 0:
        copies = min(copies_per_run, len(pairs))
    else:
        parallel = max(1, int(parallel))
        n_runs = parallel * -(-len(pairs) // (parallel * DEFAULT_COPIES_PER_RUN))
        copies = -(-len(pairs) // n_runs)
    return [pairs[a:a + copies] for a in range(0, len(pairs), copies)], copies


def simulate_copies(runner: LIFRunner, batch: TrialBatch, runs, seed: int, trial_ids) -> list:
    """Simulate ``runs`` (each a list of (scale, trial index into batch) pairs, padded to the
    runner's batch size) together, concurrently where the device allows. Initial voltages
    and noise of a trial depend only on its id ``trial_ids[index]`` and ``seed``, so results
    do not depend on how pairs are batched. Returns one LIFSimulation per run."""
    n_copies = runner.model.n_copies
    batches = []
    for pairs in runs:
        pairs = list(pairs) + [pairs[-1]] * (n_copies - len(pairs))
        idx = np.array([t for _, t in pairs])
        ids = np.asarray(trial_ids)[idx]
        batches.append((batch.inputs[idx], np.array([1.0 / s for s, _ in pairs]),
                        initial_voltages(ids, runner.model.N, runner.model.c, seed), ids))
    return runner.run_many(batches)


def _scale_row(task: Task, batch: TrialBatch, s: float, outputs, counts, sim_time: float,
               constants: LIFConstants, exc_unit: np.ndarray, device: str) -> dict:
    correct = task.score(outputs, batch.labels, constants.readout_dt_s, window="lif")
    rates = counts / (batch.inputs.shape[2] * batch.dt_s)  # (trials, N) Hz
    return {
        "scale_s": s, "lambda": 1.0 / s, "accuracy": float(correct.mean()),
        **{f"acc_{c}": v for c, v in
           per_condition_accuracy(correct, batch.conditions, task.condition_names).items()},
        "rate_E_hz": float(rates[:, exc_unit].mean()) if exc_unit.any() else float("nan"),
        "rate_I_hz": float(rates[:, ~exc_unit].mean()) if (~exc_unit).any() else float("nan"),
        "spike_count": int(counts.sum()), "sim_time_s": sim_time,
        "trials": len(batch), "device": device,
    }


def _example(outputs, counts, rasters, example_trials, duration_s) -> dict:
    """What is kept of one scale for the report: example outputs, rasters, unit rates."""
    return {
        "outputs": outputs[:len(example_trials)].astype(np.float32),
        "example_trials": np.asarray(example_trials),
        "raster_units": np.concatenate([r[0] for r in rasters]) if rasters else np.zeros(0, int),
        "raster_times_s": np.concatenate([r[1] for r in rasters]) if rasters else np.zeros(0),
        "raster_trial": np.concatenate([np.full(len(r[0]), example_trials[j])
                                        for j, r in enumerate(rasters)])
        if rasters else np.zeros(0, int),
        "unit_rates_hz": (counts / duration_s).mean(axis=0),
    }


class _ScaleAccumulator:
    """Collects one scale's trials from the runs they fall in, in trial order."""

    def __init__(self, n_trials: int, n_examples: int):
        self.outputs, self.counts = [None] * n_trials, [None] * n_trials
        self.rasters = [None] * n_examples
        self.sim_time, self.missing = 0.0, n_trials

    def add(self, trial: int, output, count, raster_fn, sim_share: float):
        self.outputs[trial], self.counts[trial] = output, count
        if trial < len(self.rasters):
            self.rasters[trial] = raster_fn()
        self.sim_time += sim_share
        self.missing -= 1


def lambda_sweep(rate: RateNetwork, task: Task, batch: TrialBatch, scales, constants: LIFConstants,
                 device: str = "cpp_standalone", seed: int = 0, work_dir=None, resume: bool = False,
                 copies_per_run: int = 0, progress: bool = True, build_dir=None,
                 processes: int | None = None, threads: int | None = None) -> SweepResult:
    """Run the LIF network at every scale in ``scales`` on ``batch`` and score it.

    All (scale, trial) pairs are simulated as independent network copies in runs of
    ``copies_per_run`` copies (0: sized by :func:`plan_runs`) of one compiled program;
    on ``cpp_standalone`` ``processes`` runs (default: one per core) go at once, each
    single-threaded; with ``processes=1`` one run at a time uses ``threads`` OpenMP threads.
    Returns a :class:`SweepResult`. With ``work_dir``, each scale is stored as soon as all its
    trials are done, and ``resume=True`` skips scales already there.
    """
    scales = sorted({float(s) for s in scales})
    if not scales:
        raise Rate2SpikeError("the list of scales is empty; give at least one s > 0")
    if any(s <= 0 for s in scales):
        raise Rate2SpikeError(f"scales must be > 0, got {scales}")
    work_dir = Path(work_dir) if work_dir is not None else None
    if work_dir is not None:
        prepare_work_dir(work_dir, sweep_fingerprint(rate, batch, constants, seed), resume)
    examples_idx = first_trial_per_condition(batch.conditions)
    # Put the example trials first so that each scale's first trials are the examples.
    order = np.concatenate([examples_idx, np.setdiff1d(np.arange(len(batch)), examples_idx)])
    ordered = batch.subset(order)
    n_ex = len(examples_idx)
    duration = batch.inputs.shape[2] * batch.dt_s
    rows, examples, warnings_ = [], {}, []
    todo = []
    for s in scales:
        loaded = _load_scale(work_dir, s) if (work_dir is not None and resume) else None
        if loaded:
            rows.append(loaded[0])
            examples[s] = loaded[1]
        else:
            todo.append(s)
    runs, copies = plan_runs(todo, len(batch), copies_per_run, concurrent_runs(device, processes))
    runner = None
    build_time = 0.0
    exc_unit = rate.dale_sign > 0
    pending = {s: _ScaleAccumulator(len(batch), n_ex) for s in todo}
    try:
        bar = tqdm(total=len(todo), desc=f"lambda sweep ({len(batch)} trials/scale, "
                   f"{copies} copies/run)", unit="scale", disable=not progress, dynamic_ncols=True)
        if runs:
            model = LIFBatchModel(rate.W_rec, rate.W_in, rate.W_out, rate.tau_d_s, copies,
                                  batch.inputs.shape[2], batch.dt_s, constants, n_raster=0)
            runner = LIFRunner(model, device, build_dir=build_dir, seed=seed, processes=processes,
                               threads=threads)
        wave = runner.concurrency if runner is not None else 1
        for a in range(0, len(runs), wave):
            results = simulate_copies(runner, ordered, runs[a:a + wave], seed, order)
            build_time = build_time or runner.build_time_s
            for pairs, res in zip(runs[a:a + wave], results):
                for c, (s, t) in enumerate(pairs):
                    pending[s].add(t, res.outputs[c], res.spike_counts[c],
                                   lambda c=c, res=res: res.copy_raster(c),
                                   res.sim_time_s / len(pairs))
            for s in [s for s, acc in pending.items() if acc.missing == 0]:
                acc = pending.pop(s)
                outputs, counts = np.stack(acc.outputs), np.stack(acc.counts)
                row = _scale_row(task, ordered, s, outputs, counts, acc.sim_time, constants,
                                 exc_unit, runner.device)
                example = _example(outputs, counts, acc.rasters, order[:n_ex], duration)
                if work_dir is not None:
                    _save_scale(work_dir, row, example)
                rows.append(row)
                examples[s] = example
                bar.update(1)
                bar.set_postfix(s=f"{s:g}", acc=f"{row['accuracy']:.2f}")
        bar.close()
    finally:
        if runner is not None:
            warnings_ = list(runner.warnings)
            device = runner.device
            runner.close()
    rows.sort(key=lambda r: r["scale_s"])
    used = runner.device if runner is not None else (rows[0].get("device", device) if rows else device)
    return SweepResult(rows, choose_best_scale(rows), examples, warnings_, used, build_time)
