"""Fresh trials and noise per s (the authors' lambda_grid_search.m) against common ones."""
import numpy as np
import pytest

from rate2spike.converters import SweepOptions, convert, sweep_scales
from rate2spike.converters.scale_trials import FRESH_ID_OFFSET, fresh_batch, plan_scale_trials
from rate2spike.errors import Rate2SpikeError
from rate2spike.rate_models import RateNetwork
from rate2spike.simulators import lif as simulator_lif
from rate2spike.tasks import get_task


def test_fresh_trials_differ_per_s_and_do_not_depend_on_the_other_scales():
    task = get_task("mante")
    batch = task.generate(6, 1)
    plan = plan_scale_trials(task, batch, [20.0, 25.0], "fresh", seed=3)
    alone = plan_scale_trials(task, batch, [25.0], "fresh", seed=3)
    np.testing.assert_array_equal(plan.batches[25.0].inputs, alone.batches[25.0].inputs)
    assert not np.array_equal(plan.batches[20.0].inputs, plan.batches[25.0].inputs)
    assert not np.array_equal(plan.batches[20.0].inputs, batch.subset(plan.orders[20.0]).inputs)
    ids20 = plan.ids[plan.offsets[20.0]:plan.offsets[20.0] + 6]
    ids25 = plan.ids[plan.offsets[25.0]:plan.offsets[25.0] + 6]
    assert min(ids20.min(), ids25.min()) >= FRESH_ID_OFFSET and not set(ids20) & set(ids25)
    assert plan.ids.max() < 2 ** 32                       # the noise hash takes 32-bit ids
    np.testing.assert_array_equal(fresh_batch(task, 6, 25.0, 3).inputs[plan.orders[25.0]],
                                  plan.batches[25.0].inputs)
    common = plan_scale_trials(task, batch, [20.0, 25.0], "common", seed=3)
    assert common.batches[20.0] is common.batches[25.0] and set(common.offsets.values()) == {0}
    with pytest.raises(Rate2SpikeError, match="common, fresh"):
        plan_scale_trials(task, batch, [20.0], "paired", 0)


def test_a_fresh_sweep_simulates_each_scales_own_trials(tiny_model, monkeypatch):
    task = get_task("gonogo")
    net = convert(RateNetwork.load(tiny_model), 20.0)
    batch = task.generate(4, 2)
    seen = []
    real = simulator_lif.LIFSimulator.run

    def spy(self, inputs, runs, trial_ids, raster_trials=()):
        seen.append((inputs, np.asarray(trial_ids), runs))
        yield from real(self, inputs, runs, trial_ids, raster_trials)

    monkeypatch.setattr(simulator_lif.LIFSimulator, "run", spy)
    fresh = sweep_scales(net, task, batch, [20, 30], SweepOptions(device="reference"),
                         progress=False, trial_sampling="fresh")
    inputs, ids, runs = seen[-1]
    pairs = [p for run in runs for p in run]
    by_scale = {s: sorted(t for sc, t in pairs if sc == s) for s in (20.0, 30.0)}
    assert by_scale[20.0] == [0, 1, 2, 3] and by_scale[30.0] == [4, 5, 6, 7]
    assert len(set(ids[:8].tolist())) == 8 and ids.min() >= FRESH_ID_OFFSET
    assert set(fresh.batches) == {20.0, 30.0}
    for r in fresh.results:      # each scale scored on its own 4 trials
        assert r.trials == 4
        ex = fresh.examples[r.s]
        assert list(fresh.batches[r.s].conditions[:len(ex.example_trials)]) == sorted(
            set(fresh.batches[r.s].conditions), key=list(fresh.batches[r.s].conditions).index)
