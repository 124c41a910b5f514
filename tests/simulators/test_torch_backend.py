"""The torch simulator of the converted LIF net (``device="torch"``): the counter noise draw for
draw, Brian2's spikes in float64, the independent NumPy reference's spikes under every switch
of the model, and the same sweep table as Brian2 in float32."""
import json

import numpy as np
import pytest
import torch

from rate2spike.brian_models.noise import counter_normal as numpy_normal
from rate2spike.brian_models.noise import stream_ids
from rate2spike.config import REFERENCE_TIMING
from rate2spike.converters import SweepOptions, convert, sweep_scales
from rate2spike.lif_models import LIFConstants, Stimulation
from rate2spike.rate_models import RateNetwork
from rate2spike.simulators import torch_chunks
from rate2spike.simulators.numpy_reference import simulate_reference
from rate2spike.simulators.torch_backend import _chunk_plan, simulate_torch
from rate2spike.simulators.torch_lif import step_constants
from rate2spike.simulators.torch_noise import counter_normal, edges_like, noise_keys
from rate2spike.tasks import get_task
from tests.conftest import TRAINED


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_the_counter_draws_equal_numpys_draw_for_draw(dtype):
    """Streams of every sign bit, units up to 2**30 (the stimulation coin) and steps past 2**32:
    the int64 SplitMix64 gives NumPy's uint64 one bit for bit."""
    streams = np.concatenate([stream_ids(7, np.arange(40)), [0, 2**31 - 1]])
    units = np.array([0, 1, 199, 2**30])
    keys = noise_keys(torch.as_tensor(streams).reshape(-1, 1), torch.as_tensor(units).reshape(1, -1))
    edges = edges_like(torch.zeros(0, dtype=dtype))
    for step in (0, 1, 19_999, 2**33 + 5):
        expected = numpy_normal(streams.reshape(-1, 1), units.reshape(1, -1), step)
        got = counter_normal(keys, step, edges).double().numpy()
        if dtype == torch.float64:
            np.testing.assert_array_equal(got, expected)
        else:
            np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


CASES = {
    "default": (LIFConstants(noise_mV=0.5), None),
    "single-exponential": (LIFConstants(noise_mV=0.5, tau_r_s=0.0), None),
    "reference timing": (LIFConstants(noise_mV=0.5, **REFERENCE_TIMING), None),
    "inhibitory stimulation": (LIFConstants(noise_mV=0.3), ("inh", (0.03, 0.1))),
    "excitatory stimulation, v held": (LIFConstants(noise_mV=0.3, refractory_holds="v"),
                                       ("exc", (0.03, 0.1))),
}


@pytest.mark.parametrize("case, dense, chunked",
                         [(case, k % 2 == 1, False) for k, case in enumerate(CASES)]
                         + [(case, True, True) for case in ("default", "single-exponential")])
def test_float64_torch_gives_the_numpy_references_spikes_under_every_switch(case, dense, chunked):
    """The NumPy reference (itself spike for spike with Brian2 in each of these cases) and
    torch with the same counter streams, on 0.12 s of two trials at two scales; the recurrent
    input spike by spike (the CPU path) or as one product (the GPU path), and with the steps in
    chunks of 100 (the GPU's CUDA-graph path, here run without capture: relative spike times,
    stimulus window and noise buffers; the start hold and tails: the test below)."""
    constants, stim = CASES[case]
    net = RateNetwork.load(TRAINED)
    inputs = np.repeat(get_task("gonogo").generate(2, 5).inputs[:, :, :24], 2, axis=0)
    v0 = np.random.default_rng(1).uniform(-65, 30, 4 * net.n_units)
    lam, streams = 1 / np.array([20.0, 20.0, 40.0, 40.0]), stream_ids(4, [0, 1, 0, 1])
    stimulation = None if stim is None else Stimulation(
        stim[0], np.flatnonzero(net.dale_sign < 0 if stim[0] == "inh" else net.dale_sign > 0)[:30],
        stim[1])
    assert stimulation is None or stimulation.window_s[1] < 0.12
    args = (net.W_rec, net.W_in, net.W_out, net.tau_d_s, inputs, 0.005, lam, v0, constants)
    ref = simulate_reference(*args, noise_streams=streams, stimulation=stimulation)
    ours = simulate_torch(*args, streams, stimulation, dense=dense, chunked=chunked)
    assert ref.spike_counts.sum() > 500
    np.testing.assert_array_equal(ours.spike_i, ref.spike_i)
    np.testing.assert_array_equal(ours.spike_t, ref.spike_t)
    np.testing.assert_allclose(ours.outputs, ref.outputs, rtol=1e-9, atol=1e-12)


def test_a_unit_driven_above_threshold_fires_at_the_analytic_lif_rate():
    """One isolated unit, constant drive v_inf = -30 mV, no noise: inter-spike interval =
    refractory + the steps m to climb from -65 to -40 mV, (1 - dt/tau_m)^m <= 10/35."""
    c = LIFConstants(noise_mV=0.0, v_bias_mV=-30.0)
    res = simulate_torch(np.zeros((1, 1)), [[0.0]], [0.0], [0.02], np.zeros((1, 1, 40)), 0.005,
                         [1.0], [-65.0], c, [0])
    m = int(np.ceil(np.log(10 / 35) / np.log(1 - c.dt_s / c.tau_m_s)))
    intervals = np.diff(np.round(res.spike_t / c.dt_s).astype(int))
    assert res.spike_t[0] == pytest.approx((m - 1) * c.dt_s)        # updates at steps 0 ... m-1
    np.testing.assert_array_equal(intervals, m + round(c.refractory_s / c.dt_s) - 1)


@pytest.mark.slow
def test_torch_in_float32_and_the_numpy_reference_give_brian2s_sweep_table_within_binomial_error():
    """The default net at a working and a failing s, 24 held-out trials each, same trials and
    seed, on ``cpp_standalone``, on torch in float32 and on the independent NumPy reference:
    accuracy within two binomial standard errors, mean E and I rates within 5 %."""
    net = RateNetwork.load(TRAINED)
    task = get_task("gonogo")
    batch = task.generate(24, 11)
    runs = {dev: sweep_scales(convert(net, 25.0), task, batch, [25, 60],
                              SweepOptions(device=dev, torch_dtype="float32"), progress=False)
            for dev in ("cpp_standalone", "torch", "reference")}
    for other in ("torch", "reference"):
        for brian, ours in zip(runs["cpp_standalone"].results, runs[other].results):
            p = max(brian.accuracy * (1 - brian.accuracy), 0.02)
            assert abs(ours.accuracy - brian.accuracy) <= 2 * np.sqrt(p / 24), (other, brian, ours)
            for key in ("rate_E_hz", "rate_I_hz"):
                assert getattr(ours, key) == pytest.approx(getattr(brian, key), rel=0.05), (other, key)
        assert runs[other].results[0].accuracy >= 0.95 and runs[other].results[1].accuracy <= 0.2
        assert runs[other].device == other


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the refusal on a machine without a GPU")
@pytest.mark.parametrize("command", ["convert", "simulate", "compare"])
def test_torch_device_cuda_without_a_gpu_exits_2_and_writes_nothing(tmp_path, run_cli, command):
    from rate2spike.lif_models import LIFNetwork

    lif = str(LIFNetwork(RateNetwork.load(TRAINED), s=25).save(tmp_path / "lif_network"))
    out = tmp_path / "out"
    first = {"convert": ["convert", "--task", "gonogo", "--model", str(TRAINED)],
             "simulate": ["simulate", lif],
             "compare": ["compare", "--task", "gonogo", "--rate-model", str(TRAINED),
                         "--scale", "25"]}[command]
    code, cap = run_cli([*first, "--device", "torch", "--torch-device", "cuda", "--out", str(out)])
    assert code == 2 and "no CUDA device" in cap.err and len(cap.err.strip().splitlines()) == 1
    assert not out.exists()


@pytest.mark.slow
def test_in_float64_torch_gives_brian2s_spikes_over_a_whole_go_trial(tmp_path, run_cli):
    """``simulate --condition go --device torch --torch-dtype float64`` and the same command on
    cpp_standalone (1 s, 20,000 steps, noise on, same seed): the same spikes, unit and step, the
    same readout to rounding, and the report names each simulator."""
    from rate2spike.lif_models import LIFNetwork

    lif = str(LIFNetwork(RateNetwork.load(TRAINED), s=25).save(tmp_path / "lif_network"))
    runs = {}
    for dev in ("torch", "cpp_standalone"):
        out = tmp_path / dev
        code, cap = run_cli(["simulate", lif, "--condition", "go", "--trials", "1", "--seed", "3",
                             "--device", dev, "--torch-dtype", "float64", "--out", str(out),
                             "--quiet"])
        assert code == 0, cap.err
        summary = json.loads((out / "simulation.json").read_text())
        assert summary["device"] == dev and summary["accuracy"] == 1.0
        runs[dev] = np.load(out / "simulation.npz")
    ours, brian = runs["torch"], runs["cpp_standalone"]
    assert len(brian["spike_unit"]) > 1000
    np.testing.assert_array_equal(ours["spike_unit"], brian["spike_unit"])
    np.testing.assert_allclose(ours["spike_time_s"], brian["spike_time_s"], atol=1e-9)
    np.testing.assert_allclose(ours["outputs"], brian["outputs"], rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("case", ["default", "reference timing", "single-exponential, no noise"])
def test_chunks_of_300_steps_with_a_tail_give_the_step_by_step_spikes(case, monkeypatch):
    """Chunks of 300 steps over 2,500 (a 100-step tail run step by step after them), with the
    reference timing's start hold before the first chunk, or without noise: the dense float64
    run gives exactly the spikes and readouts of the same run step by step."""
    constants = {"default": LIFConstants(noise_mV=0.5),
                 "reference timing": LIFConstants(noise_mV=0.5, **REFERENCE_TIMING),
                 "single-exponential, no noise": LIFConstants(noise_mV=0.0, tau_r_s=0.0)}[case]
    monkeypatch.setattr(torch_chunks, "MIN_CHUNK_STEPS", 300)
    net = RateNetwork.load(TRAINED)
    inputs = get_task("gonogo").generate(2, 5).inputs[:, :, :25]
    v0 = np.random.default_rng(2).uniform(-65, 30, 2 * net.n_units)
    args = (net.W_rec, net.W_in, net.W_out, net.tau_d_s, inputs, 0.005, 1 / np.array([20.0, 40.0]),
            v0, constants, stream_ids(3, [0, 1]))
    k = step_constants(constants, 0.005)
    plan = _chunk_plan(k, constants.readout_stride, 2500, None, 2, net.n_units, True)
    assert plan[0] >= k.hold_steps and plan[-1] + 300 < 2500     # a tail follows the chunks
    chunked = simulate_torch(*args, dense=True, chunked=True)
    plain = simulate_torch(*args, dense=True, chunked=False)
    assert plain.spike_counts.sum() > 200
    np.testing.assert_array_equal(chunked.spike_i, plain.spike_i)
    np.testing.assert_array_equal(chunked.spike_t, plain.spike_t)
    np.testing.assert_array_equal(chunked.outputs, plain.outputs)


def test_runs_too_large_for_a_chunk_buffer_or_stimulated_are_not_chunked(monkeypatch):
    k = step_constants(LIFConstants(), 0.005)
    assert _chunk_plan(k, 10, 2000, None, 4, 200, True) == list(range(0, 2000, 100))
    assert _chunk_plan(k, 10, 2000, None, 4, 200, False) == []
    assert _chunk_plan(k, 10, 2000, object(), 4, 200, True) == []     # a stimulation
    monkeypatch.setattr(torch_chunks, "MAX_CHUNK_ELEMENTS", 100 * 4 * 200 - 1)
    assert _chunk_plan(k, 10, 2000, None, 4, 200, True) == []


def test_a_chunk_takes_and_gives_back_the_absolute_spike_steps():
    """load(state, n0) stores last_spike relative to n0; unload(n) adds n back; one run of K
    steps leaves last_spike relative to the chunk's end (refractoriness on the same integers)."""
    from rate2spike.simulators.torch_chunks import ChunkRunner
    from rate2spike.simulators.torch_lif import initial_state, lif_parameters

    net, constants = RateNetwork.load(TRAINED), LIFConstants(noise_mV=0.0)
    k = step_constants(constants, 0.005)
    inputs = get_task("gonogo").generate(1, 5).inputs[:, :, :10]
    p = lif_parameters(net.W_rec, net.W_in, net.W_out, net.tau_d_s, inputs, [1 / 20], [0], k,
                       constants.tau_r_s)
    state = initial_state(torch.full((1, net.n_units), -50.0, dtype=torch.float64), k)
    state = state._replace(last_spike=torch.arange(net.n_units).reshape(1, -1) + 300)
    runner = ChunkRunner(p, k, state, constants.readout_stride, capture=False)
    runner.load(state, 400)
    assert torch.equal(runner.state.last_spike, state.last_spike - 400)
    assert torch.equal(runner.unload(400).last_spike, state.last_spike)
    runner.run(400, None)
    spiked = runner.spikes.any(dim=0)[0]
    before = runner.unload(400 + runner.K).last_spike[0]
    assert torch.equal(before[~spiked], state.last_spike[0][~spiked])   # no spike: kept as is
    assert bool((before[spiked] >= 400).all() and (before[spiked] < 400 + runner.K).all())


def test_a_chunks_noise_drawn_in_slices_is_the_noise_drawn_at_once(monkeypatch):
    """The noise buffer filled 7 steps at a time (a small slice bound) holds the draws of the
    chunk's absolute steps, as one draw of all its steps gives them."""
    from rate2spike.simulators.torch_chunks import ChunkRunner
    from rate2spike.simulators.torch_lif import initial_state, lif_parameters, noise_block

    net, constants = RateNetwork.load(TRAINED), LIFConstants(noise_mV=0.5)
    k = step_constants(constants, 0.005)
    inputs = get_task("gonogo").generate(2, 5).inputs[:, :, :10]
    p = lif_parameters(net.W_rec, net.W_in, net.W_out, net.tau_d_s, inputs, [0.05, 0.05],
                       [3, 4], k, constants.tau_r_s)
    state = initial_state(torch.full((2, net.n_units), -50.0, dtype=torch.float64), k)
    monkeypatch.setattr(torch_chunks, "NOISE_SLICE_ELEMENTS", 7 * 2 * net.n_units)
    runner = ChunkRunner(p, k, state, constants.readout_stride, capture=False)
    calls = []
    runner.run(300, lambda first, count: calls.append(count) or noise_block(p, k, first, count))
    assert calls == [7] * 14 + [2]
    assert torch.equal(runner.noise, noise_block(p, k, 300, 100))
