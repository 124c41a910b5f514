"""The independent NumPy simulator (``device="reference"``) against the Brian2 model."""
import numpy as np
import pytest

from rate2spike.brian_models import LIFBatchModel
from rate2spike.converters import SweepOptions, convert, sweep_scales
from rate2spike.lif_models import LIFConstants
from rate2spike.rate_models import RateNetwork
from rate2spike.simulators import CopyBatch, open_backend
from rate2spike.tasks import get_task
from tests.conftest import TRAINED


def _run(device, net, inputs, v0, s, c, seed=0):
    model = LIFBatchModel(net.W_rec, net.W_in, net.W_out, net.tau_d_s, inputs.shape[0],
                          inputs.shape[2], 0.005, c)
    with open_backend(model, device, seed=seed) as backend:
        return backend.run(CopyBatch(inputs, np.full(inputs.shape[0], s), v0, None))


def test_without_noise_reference_and_brian2_agree_spike_for_spike():
    net = RateNetwork.load(TRAINED)
    task = get_task("gonogo")
    batch = task.generate(4, 3)
    inputs = batch.inputs[:, :, :60]                               # 0.3 s around the pulse
    v0 = np.random.default_rng(0).uniform(-65, 30, 4 * net.n_units)
    c = LIFConstants(noise_mV=0.0)
    brian = _run("cpp_standalone", net, inputs, v0, 25.0, c)
    ref = _run("reference", net, inputs, v0, 25.0, c)
    assert brian.spike_counts.sum() > 1000
    np.testing.assert_array_equal(ref.spike_counts, brian.spike_counts)
    np.testing.assert_array_equal(ref.spike_i, brian.spike_i)
    np.testing.assert_allclose(ref.spike_t, brian.spike_t, atol=1e-9)
    np.testing.assert_allclose(ref.outputs, brian.outputs, rtol=1e-7, atol=1e-9)


def test_with_the_same_counter_noise_they_agree_spike_for_spike():
    from rate2spike.brian_models.noise import stream_ids
    from rate2spike.simulators.numpy_reference import simulate_reference

    net = RateNetwork.load(TRAINED)
    batch = get_task("gonogo").generate(2, 5)
    inputs = batch.inputs[:, :, :40]
    v0 = np.random.default_rng(1).uniform(-65, 30, 2 * net.n_units)
    c = LIFConstants(noise_mV=0.5)
    brian = _run("cpp_standalone", net, inputs, v0, 30.0, c, seed=4)   # trial ids 0, 1
    ref = simulate_reference(net.W_rec, net.W_in, net.W_out, net.tau_d_s, inputs, 0.005,
                             np.full(2, 1 / 30), v0, c, noise_streams=stream_ids(4, [0, 1]))
    np.testing.assert_array_equal(ref.spike_i, brian.spike_i)
    np.testing.assert_allclose(ref.outputs, brian.outputs, rtol=1e-7, atol=1e-9)


@pytest.mark.slow
def test_with_noise_reference_and_brian2_agree_statistically():
    """Same trials and initial voltages, independent noise: accuracy within 3 points and mean
    E and I rates within 5 % at a working and at a failing scale."""
    net = RateNetwork.load(TRAINED)
    task = get_task("gonogo")
    batch = task.generate(60, 11)
    runs = {dev: sweep_scales(convert(net, 25.0), task, batch, [25, 60], SweepOptions(device=dev),
                              progress=False) for dev in ("cpp_standalone", "reference")}
    for brian, ref in zip(runs["cpp_standalone"].results, runs["reference"].results):
        assert abs(brian.accuracy - ref.accuracy) <= 0.03 + 1e-9, (brian, ref)
        for key in ("rate_E_hz", "rate_I_hz"):
            assert getattr(ref, key) == pytest.approx(getattr(brian, key), rel=0.05), (key, brian, ref)
    assert runs["reference"].results[0].accuracy >= 0.95        # s = 25 works, s = 60 fails
    assert runs["reference"].results[1].accuracy <= 0.2
