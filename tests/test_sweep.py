import json

import numpy as np
import pytest

from rate2spike.brian_models import LIFConstants
from rate2spike.converters import RateNetwork, choose_best_scale, lambda_sweep
from rate2spike.converters import lambda_search
from rate2spike.errors import Rate2SpikeError
from rate2spike.tasks import get_task


def test_tie_rule():
    rows = [{"scale_s": s, "accuracy": a} for s, a in
            [(20, 0.9), (25, 1.0), (30, 1.0), (35, 1.0), (40, 0.5)]]
    assert choose_best_scale(rows) == 30
    assert choose_best_scale(rows[:3]) == 25  # 25 and 30 tie around 27.5: the smaller s


def test_sweep_resume_recomputes_nothing_and_matches(tiny_model, tmp_path, monkeypatch):
    rate = RateNetwork.load(tiny_model)
    task = get_task("gonogo")
    batch = task.generate(4, 1)
    work = tmp_path / "sweep"
    c = LIFConstants()
    first = lambda_sweep(rate, task, batch, [20, 30], c, work_dir=work, progress=False)
    assert [r["scale_s"] for r in first.rows] == [20.0, 30.0]
    with pytest.raises(Rate2SpikeError, match="--resume"):
        lambda_sweep(rate, task, batch, [20, 30], c, work_dir=work, progress=False)
    with pytest.raises(Rate2SpikeError, match="different"):
        lambda_sweep(rate, task, batch, [20, 30], c, seed=5, work_dir=work, resume=True,
                     progress=False)
    # "interrupt": scale 30 was never finished
    (work / "scale_30.json").unlink()
    kept = (work / "scale_20.json").stat().st_mtime_ns
    calls = []
    real = lambda_search.simulate_copies
    monkeypatch.setattr(lambda_search, "simulate_copies",
                        lambda runner, b, runs, *a: calls.extend(p for r in runs for p in r)
                        or real(runner, b, runs, *a))
    again = lambda_sweep(rate, task, batch, [20, 30, 40], c, work_dir=work, resume=True,
                         progress=False)
    assert sorted({s for s, _ in calls}) == [30.0, 40.0] and len(calls) == 8
    assert (work / "scale_20.json").stat().st_mtime_ns == kept
    # same seed, same trials: the recomputed scale is identical to the lost one
    assert json.dumps(again.rows[1], sort_keys=True) == json.dumps(
        {**first.rows[1], "sim_time_s": again.rows[1]["sim_time_s"]}, sort_keys=True)
    np.testing.assert_array_equal(again.examples[30.0]["outputs"], first.examples[30.0]["outputs"])


def test_results_do_not_depend_on_how_copies_are_batched(tiny_model):
    rate = RateNetwork.load(tiny_model)
    task = get_task("gonogo")
    batch = task.generate(3, 2)
    c = LIFConstants()   # noise on: a trial's noise and initial voltages follow its id
    whole = lambda_sweep(rate, task, batch, [25, 30], c, progress=False)        # one run of 6
    # runs of 4 copies: scale 25's trials in run 1, scale 30 split over runs 1 and 2 (padded)
    split = lambda_sweep(rate, task, batch, [25, 30], c, copies_per_run=4, progress=False)
    for a, b in zip(whole.rows, split.rows):
        assert {k: v for k, v in a.items() if k != "sim_time_s"} == \
            {k: v for k, v in b.items() if k != "sim_time_s"}
        assert a["spike_count"] > 0
    for s in (25.0, 30.0):
        for key in ("outputs", "raster_units", "raster_times_s", "unit_rates_hz"):
            np.testing.assert_array_equal(whole.examples[s][key], split.examples[s][key])


def test_run_plan_covers_every_pair_once_in_fixed_size_runs():
    runs, copies = lambda_search.plan_runs([20.0, 25.0], 50, 0)
    assert copies == 100 and len(runs) == 1
    runs, copies = lambda_search.plan_runs([20.0 + 5 * k for k in range(12)], 100, 0, parallel=2)
    assert copies == 200 and len(runs) == 6     # 1200 copies: 3 waves of 2 concurrent runs
    runs, copies = lambda_search.plan_runs([20.0, 25.0, 30.0], 70, 0, parallel=2)
    assert copies == 105 and len(runs) == 2
    runs, copies = lambda_search.plan_runs([20.0, 25.0, 30.0], 100, 250)
    assert copies == 250 and [len(r) for r in runs] == [250, 50]
    flat = [p for r in runs for p in r]
    assert sorted(flat) == sorted((s, t) for s in (20.0, 25.0, 30.0) for t in range(100))


def test_empty_or_bad_scales(tiny_model):
    rate = RateNetwork.load(tiny_model)
    task = get_task("gonogo")
    batch = task.generate(2, 0)
    with pytest.raises(Rate2SpikeError, match="empty"):
        lambda_sweep(rate, task, batch, [], LIFConstants(), progress=False)
    with pytest.raises(Rate2SpikeError, match="> 0"):
        lambda_sweep(rate, task, batch, [0, 5], LIFConstants(), progress=False)
