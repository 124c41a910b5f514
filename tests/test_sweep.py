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
    real = lambda_search.simulate_scale
    monkeypatch.setattr(lambda_search, "simulate_scale",
                        lambda runner, b, s, *a: calls.append(s) or real(runner, b, s, *a))
    again = lambda_sweep(rate, task, batch, [20, 30, 40], c, work_dir=work, resume=True,
                         progress=False)
    assert calls == [30.0, 40.0]
    assert (work / "scale_20.json").stat().st_mtime_ns == kept
    # same seed, same trials: the recomputed scale is identical to the lost one
    assert json.dumps(again.rows[1], sort_keys=True) == json.dumps(
        {**first.rows[1], "sim_time_s": again.rows[1]["sim_time_s"]}, sort_keys=True)
    np.testing.assert_array_equal(again.examples[30.0]["outputs"], first.examples[30.0]["outputs"])


def test_chunked_trials_equal_one_batch(tiny_model):
    rate = RateNetwork.load(tiny_model)
    task = get_task("gonogo")
    batch = task.generate(3, 2)
    c = LIFConstants(noise_mV=0.0)
    whole = lambda_sweep(rate, task, batch, [25], c, progress=False)
    # chunks of 2 trials: the second chunk gets other initial voltages, so compare scoring shape
    chunked = lambda_sweep(rate, task, batch, [25], c, batch_trials=2, progress=False)
    assert chunked.rows[0]["trials"] == whole.rows[0]["trials"] == 3
    np.testing.assert_array_equal(chunked.examples[25.0]["outputs"][:2],
                                  whole.examples[25.0]["outputs"][:2])


def test_empty_or_bad_scales(tiny_model):
    rate = RateNetwork.load(tiny_model)
    task = get_task("gonogo")
    batch = task.generate(2, 0)
    with pytest.raises(Rate2SpikeError, match="empty"):
        lambda_sweep(rate, task, batch, [], LIFConstants(), progress=False)
    with pytest.raises(Rate2SpikeError, match="> 0"):
        lambda_sweep(rate, task, batch, [0, 5], LIFConstants(), progress=False)
