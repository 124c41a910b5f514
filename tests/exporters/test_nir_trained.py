"""Directly trained nets in NIR: the surrogate LIF classifier is written exactly (its graph,
read back into Brian2, and run by Norse and snnTorch through their own importers, gives the
classifier's own spikes and outputs), and the families NIR cannot express are refused with
exit 2, naming what NIR lacks, writing nothing."""
from __future__ import annotations

import io

import nir
import numpy as np
import pytest
import torch

from rate2spike.exporters.nir_import import read_nir, simulate_nir
from rate2spike.exporters.nir_trained import integrate_readout, slif_to_nir
from rate2spike.src_models.cell import SRCNet
from rate2spike.surrogate_models.alif import ALIFNet
from rate2spike.surrogate_models.lif import LIFClassifier


def _classifier(sizes, step_s, seed=0):
    torch.manual_seed(seed)
    net = LIFClassifier(4, sizes, 3).to_network({"task": "test"})
    net.step_s = step_s
    return net


def _round_trip(graph):
    buffer = io.BytesIO()
    nir.write(buffer, graph)
    buffer.seek(0)
    return nir.read(buffer)


def _inputs(seed=0, trials=5, steps=60):
    return (np.random.default_rng(seed).random((trials, 4, steps)) < 0.3) * 2.0   # batch, ch, steps


def _reference(net, x):
    with torch.no_grad():
        out = LIFClassifier.from_network(net)(torch.as_tensor(x), record_pulses=True)
    return [p.numpy() for p in out.pulses], out.outputs.numpy()            # (batch, n, steps) each


def test_a_one_layer_classifier_read_back_into_brian2_gives_its_own_spikes_and_outputs():
    """Independent path: the graph's LIF node (tau = dt / (1 - alpha_V), Affine scaled by
    1 / (1 - alpha_V)) simulated by rate2spike's NIR import must reproduce the classifier's
    step V <- alpha_V V + W s + b in float64, spike for spike."""
    net = _classifier([30], 1e-3)
    graph = _round_trip(slif_to_nir(net))
    assert sorted(type(n).__name__ for n in graph.nodes.values()) == \
        ["Affine", "Affine", "Input", "LIF", "Output"]
    x = _inputs()
    spikes_ref, outputs_ref = _reference(net, x)
    spikes, currents, _ = simulate_nir(read_nir(graph), x, device="numpy")
    assert spikes_ref[0].sum() > 20
    np.testing.assert_array_equal(spikes, spikes_ref[0])
    outputs = integrate_readout(np.transpose(currents, (2, 0, 1)), graph.metadata)
    np.testing.assert_allclose(np.transpose(outputs, (1, 2, 0)), outputs_ref, atol=1e-9)


@pytest.mark.parametrize("client, step_s", [("norse", 1e-3), ("snntorch", 1e-4)])
def test_norse_and_snntorch_run_a_two_layer_classifier_as_rate2spike_does(client, step_s):
    """Through each library's own NIR importer (snnTorch 1.0.0 runs every graph at 0.1 ms, so
    its net is trained at that step), float32: the class outputs within 1e-4 of the float64
    classifier and the same predicted class on every trial."""
    from rate2spike.exporters.nir_clients import run_norse, run_snntorch

    pytest.importorskip({"norse": "norse.torch", "snntorch": "snntorch.import_nir"}[client])
    net = _classifier([10, 30], step_s)
    graph = _round_trip(slif_to_nir(net))
    x = _inputs(1)
    spikes_ref, outputs_ref = _reference(net, x)
    assert min(layer.sum() for layer in spikes_ref) > 100           # both layers spike
    currents = (run_norse if client == "norse" else run_snntorch)(graph, np.transpose(x, (2, 0, 1)))
    outputs = np.transpose(integrate_readout(currents, graph.metadata), (1, 2, 0))
    np.testing.assert_allclose(outputs, outputs_ref, atol=1e-4)
    assert (outputs[:, :, -1].argmax(1) == outputs_ref[:, :, -1].argmax(1)).all()


@pytest.mark.parametrize("make, message", [
    (lambda: ALIFNet(4, [6], 2, adaptive=True).to_network({"task": "gonogo"}), "adaptive threshold"),
    (lambda: ALIFNet(4, [6], 2, adaptive=False).to_network({"task": "gonogo"}), "soft reset"),
    (lambda: SRCNet(4, [6]).to_network({"task": "gonogo"}), "Spiking Recurrent Cell"),
], ids=["alif", "plif", "src"])
def test_families_nir_cannot_express_are_refused_naming_what_is_missing(tmp_path, run_cli, make, message):
    stem = tmp_path / "model"
    path = make().save(stem)
    code, out = run_cli(["export", str(path), "--format", "nir", "--out", str(tmp_path / "g.nir")])
    assert code == 2 and message in out.err and "Traceback" not in out.err
    assert not (tmp_path / "g.nir").exists()


def test_export_writes_the_classifier_and_refuses_a_subtracting_reset(tmp_path, run_cli):
    net = _classifier([30], 1e-3)
    path = net.save(tmp_path / "slif")
    code, out = run_cli(["export", str(path), "--format", "nir", "--out", str(tmp_path / "g")])
    assert code == 0, out.err
    graph = nir.read(tmp_path / "g.nir")
    assert graph.metadata["family"] == "slif" and graph.metadata["dt_s"] == 1e-3
    code, out = run_cli(["export", str(path), "--format", "brian2", "--out", str(tmp_path / "s")])
    assert code == 2 and "--format nir" in out.err
    net.reset = "subtract"
    path = net.save(tmp_path / "sub")
    code, out = run_cli(["export", str(path), "--format", "nir", "--out", str(tmp_path / "h")])
    assert code == 2 and "subtracting the threshold" in out.err and not (tmp_path / "h.nir").exists()
