"""Artificial stimulation in the Brian2 model and the NumPy reference, against the analytic
behaviour of a leaky membrane driven by random kicks."""
import numpy as np
import pytest

from rate2spike.brian_models import LIFBatchModel
from rate2spike.brian_models.noise import stream_ids
from rate2spike.lif_models import LIFConstants, LIFNetwork, Stimulation
from rate2spike.rate_models import RateNetwork
from rate2spike.simulators import CopyBatch, open_backend, simulate_lif
from rate2spike.simulators.numpy_reference import simulate_reference
from rate2spike.tasks import get_task
from tests.conftest import TRAINED

N, WINDOW = 10, (0.1, 0.4)


def isolated_units(constants) -> LIFNetwork:
    """N unconnected units without input: only the bias and the kicks move v."""
    rate = RateNetwork(np.zeros((N, N)), np.zeros((N, 1)), np.zeros((1, N)), np.zeros(1),
                       np.full(N, 0.02), np.ones(N), task="gonogo", act="sigmoid")
    return LIFNetwork(rate, 1.0, constants)


@pytest.mark.parametrize("device", ["cpp_standalone", "reference"])
def test_excitatory_kicks_fire_at_the_rate_of_the_mean_drive(device):
    """Kicks of +0.5 mV with p = 0.5 per step add a mean drive of 0.25 mV / (dt / tau_m)
    = 50 mV to the bias (-45 mV): mu = 5 mV, so a unit fires every
    t_ref + tau_m ln((mu - v_reset) / (mu - v_th)) = 2 ms + 10 ms ln(70/45) = 6.42 ms (156 Hz;
    the kicks' fluctuations, ~2.5 mV, shift it a little). Unstimulated units never reach
    threshold (rest at -45 mV); after the window the stimulated ones stop."""
    c = LIFConstants(noise_mV=0.0, v_bias_mV=-45.0)
    net = isolated_units(c)
    stim = Stimulation("exc", range(5), WINDOW)
    sim = simulate_lif(net, np.zeros((2, 1, 100)), 0.005, device=device, raster_trials=[0, 1],
                       stimulation=stim)
    expected_hz = 1 / (0.002 + 0.01 * np.log(70 / 45))
    for units, times in sim.runs[1.0].rasters.values():
        v0_spikes = times < 0.005                     # initial voltages above threshold
        units, times = units[~v0_spikes], times[~v0_spikes]
        assert set(units) <= set(range(5))
        assert times.min() >= WINDOW[0] and times.max() < WINDOW[1] + 0.001
        rate = len(times) / 5 / (WINDOW[1] - WINDOW[0])
        assert rate == pytest.approx(expected_hz, rel=0.15)


def test_inhibitory_kicks_hold_v_at_the_analytic_mean():
    """v_{n+1} = v_n + dt/tau_m (v_bias - v_n) - 0.5 mV * coin: stationary mean
    v_bias - 0.25 mV / (dt / tau_m) = -45 - 50 = -95 mV."""
    c = LIFConstants(noise_mV=0.0, v_bias_mV=-45.0)
    sim = simulate_lif(isolated_units(c), np.zeros((1, 1, 100)), 0.005, record=("v",),
                       record_trials=[0], stimulation=Stimulation("inh", range(5), WINDOW))
    v_mV = sim.runs[1.0].states[0]["v"] * 1e3           # (N, samples every 0.5 ms)
    late = slice(int(0.2 / 5e-4), int(0.4 / 5e-4))      # after 10 tau_m in the window
    assert v_mV[:5, late].mean() == pytest.approx(-95.0, abs=1.0)
    np.testing.assert_allclose(v_mV[5:, late], -45.0, atol=0.01)   # untouched units at rest
    assert v_mV[:5, -1].mean() > -46                    # relaxed back to rest by t = 1 s


@pytest.mark.slow
def test_brian2_and_reference_agree_spike_for_spike_with_stimulation_and_counter_noise():
    net = RateNetwork.load(TRAINED)
    inputs = get_task("gonogo").generate(2, 5).inputs[:, :, :60]
    v0 = np.random.default_rng(1).uniform(-65, 30, 2 * net.n_units)
    c = LIFConstants(noise_mV=0.3)
    stim = Stimulation("inh", np.flatnonzero(net.dale_sign < 0), (0.1, 0.25))
    model = LIFBatchModel(net.W_rec, net.W_in, net.W_out, net.tau_d_s, 2, 60, 0.005, c,
                          stimulation=stim)
    with open_backend(model, "cpp_standalone", seed=4) as backend:
        brian = backend.run(CopyBatch(inputs, np.full(2, 25.0), v0, None))
    ref = simulate_reference(net.W_rec, net.W_in, net.W_out, net.tau_d_s, inputs, 0.005,
                             np.full(2, 1 / 25), v0, c, noise_streams=stream_ids(4, [0, 1]),
                             stimulation=stim)
    np.testing.assert_array_equal(ref.spike_i, brian.spike_i)
    np.testing.assert_allclose(ref.spike_t, brian.spike_t, atol=1e-9)
    inh = np.flatnonzero(net.dale_sign < 0)
    in_window = (brian.spike_t > 0.12) & (brian.spike_t < 0.25)
    assert not np.isin(brian.spike_i[in_window] % net.n_units, inh).any()   # I units silenced
