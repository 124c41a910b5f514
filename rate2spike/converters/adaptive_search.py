"""A lambda search that knows its own uncertainty (beyond the paper; ``--search adaptive``).

Instead of ``trials`` trials at every s of the grid:

1. **coarse**: every ``coarse_every``-th s of the grid, ``trials`` trials each;
2. **extend**: while the best s is at an edge of what was swept, add the next coarse s past
   it (s stays > 0; at most ``max_extensions`` times);
3. **refine**: the grid's neighbours of every s that may be the best (its 95 % Wilson
   interval reaches the best s's interval);
4. **add trials** where the interval of a scale that may be the best (its interval reaches
   the best's) straddles ``threshold`` (95 %: the success rule), a block of ``trials`` at a
   time, until it does not or the scale has ``max_trials``.

Every s sees the same trials (common random numbers): block b of ``trials`` trials is drawn
with (seed, 3000, b) (stream ``adaptive_blocks`` of :mod:`rate2spike.seeds`) and its noise
ids are ``ADAPTIVE_ID_OFFSET + b * trials + j``, and a scale uses blocks 0, 1, ... in order.
The best s is chosen as in the grid search (:func:`.sweep.choose_best_s`).

Example
-------
>>> res = adaptive_search(network, task, grid=range(20, 80, 5))     # doctest: +SKIP
>>> res.best_s, res.trials_simulated                                 # doctest: +SKIP
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from tqdm.auto import tqdm

from ..errors import Rate2SpikeError
from ..lif_models import LIFNetwork
from ..results import ScaleResult, SweepResult
from ..seeds import NOISE_ID_OFFSETS, stream_rng
from ..simulators import LIFSimulator, concurrent_runs, plan_runs
from ..tasks import Task
from ..validation import check_scales
from .scale_stats import ScaleAccumulator
from .scale_trials import examples_first
from .sweep import SweepOptions, choose_best_s, edge_warning

#: noise ids of adaptive-search trials start here (< 2**32, the noise hash's id range)
ADAPTIVE_ID_OFFSET = NOISE_ID_OFFSETS["adaptive_blocks"]


@dataclass
class AdaptiveOptions:
    """``coarse_every``: the coarse grid takes every k-th s; ``trials`` per block; a scale
    gets at most ``max_trials``; ``threshold``: the accuracy whose straddling intervals get
    more trials; ``max_extensions`` past the grid's edges."""

    coarse_every: int = 2
    trials: int = 50
    max_trials: int = 200
    threshold: float = 0.95
    max_extensions: int = 3


def merge_results(a: ScaleResult, b: ScaleResult, conditions_a, conditions_b) -> ScaleResult:
    """One s's results on two sets of trials (``conditions_*``: their conditions) as one."""
    n = a.trials + b.trials
    per = {}
    for c in set(a.per_condition) | set(b.per_condition):
        na, nb = int(np.sum(conditions_a == c)), int(np.sum(conditions_b == c))
        per[c] = (a.per_condition.get(c, 0) * na + b.per_condition.get(c, 0) * nb) / (na + nb)
    w = lambda x, y: (x * a.trials + y * b.trials) / n   # noqa: E731
    return ScaleResult(a.s, round(w(a.accuracy, b.accuracy) * n) / n, per,
                       w(a.rate_E_hz, b.rate_E_hz), w(a.rate_I_hz, b.rate_I_hz),
                       a.spike_count + b.spike_count, a.sim_time_s + b.sim_time_s, n, a.device,
                       a.readout_fit, w(a.output_mse, b.output_mse))


class _Scales:
    """The merged result of every s swept so far and the trial blocks it has used."""

    def __init__(self, network, task, opt, adaptive, sim, copies):
        self.network, self.task, self.opt, self.ad = network, task, opt, adaptive
        self.sim, self.copies = sim, copies
        self.results, self.conditions, self.examples, self.blocks = {}, {}, {}, {}
        self.block_cache, self.unordered, self.simulated = {}, {}, 0

    def block(self, b: int):
        if b not in self.block_cache:
            rng = stream_rng("adaptive_blocks", self.opt.seed, b)
            batch = self.task.generate(self.ad.trials, rng)
            self.block_cache[b] = examples_first(batch)
            self.unordered[b] = batch
        return self.block_cache[b]

    def run(self, scales) -> None:
        """Give every s in ``scales`` its next block of trials."""
        by_block = {}
        for s in scales:
            by_block.setdefault(self.blocks.get(s, 0), []).append(s)
        for b, group in sorted(by_block.items()):
            batch, order, n_ex = self.block(b)
            runs, _ = plan_runs(group, len(batch), self.copies)
            pending = {s: ScaleAccumulator(s, self.task, batch, self.network, order[:n_ex])
                       for s in group}
            ids = ADAPTIVE_ID_OFFSET + b * self.ad.trials + order
            for chunk in self.sim.run(batch.inputs, runs, ids, range(n_ex)):
                acc = pending[chunk.s]
                acc.add(chunk)
                if not acc.missing:
                    self._merge(chunk.s, *pending.pop(chunk.s).finish(self.sim.device),
                                batch.conditions)
            self.simulated += len(group) * len(batch)

    def _merge(self, s, result, example, conditions):
        if s in self.results:
            self.results[s] = merge_results(self.results[s], result, self.conditions[s],
                                            conditions)
            self.conditions[s] = np.concatenate([self.conditions[s], conditions])
        else:
            self.results[s], self.conditions[s], self.examples[s] = result, conditions, example
        self.blocks[s] = self.blocks.get(s, 0) + 1


def _refinements(results: dict, grid_step: float, best: float) -> list:
    """Grid neighbours (± one fine step) of every s whose interval reaches the best's."""
    low_best = results[best].accuracy_ci95[0]
    out = set()
    for s, r in results.items():
        if r.accuracy_ci95[1] >= low_best:
            out.update(x for x in (s - grid_step, s + grid_step) if x > 0)
    return sorted(x for x in out if not any(np.isclose(x, s) for s in results))


def adaptive_search(network: LIFNetwork, task: Task, grid, n_steps: int, stim_dt_s: float,
                    options: SweepOptions | None = None, adaptive: AdaptiveOptions | None = None,
                    tie_rule: str = "middle", progress: bool = True) -> SweepResult:
    """The adaptive search over ``grid`` (s values, evenly spaced) for trials of ``n_steps``
    samples of ``stim_dt_s``. Returns a SweepResult whose ``trials_simulated`` counts every
    (s, trial) pair simulated."""
    if len(set(grid)) < 2:
        raise Rate2SpikeError("the adaptive search needs a grid of at least 2 scales")
    opt, ad = options or SweepOptions(), adaptive or AdaptiveOptions()
    grid = sorted(set(check_scales(list(grid))))
    _, copies = plan_runs(grid[::ad.coarse_every], ad.trials, opt.copies_per_run,
                          concurrent_runs(opt.device, opt.processes), opt.device)
    bar = tqdm(desc="adaptive s search", unit="trial", disable=not progress, dynamic_ncols=True)
    with LIFSimulator(network, n_steps, stim_dt_s, copies, opt.device, opt.seed, opt.build_dir,
                      opt.processes, opt.threads, torch_device=opt.torch_device,
                      torch_dtype=opt.torch_dtype) as sim:
        sc = _Scales(network, task, opt, ad, sim, copies)
        search(sc, grid, ad, tie_rule, on_round=lambda: bar.update(sc.simulated - bar.n))
        bar.close()
        results = sorted(sc.results.values(), key=lambda r: r.s)
        best = choose_best_s(results, tie_rule)
        edge = edge_warning(results, best)
        # the examples of every s are trials of block 0 (the report draws them from there)
        return SweepResult(results, best, sc.examples, [*sim.warnings, *([edge] if edge else [])],
                           sim.device, sim.build_time_s, {s: sc.unordered[0] for s in sc.results},
                           sc.simulated)


def search(sc, grid, ad: AdaptiveOptions, tie_rule: str = "middle", on_round=lambda: None):
    """The search's decisions (steps 1-4 of the module docstring) on ``sc``: anything with a
    ``run(scales)`` that gives each s its next block of trials and a ``results`` dict
    {s: ScaleResult} of everything so far (a simulator, or a synthetic curve in the tests)."""
    step = float(np.min(np.diff(grid))) if len(grid) > 1 else grid[0] / 2
    sc.run(grid[::ad.coarse_every])
    on_round()
    for _ in range(ad.max_extensions):                          # past an edge of the sweep
        best, swept = choose_best_s(list(sc.results.values()), tie_rule), sorted(sc.results)
        beyond = (best - ad.coarse_every * step if best == swept[0] else
                  best + ad.coarse_every * step if best == swept[-1] else None)
        if beyond is None or beyond <= 0:
            break
        sc.run([beyond])
        on_round()
    best = choose_best_s(list(sc.results.values()), tie_rule)
    sc.run(_refinements(sc.results, step, best))                # around the plateau
    on_round()
    while True:                                 # where 95 % is undecided for a candidate
        best = choose_best_s(list(sc.results.values()), tie_rule)
        low_best = sc.results[best].accuracy_ci95[0]
        undecided = [s for s, r in sc.results.items() if r.trials < ad.max_trials
                     and r.accuracy_ci95[1] >= low_best
                     and r.accuracy_ci95[0] < ad.threshold < r.accuracy_ci95[1]]
        if not undecided:
            return
        sc.run(sorted(undecided))
        on_round()
