"""The LIF timing details of the authors' LIF_network_fnc.m as switches: each moves what it
should by the number of steps derived by hand, and Brian2 and the NumPy reference agree spike
for spike with all three on."""
import numpy as np
import pytest

from rate2spike.brian_models import LIFBatchModel
from rate2spike.config import REFERENCE_TIMING
from rate2spike.lif_models import LIFConstants
from rate2spike.rate_models import RateNetwork
from rate2spike.simulators import CopyBatch, open_backend
from rate2spike.simulators.numpy_reference import simulate_reference
from rate2spike.tasks import get_task
from tests.conftest import TRAINED


def _first_spike_step(inputs, **switches) -> int:
    """One isolated unit at rest (bias and v0 -50 mV, no noise), driven by W_in = 20 mV times
    ``inputs`` (5 ms samples): the step of its first spike. Once driven, v = -30 - 20 (1 -
    dt/tau_m)^m crosses -40 at m = 139 updates (0.995^m <= 1/2 <=> m >= 138.3): step
    (first driven step) + 138."""
    c = LIFConstants(noise_mV=0.0, v_bias_mV=-50.0, **switches)
    res = simulate_reference(np.zeros((1, 1)), [[20.0]], [0.0], [0.02],
                             np.asarray(inputs, float)[None, None, :], 0.005, [1.0], [-50.0], c)
    return int(round(res.spike_t[0] / c.dt_s))


def test_the_round_input_switch_reads_the_next_sample_51_steps_early():
    c = LIFConstants()
    assert c.input_lead_steps(0.005) == 0
    assert LIFConstants(input_switch="round").input_lead_steps(0.005) == 51   # 100/2 + 1
    u = [0.0, 1.0, 1.0, 1.0]                    # the drive starts with the second sample
    floor, rounded = _first_spike_step(u), _first_spike_step(u, input_switch="round")
    assert floor == 100 + 138 and rounded == 49 + 138    # driven from step 100, or 49


def test_the_start_hold_delays_the_first_drift_by_two_ms():
    u = [1.0, 1.0, 1.0, 1.0]
    assert _first_spike_step(u) == 138
    assert _first_spike_step(u, start_hold_s=0.002) == 40 + 138     # no drift for 2 ms / dt


@pytest.mark.parametrize("holds, moves", [("v", False), ("drift", True)])
def test_refractory_holds_v_or_only_its_drift(holds, moves):
    """Brian2 (runtime, counter noise): v of a unit during the 2 ms after its spike."""
    c = LIFConstants(noise_mV=1.0, refractory_holds=holds)
    model = LIFBatchModel(np.zeros((1, 1)), [[0.0]], [0.0], [0.02], 1, 4, 0.005, c,
                          record_state=("v",), record_neurons=[0])
    with open_backend(model, "numpy", seed=3) as backend:
        res = backend.run(CopyBatch(np.zeros((1, 1, 4)), np.array([1.0]), np.array([-30.0]),
                                    None))
    v = res.state["v"][0] * 1e3                         # mV, every step (recorded at its start)
    assert res.spike_t[0] == 0.0                        # v0 above threshold: spike at step 0
    during = v[1:40]                                    # steps 1..39: refractory
    assert during[0] == pytest.approx(-65.0, abs=4.0)
    assert (np.ptp(during) > 0.5) == moves            # noise moves v only with "drift"
    if not moves:
        assert np.all(during == -65.0)


def test_with_the_reference_timing_brian2_and_reference_agree_spike_for_spike():
    from rate2spike.brian_models.noise import stream_ids

    net = RateNetwork.load(TRAINED)
    inputs = get_task("gonogo").generate(2, 7).inputs[:, :, :50]
    v0 = np.random.default_rng(2).uniform(-65, 30, 2 * net.n_units)
    c = LIFConstants(noise_mV=0.5, **REFERENCE_TIMING)
    model = LIFBatchModel(net.W_rec, net.W_in, net.W_out, net.tau_d_s, 2, 50, 0.005, c)
    with open_backend(model, "cpp_standalone", seed=4) as backend:
        brian = backend.run(CopyBatch(inputs, np.full(2, 25.0), v0, None))
    ref = simulate_reference(net.W_rec, net.W_in, net.W_out, net.tau_d_s, inputs, 0.005,
                             np.full(2, 1 / 25), v0, c, noise_streams=stream_ids(4, [0, 1]))
    assert brian.spike_counts.sum() > 500
    np.testing.assert_array_equal(ref.spike_i, brian.spike_i)
    np.testing.assert_allclose(ref.outputs, brian.outputs, rtol=1e-7, atol=1e-9)
