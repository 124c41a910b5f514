"""The adaptive lambda search on synthetic accuracy-vs-s curves (no simulation): it finds the
plateau, extends past an edge, refines, and adds trials only where a candidate's interval
straddles 95 %."""
import numpy as np
import pytest

from rate2spike.converters.adaptive_search import AdaptiveOptions, merge_results, search
from rate2spike.results import ScaleResult


class SyntheticCurve:
    """Each block of ``trials`` trials at s scores exactly round(p(s) * trials) correct."""

    def __init__(self, p, trials=50):
        self.p, self.trials, self.results, self.calls = p, trials, {}, []

    def run(self, scales):
        self.calls.append(list(scales))
        for s in scales:
            k = round(self.p(s) * self.trials)
            new = ScaleResult(s, k / self.trials, {}, 0.0, 0.0, 0, 0.0, self.trials, "synthetic")
            cond = np.array(["x"] * self.trials)
            self.results[s] = (merge_results(self.results[s], new, cond, cond)
                               if s in self.results else new)


def plateau(lo, hi, edge=0.95):
    """Accuracy 1 on [lo, hi], ``edge`` one grid step (5) outside it, 0.3 further away."""
    return lambda s: 1.0 if lo <= s <= hi else edge if (lo - 5 <= s < lo or hi < s <= hi + 5) else 0.3


GRID = [float(s) for s in range(20, 76, 5)]


def test_it_finds_the_plateau_and_refines_around_it():
    curve = SyntheticCurve(plateau(40, 50, edge=0.5))
    search(curve, GRID, AdaptiveOptions(trials=50))
    assert curve.calls[0] == GRID[::2]                    # the coarse grid: 20, 30, ..., 70
    assert {35.0, 45.0, 55.0} <= set(curve.results)        # neighbours of the candidates 40, 50
    best = max(curve.results.values(), key=lambda r: r.accuracy)
    assert 40 <= best.s <= 50 and best.accuracy == 1.0
    # nothing straddles 95 %: 50 trials at 100 % (93-100 %) does, so the best got more trials
    assert curve.results[best.s].trials > 50
    simulated = sum(r.trials for r in curve.results.values())
    assert simulated < len(GRID) * 100                    # fewer than the fixed grid's 1,200


def test_it_extends_past_an_edge_of_the_grid():
    curve = SyntheticCurve(plateau(5, 15))                 # 20 scores 95 %, 10 scores 100 %
    search(curve, GRID, AdaptiveOptions(trials=50))
    assert 10.0 in curve.results and curve.results[10.0].accuracy == 1.0
    assert curve.calls[1] == [10.0]


def test_it_adds_trials_where_the_interval_straddles_95_until_decided_or_capped():
    p = {20.0: 0.96, 25.0: 0.96, 30.0: 0.96}              # a plateau right at the threshold
    curve = SyntheticCurve(lambda s: p.get(s, 0.2))
    search(curve, [20.0, 25.0, 30.0, 35.0, 40.0], AdaptiveOptions(trials=50, max_trials=200))
    for s in (20.0, 30.0):                                # 96 % never leaves the straddle
        assert curve.results[s].trials == 200
    assert curve.results[40.0].trials == 50               # far below: no more trials


def test_merged_results_weight_both_sets_of_trials():
    a = ScaleResult(20.0, 0.5, {"go": 1.0, "nogo": 0.0}, 10.0, 20.0, 100, 1.0, 4, "x")
    b = ScaleResult(20.0, 1.0, {"go": 1.0}, 20.0, 40.0, 50, 2.0, 2, "x")
    m = merge_results(a, b, np.array(["go", "go", "nogo", "nogo"]), np.array(["go", "go"]))
    assert (m.trials, m.accuracy, m.spike_count, m.sim_time_s) == (6, pytest.approx(4 / 6), 150, 3.0)
    assert m.per_condition == {"go": 1.0, "nogo": 0.0}
    assert m.rate_E_hz == pytest.approx((10 * 4 + 20 * 2) / 6)
