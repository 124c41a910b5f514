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
                                           "time_step"}
    assert list(graph.nodes["input"].input_type["input"]) == [4]     # [u, 1, u_prev, 1_prev]
    assert set(graph.nodes) == {"input", "input_linear", "lif", "recurrent_linear",
                                "recurrent_relay", "output"}
    x = portable_inputs(np.array([[[0.5, 0.0]]]))
    assert x.shape == (2, 1, 4) and x[:, 0].tolist() == [[0.5, 1, 0, 0], [0, 1, 0.5, 1]]


@pytest.mark.slow
def test_norse_and_snntorch_load_the_exported_gonogo_net_and_score_it_as_rate2spike():
    """100 held-out trials of the default Go/NoGo net, simulated inside Norse and snnTorch
    through their own NIR importers, then scored with the task's scorer."""
    pytest.importorskip("norse.torch")
    pytest.importorskip("snntorch.import_nir")
    graph = _round_trip(to_portable_nir(convert(RateNetwork.load(TRAINED), 25.0)))
    task, batch, inputs = _held_out(100)
    hold = int(round(batch.dt_s / PORTABLE_DT_S))
    x = portable_inputs(np.repeat(inputs, hold, axis=2))
    spikes = {client: run_in(client, graph, x) for client in ("rate2spike", "norse", "snntorch")}
    stride = 5
    score = {client: task.score(readout_from_spikes(s, graph.metadata, stride), batch.labels,
                                stride * PORTABLE_DT_S, window="lif").mean()
             for client, s in spikes.items()}
    ours = spikes["rate2spike"].sum()
    for client in ("norse", "snntorch"):
        # float32 inside the consumer: a spike may move by a step where v lands on the threshold
        assert abs(spikes[client].sum() - ours) <= 1e-3 * ours, client
        assert abs(score[client] - score["rate2spike"]) <= 0.02, score
    assert score["rate2spike"] >= 0.95, score


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
