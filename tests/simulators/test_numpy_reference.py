"""The independent NumPy simulator (``device="reference"``) against the Brian2 model, spike for
spike with the same counter noise. Without noise they agree spike for spike in
tests/simulators/test_build_cache.py (the trained net, each program of the cache) and their
sweep tables with noise within binomial error in tests/simulators/test_torch_backend.py (one
Brian2 run checks both the reference and torch)."""
import numpy as np

from rate2spike.brian_models import LIFBatchModel
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


