"""simulate_lif, the one entry point: a net at its own s is the same as the same conversion
swept at that s; trial ids name the initial voltages; results come back per s. (The NumPy
reference backend with the noise off: its own noise depends on the batch, by design.)"""
import numpy as np

from rate2spike.converters import convert
from rate2spike.lif_models import LIFConstants
from rate2spike.rate_models import RateNetwork
from rate2spike.simulators import simulate_lif
from rate2spike.tasks import get_task


def test_simulate_lif_per_scale_and_by_trial_id(tiny_model):
    rate = RateNetwork.load(tiny_model)
    batch = get_task("gonogo").generate(3, 4)
    inputs = batch.inputs[:, :, :30]                      # 0.15 s
    lif = convert(rate, 25.0, LIFConstants(noise_mV=0.0))
    own = simulate_lif(lif, inputs, batch.dt_s, device="reference", seed=3,
                       raster_trials=[1])
    swept = simulate_lif(lif.at_scale(60.0), inputs, batch.dt_s, [60, 25], device="reference",
                         seed=3, trial_ids=[0, 1, 2])
    assert sorted(swept.runs) == [25.0, 60.0] and list(own.runs) == [25.0]
    run = own.runs[25.0]
    assert run.outputs.shape == (3, 300) and run.spike_counts.shape == (3, 20)
    np.testing.assert_array_equal(run.spike_counts, swept.runs[25.0].spike_counts)
    np.testing.assert_allclose(run.outputs, swept.runs[25.0].outputs, rtol=1e-12, atol=1e-13)
    assert not np.array_equal(run.outputs, swept.runs[60.0].outputs)   # s matters
    units, times = run.rasters[1]
    assert len(times) == run.spike_counts[1].sum() > 0 and set(run.rasters) == {1}
    # trials given in reverse order under their own ids give the same results, reversed
    moved = simulate_lif(lif, inputs[[2, 1, 0]], batch.dt_s, device="reference", seed=3,
                         trial_ids=[2, 1, 0])
    np.testing.assert_array_equal(moved.runs[25.0].spike_counts[::-1], run.spike_counts)
    np.testing.assert_allclose(moved.runs[25.0].outputs[::-1], run.outputs, rtol=1e-12, atol=1e-13)
