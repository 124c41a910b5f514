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
from ..errors import Rate2SpikeError
from ..tasks import Task, TrialBatch
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


def example_trial_indices(conditions: np.ndarray) -> np.ndarray:
    """The first trial of each condition, in order of first appearance."""
    _, first = np.unique(conditions, return_index=True)
    return np.sort(first)


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


def _chunks(n_trials: int, batch_trials: int):
    size = n_trials if batch_trials <= 0 else min(batch_trials, n_trials)
    return [np.arange(a, min(a + size, n_trials)) for a in range(0, n_trials, size)], size


def simulate_scale(runner: LIFRunner, batch: TrialBatch, s: float, chunk_size: int,
                   chunks: list, seed: int):
    """Simulate every trial of ``batch`` at scale s; returns outputs, counts, rasters, time."""
    model = runner.model
    outputs, counts, sim_time, raster = [], [], 0.0, None
    for k, idx in enumerate(chunks):
        pad = np.concatenate([idx, np.repeat(idx[-1:], chunk_size - len(idx))])
        v0 = initial_voltages(chunk_size, model.N, model.c, seed + 7919 * k)
        res = runner.run(batch.inputs[pad], np.full(chunk_size, 1.0 / s), v0)
        outputs.append(res.outputs[:len(idx)])
        counts.append(res.spike_counts[:len(idx)])
        sim_time += res.sim_time_s
        if raster is None:
            raster = res.raster
    return np.concatenate(outputs), np.concatenate(counts), raster, sim_time


def lambda_sweep(rate: RateNetwork, task: Task, batch: TrialBatch, scales, constants: LIFConstants,
                 device: str = "cpp_standalone", seed: int = 0, work_dir=None, resume: bool = False,
                 batch_trials: int = 0, progress: bool = True, build_dir=None) -> SweepResult:
    """Run the LIF network at every scale in ``scales`` on ``batch`` and score it.

    Returns a :class:`SweepResult`. With ``work_dir``, results are stored per scale and
    ``resume=True`` skips scales already there.
    """
    scales = sorted({float(s) for s in scales})
    if not scales:
        raise Rate2SpikeError("the list of scales is empty; give at least one s > 0")
    if any(s <= 0 for s in scales):
        raise Rate2SpikeError(f"scales must be > 0, got {scales}")
    work_dir = Path(work_dir) if work_dir is not None else None
    if work_dir is not None:
        prepare_work_dir(work_dir, sweep_fingerprint(rate, batch, constants, seed), resume)
    examples_idx = example_trial_indices(batch.conditions)
    # Put the example trials first so that the runner's raster copies are those trials.
    order = np.concatenate([examples_idx, np.setdiff1d(np.arange(len(batch)), examples_idx)])
    ordered = batch.subset(order)
    chunks, chunk_size = _chunks(len(batch), batch_trials)
    rows, examples, warnings_ = [], {}, []
    todo = []
    for s in scales:
        loaded = _load_scale(work_dir, s) if (work_dir is not None and resume) else None
        if loaded:
            rows.append(loaded[0])
            examples[s] = loaded[1]
        else:
            todo.append(s)
    runner = None
    build_time = 0.0
    exc_unit = rate.dale_sign > 0
    try:
        bar = tqdm(todo, desc=f"lambda sweep ({len(batch)} trials/scale)", unit="scale",
                   disable=not progress, dynamic_ncols=True)
        for s in bar:
            if runner is None:
                model = LIFBatchModel(rate.W_rec, rate.W_in, rate.W_out, rate.tau_d_s, chunk_size,
                                      batch.inputs.shape[2], batch.dt_s, constants,
                                      n_raster=len(examples_idx))
                runner = LIFRunner(model, device, build_dir=build_dir, seed=seed)
            outputs, counts, raster, sim_time = simulate_scale(runner, ordered, s, chunk_size,
                                                               chunks, seed)
            if runner.build_time_s and not build_time:
                build_time = runner.build_time_s
            correct = task.score(outputs, ordered.labels, constants.dt_s, window="lif")
            duration = batch.inputs.shape[2] * batch.dt_s
            rates = counts / duration  # (trials, N) Hz
            row = {
                "scale_s": s, "lambda": 1.0 / s, "accuracy": float(correct.mean()),
                **{f"acc_{c}": float(correct[ordered.conditions == c].mean())
                   for c in task.condition_names if np.any(ordered.conditions == c)},
                "rate_E_hz": float(rates[:, exc_unit].mean()) if exc_unit.any() else float("nan"),
                "rate_I_hz": float(rates[:, ~exc_unit].mean()) if (~exc_unit).any() else float("nan"),
                "spike_count": int(counts.sum()), "sim_time_s": sim_time,
                "trials": len(batch), "device": runner.device,
            }
            k = len(examples_idx)
            example = {
                "outputs": outputs[:k].astype(np.float32), "example_trials": order[:k],
                "raster_units": np.concatenate([r[0] for r in raster]) if raster else np.zeros(0, int),
                "raster_times_s": np.concatenate([r[1] for r in raster]) if raster else np.zeros(0),
                "raster_trial": np.concatenate([np.full(len(r[0]), order[j]) for j, r in enumerate(raster)])
                if raster else np.zeros(0, int),
                "unit_rates_hz": rates.mean(axis=0),
            }
            if work_dir is not None:
                _save_scale(work_dir, row, example)
            rows.append(row)
            examples[s] = example
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
