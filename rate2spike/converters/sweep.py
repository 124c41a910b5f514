"""Grid search of the scale s = 1/lambda of a converted LIF network:
plan -> simulate -> accumulate -> persist.

Every s is simulated on the same seeded trials, the same initial voltages and the same noise
(common random numbers; or, as the authors, on fresh trials and noise per s:
:mod:`.scale_trials`), all by one compiled program (:mod:`rate2spike.simulators`). Each s
is stored as soon as its last trial is in (:class:`.sweep_store.SweepStore`), so an
interrupted sweep resumes with nothing recomputed or lost.

Best s: the highest accuracy; ties go to the tied s closest to the median of the tied values
(``tie_rule = "middle"``: the middle of the plateau; the smaller s when two are equally close)
or, as the authors' ``lambda_grid_search.m``, to the smallest tied s (``"smallest"``). A best s
at the edge of the grid is reported as a warning: the optimum may lie outside it.

Example
-------
>>> sweep = sweep_scales(convert(rate, 25.0), task, task.generate(100, 1000), [20, 25, 30])   # doctest: +SKIP
>>> sweep.best_s, sweep.best.accuracy                                                        # doctest: +SKIP
"""
from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
from tqdm.auto import tqdm

from ..errors import Rate2SpikeError
from ..lif_models import LIFNetwork
from ..results import SweepResult
from ..simulators import LIFSimulator, concurrent_runs, plan_runs
from ..tasks import Task, TrialBatch
from ..validation import check_scales
from .calibration import CalibrationTrials, ScaleCalibrator
from .scale_stats import ScaleAccumulator
from .scale_trials import plan_scale_trials
from .sweep_store import SweepStore, sweep_fingerprint


@dataclass
class SweepOptions:
    """How a sweep is simulated: ``device``; ``seed`` of noise and initial voltages;
    ``copies_per_run`` (trial x s pairs per compiled run, 0 = auto); ``processes`` concurrent
    single-threaded runs on ``cpp_standalone`` (None = all cores) or, with 1, ``threads``
    OpenMP threads; ``build_dir`` for the generated code (None = a fresh temporary folder);
    ``torch_device`` and ``torch_dtype`` of the ``torch`` device."""

    device: str = "cpp_standalone"
    seed: int = 0
    copies_per_run: int = 0
    processes: int | None = None
    threads: int | None = None
    build_dir: str | None = None
    torch_device: str = "cpu"
    torch_dtype: str = "float32"


#: how ties between scales of equal accuracy are broken (see the module docstring)
TIE_RULES = ("middle", "smallest")


def choose_best_s(results: list, tie_rule: str = "middle") -> float:
    """Highest accuracy; ties -> s closest to the median of the tied s (smaller if equal) with
    ``tie_rule = "middle"``, or the smallest tied s with ``"smallest"`` (the reference)."""
    if not results:
        raise Rate2SpikeError("no sweep results to choose from")
    if tie_rule not in TIE_RULES:
        raise Rate2SpikeError(f"tie_rule {tie_rule!r} is not one of {', '.join(TIE_RULES)}")
    top = max(r.accuracy for r in results)
    tied = sorted(r.s for r in results if r.accuracy == top)
    if tie_rule == "smallest":
        return tied[0]
    med = float(np.median(tied))
    return min(tied, key=lambda s: (abs(s - med), s))


def best_per_fit(results: list, tie_rule: str = "middle") -> dict:
    """{fit: {"best_scale_s", "lif_accuracy", "output_mse", "accuracy_by_scale"}} of every
    readout scored at every s (:attr:`ScaleResult.fits`), each s chosen by its own accuracy
    (empty when only Kim et al.'s readout was scored)."""
    fits = [f for f in (results[0].fits if results else {}) if all(f in r.fits for r in results)]
    out = {}
    for fit in fits:
        rows = [SimpleNamespace(s=r.s, accuracy=r.fits[fit]["accuracy"]) for r in results]
        best = choose_best_s(rows, tie_rule)
        at = next(r for r in results if r.s == best).fits[fit]
        out[fit] = {"best_scale_s": best, "lif_accuracy": at["accuracy"],
                    "output_mse": at["output_mse"],
                    "accuracy_by_scale": {f"{r.s:g}": r.fits[fit]["accuracy"] for r in results}}
    return out


def edge_warning(results: list, best_s: float) -> str | None:
    """A warning when ``best_s`` is the smallest or largest s of a grid of 3 or more scales:
    the best s may lie outside the grid. It suggests ``--scales`` two grid steps past the edge
    (or a quarter and a half of s where s must stay positive). None otherwise."""
    scales = sorted(r.s for r in results)
    if len(scales) < 3 or best_s not in (scales[0], scales[-1]):
        return None
    lower = best_s == scales[0]
    step = scales[1] - scales[0] if lower else scales[-1] - scales[-2]
    beyond = [best_s - k * step for k in (2, 1)] if lower else [best_s + step, best_s + 2 * step]
    if min(beyond) <= 0:                      # no room below in grid steps: halve instead
        beyond = [best_s / 4, best_s / 2]
    side = "smallest" if lower else "largest"
    extra = ",".join(f"{s:g}" for s in (beyond + [best_s] if lower else [best_s] + beyond))
    return (f"the best s = {best_s:g} is the {side} s of the grid ({scales[0]:g}-{scales[-1]:g}): "
            f"the optimum may lie outside it; sweep further, e.g. --scales {extra}")


def _calibrate(sim, network, calibration, todo, copies, bar) -> dict:
    """{s: {fit: readout}} fitted on the calibration trials at every s in ``todo``."""
    if calibration is None or not todo:
        return {}
    n = len(calibration.batch)
    runs, _ = plan_runs(todo, n, copies)
    fitters = {s: ScaleCalibrator(s, network, calibration) for s in todo}
    everyone = range(n) if "lstsq" in calibration.fits else ()
    bar.set_description(f"calibration ({n} trials/scale)")
    for chunk in sim.run(calibration.batch.inputs, runs, calibration.trial_ids, everyone):
        fitters[chunk.s].add(chunk)
    return {s: f.fit() for s, f in fitters.items()}


def sweep_scales(network: LIFNetwork, task: Task, batch: TrialBatch, scales,
                 options: SweepOptions | None = None, work_dir=None, resume: bool = False,
                 progress: bool = True, tie_rule: str = "middle",
                 calibration: CalibrationTrials | None = None,
                 trial_sampling: str = "common") -> SweepResult:
    """Simulate the conversion ``network`` at every s in ``scales`` on ``batch``, score each s
    by the task's LIF rule and choose the best. With ``work_dir`` each s is stored when done and
    ``resume=True`` skips the scales already there; ``tie_rule``: see :func:`choose_best_s`.
    ``calibration``: trials on which the readout is refitted at every s before the held-out
    ``batch`` scores it (:mod:`.calibration`); the chosen fit decides each s's accuracy.
    ``trial_sampling``: ``common`` (``batch`` and its noise at every s) or ``fresh`` (new trials
    of ``batch``'s size and new noise per s, as the authors; :mod:`.scale_trials`).
    Returns a :class:`~rate2spike.results.SweepResult` (``batches`` {s: trials} when fresh).
    """
    opt = options or SweepOptions()
    scales = sorted(set(check_scales(list(scales))))
    store = SweepStore(work_dir) if work_dir is not None else None
    if calibration is not None and calibration.fit == "none":
        calibration = None
    if store is not None:
        extra = {} if calibration is None else {
            "fit": calibration.fit, "trials": len(calibration.batch), "seed": calibration.seed}
        extra.update({"trial_sampling": trial_sampling} if trial_sampling != "common" else {})
        store.prepare(sweep_fingerprint(network, batch, opt.seed, extra or None), resume,
                      device=opt.device)
    results, examples, todo = [], {}, []
    for s in scales:
        loaded = store.load(s) if (store is not None and resume) else None
        if loaded:
            results.append(loaded[0])
            examples[s] = loaded[1]
        else:
            todo.append(s)
    plan = plan_scale_trials(task, batch, scales, trial_sampling, opt.seed)
    runs, copies = plan_runs(todo, len(batch), opt.copies_per_run,
                             concurrent_runs(opt.device, opt.processes), opt.device)
    runs = [[(s, int(plan.positions(s, t))) for s, t in run] for run in runs]
    device, warnings, build_time = (results[0].device if results else opt.device), [], 0.0
    bar = tqdm(total=len(todo), desc=f"s sweep ({len(batch)} trials/scale, {copies} copies/run)",
               unit="scale", disable=not progress, dynamic_ncols=True)
    if runs:
        fit = calibration.fit if calibration is not None else "none"
        every = "lstsq" in (calibration.fits if calibration else ())
        rasters = np.concatenate([plan.positions(s, range(len(batch) if every else
                                                          plan.n_examples[s])) for s in todo])
        with LIFSimulator(network, batch.inputs.shape[2], batch.dt_s, copies, opt.device,
                          opt.seed, opt.build_dir, opt.processes, opt.threads,
                          torch_device=opt.torch_device, torch_dtype=opt.torch_dtype) as sim:
            device, warnings, build_time = sim.device, sim.warnings, sim.build_time_s
            readouts = _calibrate(sim, network, calibration, todo, copies, bar)
            bar.set_description(f"s sweep ({len(batch)} trials/scale, {copies} copies/run)")
            pending = {s: ScaleAccumulator(s, task, plan.batches[s], network,
                                           plan.orders[s][:plan.n_examples[s]],
                                           readouts.get(s), fit) for s in todo}
            # simulate -> accumulate -> persist, scale by scale as each completes
            for chunk in sim.run(plan.inputs, runs, plan.ids, rasters):
                chunk = plan.local(chunk)
                acc = pending[chunk.s]
                acc.add(chunk)
                if acc.missing:
                    continue
                result, example = pending.pop(chunk.s).finish(sim.device)
                if store is not None:
                    store.save(result, example)
                results.append(result)
                examples[chunk.s] = example
                bar.update(1)
                bar.set_postfix(s=f"{chunk.s:g}", acc=f"{result.accuracy:.2f}")
    bar.close()
    results.sort(key=lambda r: r.s)
    best = choose_best_s(results, tie_rule)
    edge = edge_warning(results, best)
    simulated = len(todo) * (len(batch) + (len(calibration.batch) if calibration else 0))
    return SweepResult(results, best, examples, [*warnings, *([edge] if edge else [])], device,
                       build_time, plan.batches if trial_sampling == "fresh" else {}, simulated)
