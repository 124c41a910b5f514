"""The single-exponential synapse (tau_r = 0, the reference's ``tr == 0`` branch) in Brian2
and in the NumPy reference: its kernel against the analytic one, and the two simulators
spike for spike."""
import numpy as np
import pytest

from rate2spike.brian_models import LIFBatchModel
from rate2spike.errors import Rate2SpikeError
from rate2spike.exporters.brian2_script import export_arrays
from rate2spike.exporters.nir_export import to_nir
from rate2spike.lif_models import LIFConstants, LIFNetwork
from rate2spike.lif_models.readout import readout_traces
from rate2spike.rate_models import RateNetwork
from rate2spike.simulators import CopyBatch, open_backend
from rate2spike.tasks import get_task
from tests.conftest import TRAINED

SINGLE = LIFConstants(noise_mV=0.0, tau_r_s=0.0)


def _one_spike(device):
    """Unit 0 starts at threshold and spikes at step 0, then stays silent (v0 far below, no
    input): the receiving unit 1's I_syn and unit 0's readout trace are the bare kernel."""
    tau_d = np.array([0.03, 0.04])
    w_rec = np.array([[0.0, 0.0], [-2.0, 0.0]])          # 1 receives from 0, -2 mV s
    model = LIFBatchModel(w_rec, np.zeros((2, 1)), np.array([1.0, 0.0]), tau_d, 1, 60, 0.005,
                          SINGLE, record_state=("I_syn",), record_neurons=[1])
    with open_backend(model, device) as backend:
        res = backend.run(CopyBatch(np.zeros((1, 1, 60)), np.array([1.0]),
                                    np.array([-40.0, -2000.0]), None))
    return res, tau_d


@pytest.mark.parametrize("device", ["numpy", "reference"])
def test_the_single_exponential_kernel_has_unit_area_and_its_peak_at_the_spike(device):
    if device == "reference":
        from rate2spike.simulators.numpy_reference import simulate_reference
        tau_d = np.array([0.03, 0.04])
        res = simulate_reference([[0.0, 0.0], [-2.0, 0.0]], np.zeros((2, 1)), [1.0, 0.0], tau_d,
                                 np.zeros((1, 1, 60)), 0.005, [1.0], [-40.0, -2000.0], SINGLE)
    else:
        res, tau_d = _one_spike(device)
    c = SINGLE
    assert res.spike_counts.tolist() == [[1, 0]] and res.spike_t[0] == 0.0
    o = res.outputs[0]                 # o = r_0: each sample k = a_d^(10k - 1) / tau_d
    a = np.exp(-c.dt_s / tau_d[0])
    k = np.arange(1, len(o))
    np.testing.assert_allclose(o[1:], a ** (10 * k - 1) / tau_d[0], rtol=1e-9)
    assert o[0] == 0.0 and o.max() == pytest.approx(a ** 9 / tau_d[0])   # peak 1/tau_d
    # area of the per-step kernel: dt / (tau_d (1 - a)) -> 1 as dt -> 0; of the samples, the
    # same geometric series with ratio a^10, over the K - 1 samples after the spike
    K = len(o)
    assert o.sum() * c.readout_dt_s == pytest.approx(
        c.readout_dt_s * a ** 9 * (1 - a ** (10 * (K - 1))) / tau_d[0] / (1 - a ** 10), rel=1e-9)
    assert o.sum() * c.readout_dt_s == pytest.approx(1.0, abs=0.01)
    assert c.dt_s / (tau_d[0] * (1 - a)) == pytest.approx(1.0, abs=1e-3)
    # the same kernel rebuilt from the spike
    r = readout_traces([res.spike_i], [res.spike_t], 2, tau_d, c, len(o))[0, 0]
    np.testing.assert_allclose(r, o, rtol=1e-12, atol=1e-12)
    if device == "numpy":          # I_syn of unit 1 jumps by W / tau_d1 in the spike's step
        i_syn = res.state["I_syn"][0] * 1e3                # volt -> mV, every step
        assert i_syn[1] == pytest.approx(-2.0 / tau_d[1], rel=1e-9)
        assert i_syn[2] / i_syn[1] == pytest.approx(np.exp(-c.dt_s / tau_d[1]), rel=1e-9)


def test_single_exponential_brian2_and_reference_agree_spike_for_spike():
    net = RateNetwork.load(TRAINED)
    inputs = get_task("gonogo").generate(2, 3).inputs[:, :, :60]
    v0 = np.random.default_rng(0).uniform(-65, 30, 2 * net.n_units)
    results = []
    for device in ("cpp_standalone", "reference"):
        model = LIFBatchModel(net.W_rec, net.W_in, net.W_out, net.tau_d_s, 2, 60, 0.005, SINGLE)
        with open_backend(model, device) as backend:
            results.append(backend.run(CopyBatch(inputs, np.full(2, 25.0), v0, None)))
    brian, ref = results
    assert brian.spike_counts.sum() > 500
    np.testing.assert_array_equal(ref.spike_i, brian.spike_i)
    np.testing.assert_allclose(ref.outputs, brian.outputs, rtol=1e-7, atol=1e-9)


def test_single_exponential_nets_are_refused_by_the_exports_with_a_reason():
    lif = LIFNetwork(RateNetwork.load(TRAINED), 25.0, SINGLE)
    for export in (to_nir, lambda n: export_arrays(n)):
        with pytest.raises(Rate2SpikeError, match="single-exponential"):
            export(lif)
