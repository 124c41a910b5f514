import json

import numpy as np
import pytest

from rate2spike.converters import SweepOptions, choose_best_s, convert, edge_warning, sweep_scales
from rate2spike.errors import Rate2SpikeError
from rate2spike.rate_models import RateNetwork
from rate2spike.results import ScaleResult
from rate2spike.simulators import lif as simulator_lif
from rate2spike.statistics import wilson_interval
from rate2spike.tasks import get_task


def _results(pairs):
    return [ScaleResult(s, a, {}, 0.0, 0.0, 0, 0.0, 1, "x") for s, a in pairs]


def test_tie_rule():
    rows = _results([(20, 0.9), (25, 1.0), (30, 1.0), (35, 1.0), (40, 0.5)])
    assert choose_best_s(rows) == 30
    assert choose_best_s(rows[:3]) == 25  # 25 and 30 tie around 27.5: the smaller s
    with pytest.raises(Rate2SpikeError, match="no sweep results"):
        choose_best_s([])


def test_smallest_tie_rule_takes_the_first_s_of_the_plateau_as_the_reference():
    rows = _results([(20, 0.9), (25, 1.0), (30, 1.0), (35, 1.0), (40, 0.5)])
    assert choose_best_s(rows, "smallest") == 25
    assert choose_best_s(_results([(20, 0.5), (25, 0.7)]), "smallest") == 25   # no tie: the max
    with pytest.raises(Rate2SpikeError, match="middle, smallest"):
        choose_best_s(rows, "largest")


def test_a_best_s_at_the_edge_of_the_grid_is_warned_with_scales_beyond_it():
    low = _results([(20, 1.0), (25, 0.99), (30, 0.9)])
    assert "smallest s of the grid (20-30)" in edge_warning(low, 20)
    assert "--scales 10,15,20" in edge_warning(low, 20)
    high = _results([(20, 0.5), (25, 0.9), (30, 1.0)])
    assert "--scales 30,35,40" in edge_warning(high, 30)
    assert edge_warning(high, 25) is None                    # inside the grid
    assert edge_warning(_results([(20, 1.0), (25, 0.9)]), 20) is None   # too few scales to say
    # no room below in grid steps (s must stay > 0): quarter and half of it
    assert "--scales 0.5,1,2" in edge_warning(_results([(2, 1.0), (4, 0.9), (6, 0.5)]), 2)


def test_every_sweep_row_carries_the_wilson_interval_of_its_accuracy():
    row = ScaleResult(25.0, 0.93, {"go": 0.9}, 8.0, 20.0, 100, 1.0, 100, "x").as_row()
    lo, hi = wilson_interval(93, 100)
    assert (row["accuracy_ci95_low"], row["accuracy_ci95_high"]) == (lo, hi)
    assert ScaleResult.from_row(row).per_condition == {"go": 0.9}   # not read as a condition


@pytest.mark.slow
def test_sweep_resume_recomputes_nothing_and_matches(tiny_model, tmp_path, monkeypatch):
    net = convert(RateNetwork.load(tiny_model), 20.0)
    task = get_task("gonogo")
    batch = task.generate(4, 1)
    work = tmp_path / "sweep"
    first = sweep_scales(net, task, batch, [20, 30], work_dir=work, progress=False)
    assert [r.s for r in first.results] == [20.0, 30.0]
    with pytest.raises(Rate2SpikeError, match="--resume"):
        sweep_scales(net, task, batch, [20, 30], work_dir=work, progress=False)
    with pytest.raises(Rate2SpikeError, match="different"):
        sweep_scales(net, task, batch, [20, 30], SweepOptions(seed=5), work_dir=work, resume=True,
                     progress=False)
    # "interrupt": scale 30 was never finished
    (work / "scale_30.0.json").unlink()
    kept = (work / "scale_20.0.json").stat().st_mtime_ns
    calls = []
    real = simulator_lif.LIFSimulator.run

    def spy(self, inputs, runs, *a):
        calls.extend(p for r in runs for p in r)
        return real(self, inputs, runs, *a)
    monkeypatch.setattr(simulator_lif.LIFSimulator, "run", spy)
    again = sweep_scales(net, task, batch, [20, 30, 40], work_dir=work, resume=True,
                         progress=False)
    assert sorted({s for s, _ in calls}) == [30.0, 40.0] and len(calls) == 8
    assert (work / "scale_20.0.json").stat().st_mtime_ns == kept
    # same seed, same trials: the recomputed scale is identical to the lost one
    redo, lost = again.results[1].as_row(), first.results[1].as_row()
    assert json.dumps(redo, sort_keys=True) == json.dumps(
        {**lost, "sim_time_s": redo["sim_time_s"]}, sort_keys=True)
    np.testing.assert_array_equal(again.examples[30.0].outputs, first.examples[30.0].outputs)


@pytest.mark.slow
def test_results_do_not_depend_on_how_copies_are_batched(tiny_model):
    net = convert(RateNetwork.load(tiny_model), 25.0)   # noise on: it follows the trial id
    task = get_task("gonogo")
    batch = task.generate(3, 2)
    whole = sweep_scales(net, task, batch, [25, 30], progress=False)        # one run of 6
    # runs of 4 copies: scale 25's trials in run 1, scale 30 split over runs 1 and 2 (padded)
    split = sweep_scales(net, task, batch, [25, 30], SweepOptions(copies_per_run=4),
                         progress=False)
    for a, b in zip(whole.results, split.results):
        a, b = a.as_row(), b.as_row()
        assert {k: v for k, v in a.items() if k != "sim_time_s"} == \
            {k: v for k, v in b.items() if k != "sim_time_s"}
        assert a["spike_count"] > 0
    for s in (25.0, 30.0):
        for key in ("outputs", "raster_units", "raster_times_s", "unit_rates_hz"):
            np.testing.assert_array_equal(getattr(whole.examples[s], key),
                                          getattr(split.examples[s], key))


def test_run_plan_covers_every_pair_once_in_fixed_size_runs():
    runs, copies = simulator_lif.plan_runs([20.0, 25.0], 50, 0)
    assert copies == 100 and len(runs) == 1
    runs, copies = simulator_lif.plan_runs([20.0 + 5 * k for k in range(12)], 100, 0, parallel=2)
    assert copies == 200 and len(runs) == 6     # 1200 copies: 3 waves of 2 concurrent runs
    runs, copies = simulator_lif.plan_runs([20.0, 25.0, 30.0], 70, 0, parallel=2)
    assert copies == 105 and len(runs) == 2
    runs, copies = simulator_lif.plan_runs([20.0, 25.0, 30.0], 100, 250)
    assert copies == 250 and [len(r) for r in runs] == [250, 50]
    flat = [p for r in runs for p in r]
    assert sorted(flat) == sorted((s, t) for s in (20.0, 25.0, 30.0) for t in range(100))


def test_empty_or_bad_scales(tiny_model):
    net = convert(RateNetwork.load(tiny_model), 25.0)
    task = get_task("gonogo")
    batch = task.generate(2, 0)
    with pytest.raises(Rate2SpikeError, match="empty"):
        sweep_scales(net, task, batch, [], progress=False)
    with pytest.raises(Rate2SpikeError, match="positive number; got 0"):
        sweep_scales(net, task, batch, [0, 5], progress=False)
