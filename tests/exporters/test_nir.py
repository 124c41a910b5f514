"""NIR export (rate2spike.exporters.nir_export) and the NumPy NIR interpreter
(rate2spike.exporters.nir_interpreter): file round trip, hand-computed dynamics of tiny
graphs, and spike-for-spike parity with rate2spike's own simulators.

Parity tolerance: no spike may differ (same unit, same step) and readout samples agree to
1e-12 (what differs is only the order of floating-point sums, ~1e-15 relative)."""
import math

import nir
import numpy as np
import pytest

from rate2spike.errors import Rate2SpikeError
from rate2spike.exporters.nir_export import write_nir
from rate2spike.exporters.nir_interpreter import run_nir
from rate2spike.lif_models import LIFConstants, LIFNetwork
from rate2spike.rate_models import RateNetwork
from rate2spike.tasks import get_task
from tests.conftest import TRAINED

SCALE = 25.0
NO_NOISE = LIFConstants(refractory_s=0.0, noise_mV=0.0)


def one(x):
    return np.array([float(x)])


@pytest.fixture(scope="module")
def network():
    return LIFNetwork(RateNetwork.load(TRAINED), SCALE, NO_NOISE)


# --- (a) file round trip ----------------------------------------------------------------

def test_written_graph_reads_back_with_every_array_and_the_approximations(network, tmp_path):
    rate, c, n = network.rate, network.constants, network.n_units
    path = write_nir(network, tmp_path / "net.nir", "full")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.nir"]      # no temp file left
    g = nir.read(path)
    nodes, tau_d = g.nodes, rate.tau_d_s
    eq = np.testing.assert_array_equal
    eq(nodes["input_linear"].weight, rate.W_in)
    np.testing.assert_allclose(nodes["recurrent_linear"].weight,
                               rate.W_rec / SCALE / tau_d[:, None], rtol=1e-14, atol=0)
    np.testing.assert_allclose(nodes["output_linear"].weight, rate.W_out / SCALE, rtol=1e-14, atol=0)
    eq(nodes["readout_linear"].weight, np.diag(1.0 / tau_d))
    lif = nodes["lif"]
    for value, expected in [(lif.tau, c.tau_m_s), (lif.r, 1.0), (lif.v_leak, c.v_bias_mV),
                            (lif.v_threshold, c.v_th_mV), (lif.v_reset, c.v_reset_mV)]:
        eq(value, np.full(n, expected))
    for name in ("rise", "readout_rise"):
        eq(nodes[name].tau, np.full(n, c.tau_r_s)), eq(nodes[name].r, np.ones(n))
        eq(nodes[name].v_leak, np.zeros(n))
    for name in ("decay", "readout_decay"):
        eq(nodes[name].tau, tau_d), eq(nodes[name].r, tau_d), eq(nodes[name].v_leak, np.zeros(n))
    assert set(g.edges) == {
        ("input", "input_linear"), ("input_linear", "lif"), ("lif", "recurrent_linear"),
        ("recurrent_linear", "rise"), ("rise", "decay"), ("decay", "lif"),
        ("lif", "readout_linear"), ("readout_linear", "readout_rise"),
        ("readout_rise", "readout_decay"), ("readout_decay", "output_linear"),
        ("output_linear", "output")}
    meta = g.metadata
    assert meta["scale_s"] == SCALE and meta["lambda"] == pytest.approx(1 / SCALE, rel=1e-15)
    assert meta["units"]["time"] == "s" and meta["units"]["voltage"] == "mV"
    text = " ".join(meta["approximations"].values())
    for fact in ("refractory", "noise", "b_out", "initial voltages", "samples it every",
                 str(c.readout_dt_s)):
        assert fact in text
    assert "rate2spike" in meta["source"]


def test_write_refuses_a_missing_folder_and_replaces_an_existing_file(network, tmp_path):
    with pytest.raises(Rate2SpikeError, match="does not exist"):
        write_nir(network, tmp_path / "missing" / "net.nir")
    target = tmp_path / "net.nir"
    target.write_text("old")
    write_nir(network, target, "full")
    assert nir.read(target).nodes["lif"].tau.shape == (network.n_units,)


# --- (b) the interpreter on hand-made graphs --------------------------------------------

def graph(nodes, edges):
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata={})


def test_lif_under_constant_drive_fires_at_the_euler_crossing_step():
    """v_n = v_inf - (v_inf - v_reset) (1 - dt/tau)^n from v_0 = v_reset: the first step whose
    update reaches v_th is K - 1 with K = ceil(ln((v_inf - v_th) / (v_inf - v_reset)) /
    ln(1 - dt/tau)); after each reset the same K steps repeat."""
    tau, r, v_leak, v_th, drive, dt = 0.01, 2.0, -0.5, 1.0, 1.0, 1e-4
    v_inf = v_leak + r * drive
    k = math.ceil(math.log((v_inf - v_th) / (v_inf - v_leak)) / math.log(1 - dt / tau))
    assert k == 138    # continuous time would give tau ln 4 = 138.6 steps
    g = graph({"input": nir.Input(np.array([1])), "lif": nir.LIF(one(tau), one(r), one(v_leak),
               one(v_th), one(v_leak)), "output": nir.Output(np.array([1]))},
              [("input", "lif"), ("lif", "output")])
    run = run_nir(g, np.full((1000, 1), drive), dt)           # starts at v_leak = v_reset
    units, steps = run.spike_events("lif")
    np.testing.assert_array_equal(steps, np.arange(k - 1, 1000, k))
    np.testing.assert_array_equal(run.output_impulses["output"][:, 0], run.spikes["lif"][:, 0])


def test_if_under_constant_drive_fires_every_ceil_threshold_over_charge_steps():
    dt, r, drive, v_th = 1e-3, 3.0, 2.0, 1.0                    # +0.006 per step
    g = graph({"input": nir.Input(np.array([1])), "if": nir.IF(one(r), one(v_th), one(0.0))},
              [("input", "if")])
    run = run_nir(g, np.full((500, 1), drive), dt)
    k = math.ceil(v_th / (dt * r * drive))                      # 167 steps per spike
    np.testing.assert_array_equal(run.spike_events("if")[1], np.arange(k - 1, 500, k))


def test_a_spike_reaches_a_spiking_node_one_step_later_as_a_jump_of_r_w_over_tau():
    tau = 0.01
    cell = dict(tau=one(tau), r=one(1.0), v_leak=one(0.0), v_threshold=one(1.0), v_reset=one(0.0))
    g = graph({"input": nir.Input(np.array([1])), "a": nir.LIF(**cell), "w": nir.Linear(
               np.array([[1.5 * tau]])), "b": nir.LIF(**cell)},
              [("input", "a"), ("a", "w"), ("w", "b")])
    run = run_nir(g, np.zeros((5, 1)), 1e-4, {"a": one(10.0)}, record=["b"])   # a fires at step 0
    np.testing.assert_array_equal(run.spike_events("a")[1], [0])
    np.testing.assert_array_equal(run.spike_events("b")[1], [1])
    np.testing.assert_allclose(run.states["b"][:, 0], [0, 0, 0, 0, 0])       # 1.5 -> reset at once


def test_affine_and_scale_map_the_input_of_the_same_step():
    w, b, s = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 0.5]]), np.array([0.5, 0.0, -1.0]), np.array(
        [2.0, -1.0, 0.5])
    g = graph({"input": nir.Input(np.array([2])), "affine": nir.Affine(w, b), "scale": nir.Scale(s),
               "output": nir.Output(np.array([3]))},
              [("input", "affine"), ("affine", "scale"), ("scale", "output")])
    u = np.arange(8.0).reshape(4, 2)
    run = run_nir(g, u, 1e-3)
    expected = np.array([s * (w @ row + b) for row in u])
    np.testing.assert_allclose(run.outputs["output"], expected, rtol=1e-15)


def test_double_exponential_li_chain_has_the_analytic_peak_and_unit_area():
    """One spike at step 0 through Linear(w/tau_d) -> LI(tau_r, r=1) -> LI(tau_d, r=tau_d):
    continuous kernel x(t) = w (e^{-t/tau_d} - e^{-t/tau_r}) / (tau_d - tau_r), area w,
    peak at t* = ln(tau_d/tau_r) tau_r tau_d / (tau_d - tau_r). The recursion gives
    h = K e_r^(n-1) after step 0 (K = w/(tau_r tau_d)) and x_n = dt K (e_d^(n-1) - e_r^(n-1))
    / (e_d - e_r) at t_n (one step behind t = 0, like rate2spike's traces)."""
    dt, tau_r, tau_d, w = 2e-5, 0.002, 0.01, 0.7
    cell = dict(tau=one(0.01), r=one(1.0), v_leak=one(0.0), v_threshold=one(1.0), v_reset=one(0.0))
    g = graph({"input": nir.Input(np.array([1])), "lif": nir.LIF(**cell),
               "to_rise": nir.Linear(np.array([[w / tau_d]])),
               "rise": nir.LI(one(tau_r), one(1.0), one(0.0)),
               "decay": nir.LI(one(tau_d), one(tau_d), one(0.0)), "output": nir.Output(np.array([1]))},
              [("input", "lif"), ("lif", "to_rise"), ("to_rise", "rise"), ("rise", "decay"),
               ("decay", "output")])
    n_steps = 7500                                                       # 15 tau_d
    run = run_nir(g, np.zeros((n_steps, 1)), dt, {"lif": one(5.0)})
    assert run.spikes["lif"][:, 0].sum() == 1 and run.spikes["lif"][0, 0]
    x = run.outputs["output"][:, 0]
    e_r, e_d, kick = math.exp(-dt / tau_r), math.exp(-dt / tau_d), w / (tau_r * tau_d)
    n = np.arange(1, n_steps)
    exact = dt * kick * (e_d ** (n - 1) - e_r ** (n - 1)) / (e_d - e_r)
    assert x[0] == 0
    np.testing.assert_allclose(x[1:], exact, rtol=1e-9, atol=1e-12)
    # against the continuous kernel: the scheme's error is O(dt / tau_r) = 1 %
    t_peak = math.log(tau_d / tau_r) * tau_r * tau_d / (tau_d - tau_r)
    peak = w * (math.exp(-t_peak / tau_d) - math.exp(-t_peak / tau_r)) / (tau_d - tau_r)
    assert x.max() == pytest.approx(peak, rel=0.01)
    assert (np.argmax(x) - 1) * dt == pytest.approx(t_peak, abs=2 * dt)
    assert x.sum() * dt == pytest.approx(w, rel=0.01)
    assert x.sum() * dt == pytest.approx(dt * dt * kick / ((1 - e_r) * (1 - e_d)), rel=1e-6)


def test_cuba_nodes_settle_at_v_leak_plus_r_w_in_times_the_input():
    drive, dt = 0.5, 1e-4
    cuba = dict(tau_syn=one(0.005), tau_mem=one(0.01), r=one(2.0), v_leak=one(-1.0), w_in=one(3.0))
    g = graph({"input": nir.Input(np.array([1])), "li": nir.CubaLI(**cuba),
               "lif": nir.CubaLIF(**cuba, v_threshold=one(1.5), v_reset=one(-1.0))},
              [("input", "li"), ("input", "lif")])
    run = run_nir(g, np.full((3000, 1), drive), dt)              # 0.3 s = 30 tau_mem
    # fixed points of "x e^{-dt/tau} + dt r I / tau": x* = r I (dt/tau) / (1 - e^{-dt/tau})
    gain = lambda tau: (dt / tau) / (1 - math.exp(-dt / tau))
    current = 3.0 * drive * gain(0.005)
    assert run.final_state["li"]["I"][0] == pytest.approx(current, rel=1e-9)
    assert run.final_state["li"]["v"][0] == pytest.approx(-1.0 + 2.0 * current * gain(0.01), rel=1e-9)
    gaps = np.diff(run.spike_events("lif")[1])                   # v* = 2 > 1.5: regular firing
    assert len(gaps) > 3 and np.all(gaps[1:] == gaps[1])


# --- (c) parity with rate2spike's simulators ---------------------------------------------

PARITY_RATE_STEPS = 80          # 0.4 s of the trial: the Go pulse is on from 0.25 to 0.375 s
PARITY_SEED = 7


@pytest.fixture(scope="module")
def parity(network, tmp_path_factory):
    """One Go trial through the written-and-read graph: (network, trial inputs, trial id,
    initial voltages, the interpreter's run)."""
    from rate2spike.simulators.lif import initial_voltages

    batch = get_task("gonogo").generate(8, seed=1)
    trial = int(np.flatnonzero(batch.conditions == "go")[0])
    inputs = batch.inputs[trial:trial + 1, :, :PARITY_RATE_STEPS]
    c = network.constants
    v0 = initial_voltages([trial], network.n_units, c, PARITY_SEED)
    per_step = round(batch.dt_s / c.dt_s)                                 # 100 LIF steps
    g = nir.read(write_nir(network, tmp_path_factory.mktemp("nir") / "gonogo.nir", "full"))
    run = run_nir(g, np.repeat(inputs[0].T, per_step, axis=0), c.dt_s, {"lif": v0})
    return batch.dt_s, inputs, trial, v0, run


def assert_same_spikes_and_readout(run, units, times_s, samples, c):
    """Identical (unit, step) spike sets and readout samples k = outputs[k * stride]."""
    steps = np.round(np.asarray(times_s) / c.dt_s).astype(int)
    ours_steps, ours_units = np.nonzero(run.spikes["lif"])
    assert len(ours_steps) > 300
    assert sorted(zip(ours_units, ours_steps)) == sorted(zip(np.asarray(units), steps))
    ours = run.outputs["output"][::c.readout_stride, 0]
    assert np.abs(ours).max() > 0.3                                       # the Go response
    np.testing.assert_allclose(ours, samples, rtol=0, atol=1e-12)


def test_interpreter_matches_the_numpy_reference_spike_for_spike(network, parity):
    from rate2spike.simulators.numpy_reference import simulate_reference

    stim_dt, inputs, _, v0, run = parity
    r, c = network.rate, network.constants
    ref = simulate_reference(r.W_rec, r.W_in, r.W_out, r.tau_d_s, inputs, stim_dt, [1 / SCALE],
                             v0, c)
    assert_same_spikes_and_readout(run, ref.spike_i, ref.spike_t, ref.outputs[0], c)


@pytest.mark.slow
def test_interpreter_matches_brian2_spike_for_spike(network, parity):
    from rate2spike.simulators.lif import simulate_lif

    stim_dt, inputs, trial, _, run = parity
    sim = simulate_lif(network, inputs, stim_dt, device="cpp_standalone", seed=PARITY_SEED,
                       trial_ids=[trial], raster_trials=[0])
    units, times = sim.runs[SCALE].rasters[0]
    assert_same_spikes_and_readout(run, units, times, sim.runs[SCALE].outputs[0], network.constants)
