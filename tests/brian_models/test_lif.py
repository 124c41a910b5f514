"""The Brian2 LIF model against numbers derived by hand from its equations."""
import math

import numpy as np
import pytest

from rate2spike.brian_models import LIFBatchModel
from rate2spike.converters import convert
from rate2spike.lif_models import LIFConstants
from rate2spike.rate_models import RateNetwork
from rate2spike.simulators import CopyBatch, open_backend

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# bias below threshold: no spontaneous spikes; readout sampled every step
QUIET = LIFConstants(noise_mV=0.0, v_bias_mV=-45.0, readout_dt_s=5e-5)


def simulate(w_rec, w_in, w_out, tau_d, inputs, v0, s=1.0, constants=QUIET, stim_dt=0.005,
             trial_ids=None, **kw):
    """Compile the model for these copies and run it once at scale s (lambda = 1/s)."""
    n_copies = inputs.shape[0]
    model = LIFBatchModel(w_rec, w_in, w_out, tau_d, n_copies, inputs.shape[2], stim_dt, constants,
                          **kw)
    with open_backend(model, "cpp_standalone", seed=1) as backend:
        return backend.run(CopyBatch(inputs, np.full(n_copies, s), np.asarray(v0, float),
                                     trial_ids))


def test_constant_input_fires_at_the_analytic_lif_rate():
    c = LIFConstants(noise_mV=0.0)
    drive_mV = 30.0                       # I = v_bias + W_in u = -40 + 30 = -10 mV
    I = c.v_bias_mV + drive_mV
    isi = c.refractory_s + c.tau_m_s * math.log((I - c.v_reset_mV) / (I - c.v_th_mV))
    res = simulate(np.zeros((1, 1)), [[drive_mV]], [[0.0]], [0.05], np.ones((1, 1, 200)),
                   [c.v_reset_mV], constants=c, n_raster=1)
    times = res.raster[0][1]
    measured = np.diff(times).mean()
    assert abs(measured - isi) / isi < 0.02, (measured, isi)  # 1/rate within 2 %
    assert abs(res.spike_counts[0, 0] - 1.0 / isi) <= 2        # ~124 spikes in 1 s


@pytest.mark.slow
def test_single_spike_kernel_has_unit_area_and_analytic_peak():
    tau_d, tau_r, w = 0.05, QUIET.tau_r_s, 0.2   # W[1, 0] = 0.2 mV s: I_syn peak 3.5 mV
    w_rec = np.array([[0.0, 0.0], [w, 0.0]])
    # unit 0 starts above threshold: it spikes once at t = 0, then relaxes below -40 mV
    res = simulate(w_rec, np.zeros((2, 1)), [[1.0, 0.0]], [tau_d, tau_d], np.zeros((1, 1, 200)),
                   [0.0, -70.0], record_state=("I_syn",), record_neurons=[1])
    assert res.spike_counts.tolist() == [[1, 0]]
    dt = QUIET.dt_s
    i_syn_mV = res.state["I_syn"][0] * 1e3
    area = i_syn_mV.sum() * dt
    # exact discrete sum of the two geometric series, and the continuous-time value w
    d, r = math.exp(-dt / tau_d), math.exp(-dt / tau_r)
    assert area == pytest.approx(w * dt * dt / (tau_r * tau_d * (1 - r) * (1 - d)), rel=1e-6)
    assert area == pytest.approx(w, rel=0.02)
    t_peak = tau_r * tau_d / (tau_d - tau_r) * math.log(tau_d / tau_r)   # 6.71 ms
    assert abs(np.argmax(i_syn_mV) * dt - t_peak) <= 2 * dt
    # readout trace of unit 0 (W_out = 1 s): same kernel, unit area in seconds
    assert res.outputs[0].sum() * dt == pytest.approx(1.0, rel=0.02)
    assert abs(np.argmax(res.outputs[0]) * dt - t_peak) <= 2 * dt


def test_no_interspike_interval_shorter_than_refractory():
    c = LIFConstants(noise_mV=2.0)          # strong noise and drive: many spikes
    res = simulate(np.zeros((3, 3)), np.full((3, 1), 60.0), np.zeros((1, 3)), np.full(3, 0.05),
                   np.ones((1, 1, 100)), [-65.0] * 3, constants=c, n_raster=1)
    units, times = res.raster[0]
    assert len(times) > 200   # analytic rate ~180 Hz x 3 units x 0.5 s = 270
    for u in range(3):
        isi = np.diff(np.sort(times[units == u]))
        assert isi.min() >= c.refractory_s - 1e-9


def _small_net(seed=0, n=20):
    rng = np.random.default_rng(seed)
    w = rng.standard_normal((n, n)) * (rng.random((n, n)) < 0.3) * 2.0
    return RateNetwork(w, rng.standard_normal((n, 1)) * 5, rng.standard_normal((1, n)),
                       np.zeros(1), rng.uniform(0.02, 0.1, n), np.ones(n), "gonogo", "sigmoid")


@pytest.mark.slow
def test_trial_in_batch_equals_trial_alone_and_s_scales_only_recurrent_and_readout():
    net = _small_net()
    n, steps = net.n_units, 60
    rng = np.random.default_rng(1)
    inputs = rng.random((3, 1, steps))
    v0 = rng.uniform(-65, -30, 3 * n)
    c = LIFConstants(noise_mV=0.5)   # counter-based noise: a function of the trial id only
    model = LIFBatchModel(net.W_rec, net.W_in, net.W_out, net.tau_d_s, 3, steps, 0.005, c)
    with open_backend(model, "cpp_standalone", seed=1) as backend:   # one compiled program
        batch = backend.run(CopyBatch(inputs, np.full(3, 25.0), v0, [7, 8, 9]))
        # trial 8 again, now in copy 0 beside other trials, and with trial 9's noise in copy 2
        moved = backend.run(CopyBatch(inputs[[1, 0, 1]], np.full(3, 25.0),
                                      np.concatenate([v0[n:2 * n], v0[:n], v0[n:2 * n]]),
                                      [8, 3, 9]))
    assert batch.spike_counts[1].sum() > 10
    np.testing.assert_array_equal(batch.outputs[1], moved.outputs[0])
    np.testing.assert_array_equal(batch.spike_counts[1], moved.spike_counts[0])
    assert not np.array_equal(moved.outputs[2], moved.outputs[0])   # the noise is real
    # the conversion divides W_rec and W_out by s and keeps W_in and tau_d
    lif = convert(net, 25.0)
    assert np.allclose(lif.W_rec_scaled, net.W_rec / 25) and np.allclose(lif.W_out_scaled, net.W_out / 25)
    assert lif.rate.W_in is net.W_in and lif.rate.tau_d_s is net.tau_d_s
    # a net whose weights are already divided by 25, run at s = 1, is the same network
    # (same shape as the first model: the compiled program is reused with the new weights)
    divided = LIFBatchModel(net.W_rec / 25, net.W_in, net.W_out / 25, net.tau_d_s, 3, steps, 0.005, c)
    with open_backend(divided, "cpp_standalone", seed=1) as backend:
        pre = backend.run(CopyBatch(inputs, np.ones(3), v0, [7, 8, 9]))
    np.testing.assert_array_equal(pre.spike_counts, batch.spike_counts)
    np.testing.assert_allclose(pre.outputs, batch.outputs, rtol=1e-9, atol=1e-12)


@pytest.mark.slow
def test_no_compiler_falls_back_to_numpy_with_warning_and_same_result(monkeypatch):
    """The fallback (Brian2's NumPy target) gives the independent NumPy simulator's spikes with
    the same counter noise streams (C++ against the same streams: test_numpy_reference.py)."""
    from rate2spike.brian_models.noise import stream_ids
    from rate2spike.simulators import brian_setup
    from rate2spike.simulators.numpy_reference import simulate_reference

    net = _small_net(seed=2, n=8)
    c = LIFConstants(noise_mV=1.0, readout_dt_s=1e-4)
    inputs = np.ones((2, 1, 10))           # 50 ms: short, numpy is slow
    v0 = np.random.default_rng(0).uniform(-65, -30, 16)
    expected = simulate_reference(net.W_rec, net.W_in, net.W_out, net.tau_d_s, inputs, 0.005,
                                  np.full(2, 1 / 5.0), v0, c, noise_streams=stream_ids(1, [0, 1]))
    monkeypatch.setattr(brian_setup, "compiler_available", lambda: False)
    model = LIFBatchModel(net.W_rec, net.W_in, net.W_out, net.tau_d_s, 2, 10, 0.005, c)
    with pytest.warns(RuntimeWarning, match="falling back to the numpy runtime"):
        backend = open_backend(model, "cpp_standalone", seed=1)
    with backend:
        assert backend.device == "numpy" and "no C++ compiler" in backend.warnings[0]
        res = backend.run(CopyBatch(inputs, np.full(2, 5.0), v0, None))
    assert expected.spike_counts.sum() > 0
    np.testing.assert_array_equal(res.spike_counts, expected.spike_counts)
    np.testing.assert_array_equal(res.spike_i, expected.spike_i)
    np.testing.assert_allclose(res.outputs, expected.outputs, rtol=1e-9, atol=1e-12)


@pytest.mark.slow
def test_readout_samples_are_exact_values_of_the_per_step_readout():
    """Brian2's readout sampled every 10 steps equals every 10th value of the per-step readout
    (computed by the independent NumPy simulator, same counter noise) and the spikes agree."""
    from rate2spike.brian_models.noise import stream_ids
    from rate2spike.simulators.numpy_reference import simulate_reference

    net = _small_net(seed=3, n=10)
    inputs = np.random.default_rng(4).random((2, 1, 40))
    v0 = np.random.default_rng(5).uniform(-65, -30, 20)
    coarse = simulate(net.W_rec, net.W_in, net.W_out, net.tau_d_s, inputs, v0, s=10.0,
                      constants=LIFConstants(noise_mV=0.3, readout_dt_s=10 * 5e-5))
    fine = simulate_reference(net.W_rec, net.W_in, net.W_out, net.tau_d_s, inputs, 0.005,
                              np.full(2, 0.1), v0, LIFConstants(noise_mV=0.3, readout_dt_s=5e-5),
                              noise_streams=stream_ids(1, [0, 1]))
    assert coarse.outputs.shape == (2, fine.outputs.shape[1] // 10)
    assert coarse.readout_dt_s == pytest.approx(5e-4) and np.abs(fine.outputs).max() > 0
    np.testing.assert_allclose(coarse.outputs, fine.outputs[:, ::10], rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(fine.spike_counts, coarse.spike_counts)
