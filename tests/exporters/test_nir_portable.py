"""The portable NIR graph: rate2spike's own simulator and the graph's equations agree spike for
spike on an exact-profile net, and Norse and snnTorch load the exported Go/NoGo net through
their own NIR importers and score held-out trials as rate2spike does."""
from __future__ import annotations

import io

import nir
import numpy as np
import pytest

from rate2spike import RateNetwork
from rate2spike.converters import convert
from rate2spike.errors import Rate2SpikeError
from rate2spike.exporters.nir_clients import run_in
from rate2spike.exporters.nir_portable import (
    PORTABLE_DT_S,
    portable_inputs,
    readout_from_spikes,
    to_portable_nir,
)
from rate2spike.lif_models import LIFConstants
from rate2spike.simulators.lif import simulate_lif
from rate2spike.tasks import get_task
from tests.conftest import TRAINED

#: what the portable graph expresses exactly; every unit starts at v_reset as the graph does
EXACT = LIFConstants(dt_s=PORTABLE_DT_S, tau_r_s=0.0, refractory_s=0.0, noise_mV=0.0,
                     v_init_high_mV=-65.0)


def _round_trip(graph):
    buffer = io.BytesIO()
    nir.write(buffer, graph)
    buffer.seek(0)
    return nir.read(buffer)


def _held_out(n_trials, seed=2024, stop_s=None):
    task = get_task("gonogo")
    batch = task.generate(n_trials, seed=seed)
    steps = batch.inputs.shape[2] if stop_s is None else int(round(stop_s / batch.dt_s))
    return task, batch, batch.inputs[:, :, :steps]


def test_the_graph_equations_equal_the_reference_simulator_spike_for_spike():
    """Independent paths: rate2spike's NumPy LIF simulator on the network, and the consumers'
    CubaLIF step (run_numpy) on the exported graph; same spikes, readout within 1e-9."""
    lif = convert(RateNetwork.load(TRAINED), 25.0, EXACT)
    graph = _round_trip(to_portable_nir(lif))
    assert graph.metadata["profile"] == "exact" and not graph.metadata["approximations"]
    _, batch, inputs = _held_out(2, stop_s=0.6)
    sim = simulate_lif(lif, inputs, batch.dt_s, device="reference", raster_trials=(0, 1))
    run = sim.runs[25.0]
    hold = int(round(batch.dt_s / PORTABLE_DT_S))
    spikes = run_in("rate2spike", graph, portable_inputs(np.repeat(inputs, hold, axis=2)))
    assert run.spike_counts.sum() > 500
    for trial in (0, 1):
        units, times = run.rasters[trial]
        steps, got_units = np.nonzero(spikes[:, trial, :])
        expected = sorted(zip(np.round(np.asarray(times) / PORTABLE_DT_S).astype(int), units))
        assert sorted(zip(steps, got_units)) == expected
    outputs = readout_from_spikes(spikes, graph.metadata, stride=EXACT.readout_stride)
    np.testing.assert_allclose(outputs, run.outputs, rtol=0, atol=1e-9)


def test_what_the_graph_cannot_carry_is_listed_and_the_inputs_are_laid_out_as_documented():
    graph = _round_trip(to_portable_nir(convert(RateNetwork.load(TRAINED), 25.0)))
    meta = graph.metadata
    assert meta["profile"] == "approximate"
    assert set(meta["approximations"]) == {"synaptic_rise", "refractory_period", "voltage_noise",
                                           "time_step", "initial_voltages"}
    assert list(graph.nodes["input"].input_type["input"]) == [4]     # [u, 1, u_prev, 1_prev]
    assert set(graph.nodes) == {"input", "input_linear", "lif", "recurrent_linear",
                                "recurrent_relay", "output"}
    x = portable_inputs(np.array([[[0.5, 0.0]]]))
    assert x.shape == (2, 1, 4) and x[:, 0].tolist() == [[0.5, 1, 0, 0], [0, 1, 0.5, 1]]


@pytest.mark.slow
def test_norse_and_snntorch_score_the_exported_gonogo_net_as_rate2spike_does():
    """The default Go/NoGo net converted with the exact-profile constants, exported, loaded by
    Norse and snnTorch through their own NIR importers, simulated there on 10 held-out trials
    and scored by the task: the score of rate2spike's simulation of the same net on the same
    trials (its NumPy reference, which gives Brian2's spikes: tests/simulators/). Without
    noise and with every unit starting at v_reset, the trials of a condition are identical
    (same input samples, checked below), so 10 trials that hold both conditions test what 100
    would."""
    pytest.importorskip("norse.torch")
    pytest.importorskip("snntorch.import_nir")
    lif = convert(RateNetwork.load(TRAINED), 25.0, EXACT)
    graph = _round_trip(to_portable_nir(lif))
    task, batch, inputs = _held_out(10)
    assert set(batch.labels) == {0, 1}
    for label in (0, 1):                       # one input per condition
        assert np.ptp(inputs[batch.labels == label], axis=0).max() == 0
    ours = simulate_lif(lif, inputs, batch.dt_s, device="reference").runs[25.0]
    expected = task.score(ours.outputs, batch.labels, EXACT.readout_dt_s, window="lif").mean()
    x = portable_inputs(np.repeat(inputs, int(round(batch.dt_s / PORTABLE_DT_S)), axis=2))
    stride = EXACT.readout_stride
    tolerance = 1e-9                            # a condition scored otherwise moves it by >= 10 %
    for client in ("norse", "snntorch"):          # rate2spike's own run: the test above
        spikes = run_in(client, graph, x)
        score = task.score(readout_from_spikes(spikes, graph.metadata, stride), batch.labels,
                           stride * PORTABLE_DT_S, window="lif").mean()
        assert expected >= 0.95 and abs(score - expected) <= tolerance, (client, score, expected)
        assert abs(spikes.sum() - ours.spike_counts.sum()) <= 0.01 * ours.spike_counts.sum()


@pytest.mark.slow
def test_on_an_exact_profile_net_norse_and_snntorch_give_rate2spikes_spikes():
    """Spike for spike (unit and step) with the graph's equations in float64 until a float32
    voltage lands on the other side of the threshold; after that the recurrent net's spikes
    drift apart (chaos), while the counts stay the same."""
    pytest.importorskip("norse.torch")
    pytest.importorskip("snntorch.import_nir")
    graph = _round_trip(to_portable_nir(convert(RateNetwork.load(TRAINED), 25.0, EXACT)))
    _, batch, inputs = _held_out(2, stop_s=0.6)
    x = portable_inputs(np.repeat(inputs, int(round(batch.dt_s / PORTABLE_DT_S)), axis=2))
    ours = run_in("rate2spike", graph, x).astype(bool)
    for client in ("norse", "snntorch"):
        theirs = run_in(client, graph, x).astype(bool)
        differ = (ours != theirs).any(axis=2)                     # (steps, trials)
        identical_trials = [t for t in range(2) if not differ[:, t].any()]
        assert identical_trials, client                            # measured: trial 0 in both
        for t in set(range(2)) - set(identical_trials):
            first = int(np.argmax(differ[:, t]))
            assert ours[:first, t].sum() >= 100, (client, first)   # measured: 145 and 568 spikes
        assert abs(int(theirs.sum()) - int(ours.sum())) <= 0.01 * ours.sum(), client


def test_export_writes_the_portable_graph_by_default_and_nir_check_scores_it(tmp_path, run_cli):
    stem = tmp_path / "lif_network"
    convert(RateNetwork.load(TRAINED), 25.0).save(stem)
    net = f"{stem}.npz"
    code, out = run_cli(["export", net, "--format", "nir", "--out", str(tmp_path / "g")])
    assert code == 0 and "NIR profile: portable, approximate" in out.out, out
    assert "refractory period" in out.out and "nir-check" in out.out
    code, out = run_cli(["nir-check", str(tmp_path / "g.nir"), "--with", "rate2spike", "--trials",
                         "10", "--seed", "3"])
    assert code == 0, out.err
    row = next(line for line in out.out.splitlines() if line.startswith("rate2spike"))
    assert row.split()[1] == "100.0%"
    # the full profile is for rate2spike's own interpreter: nir-check says how to get a portable one
    code, _ = run_cli(["export", net, "--format", "nir", "--nir-profile", "full", "--out",
                       str(tmp_path / "full")])
    assert code == 0
    code, out = run_cli(["nir-check", str(tmp_path / "full.nir")])
    assert code == 2 and "--nir-profile portable" in out.err


@pytest.mark.parametrize("args, message", [
    (["--with", "brian3"], "valid clients are rate2spike, norse, snntorch"),
    (["--trials", "0"], "--trials must be a whole number in 1 ... 100000"),
    (["--seed", "-1"], "--seed = -1 is out of range; valid: 0 ... 4294967295"),
])
def test_nir_check_refuses_bad_options_with_exit_2(tmp_path, run_cli, args, message):
    graph = tmp_path / "g.nir"
    nir.write(str(graph), to_portable_nir(convert(RateNetwork.load(TRAINED), 25.0)))
    code, out = run_cli(["nir-check", str(graph), *args])
    assert code == 2 and message in out.err, out.err
    code, out = run_cli(["nir-check", str(tmp_path / "missing.nir")])
    assert code == 2 and "does not exist" in out.err
    other = tmp_path / "other_net"
    convert(RateNetwork.load(TRAINED), 20.0).save(other)          # not the exported one (s = 25)
    code, out = run_cli(["nir-check", str(graph), "--net", f"{other}.npz"])
    assert code == 2 and "not the net it was exported from" in out.err
    code, out = run_cli(["export", f"{other}.npz", "--format", "nir", "--nir-profile", "bogus",
                         "--out", str(tmp_path / "b")])
    assert code == 2 and "valid: portable, full" in out.err and not (tmp_path / "b.nir").exists()
    broken = to_portable_nir(convert(RateNetwork.load(TRAINED), 25.0))
    broken.nodes["recurrent_relay"] = nir.Linear(weight=np.eye(199))     # shapes do not chain
    nir.write(str(tmp_path / "broken.nir"), broken)
    code, out = run_cli(["nir-check", str(tmp_path / "broken.nir")])
    assert code == 2 and "type mismatch" in out.err and "recurrent_relay" in out.err, out.err
    with pytest.raises(Rate2SpikeError, match=r"recurrent_relay is \(199, 199\), not \(200, 200\)"):
        run_in("rate2spike", broken, np.zeros((1, 1, 4), np.float32))       # built in memory
    odd = to_portable_nir(convert(RateNetwork.load(TRAINED), 25.0))
    odd.nodes["lif"] = nir.LIF(tau=np.ones(200), r=np.ones(200), v_leak=np.zeros(200),
                               v_threshold=np.ones(200), v_reset=np.zeros(200))   # unsupported
    nir.write(str(tmp_path / "odd.nir"), odd)
    code, out = run_cli(["nir-check", str(tmp_path / "odd.nir")])
    assert code == 2 and "'lif': 'LIF'" in out.err, out.err
    (tmp_path / "text.nir").write_text("not hdf5")
    code, out = run_cli(["nir-check", str(tmp_path / "text.nir")])
    assert code == 2 and "cannot be read as a NIR graph" in out.err
