"""NIR import: a recurrent net built and exported by snnTorch is read into Brian2 and gives the
spikes snnTorch's own neurons give on the same input; the reader composes graphs as NIR
defines them, a single LIF unit fires when the hand-computed membrane crosses its threshold,
and graphs rate2spike cannot import are refused naming the problem."""
from __future__ import annotations

import json

import nir
import numpy as np
import pytest

from rate2spike.errors import Rate2SpikeError
from rate2spike.exporters.nir_import import read_nir, simulate_nir

C, N, K = 3, 16, 2


def _snntorch_net(current_based: bool, seed: int = 0):
    torch = pytest.importorskip("torch")
    snn = pytest.importorskip("snntorch")

    torch.manual_seed(seed)
    if current_based:
        pop = snn.RSynaptic(alpha=0.9, beta=0.8, linear_features=N, init_hidden=True,
                            reset_mechanism="zero")
    else:
        pop = snn.RLeaky(beta=0.8, linear_features=N, init_hidden=True, reset_mechanism="zero")
    fc, readout = torch.nn.Linear(C, N), torch.nn.Linear(N, K)
    with torch.no_grad():
        fc.weight.mul_(2.0)
    return torch.nn.Sequential(fc, pop, readout)


def _run_in_snntorch(net, u: np.ndarray, current_based: bool, dtype):
    """The source net stepped by snnTorch's own neurons: Synaptic/Leaky with reset to zero at
    once (``reset_delay=False``; RSynaptic's own non-delayed reset is broken in snnTorch 1.0.0)
    and the recurrent Linear of the R-module feeding back the previous step's spikes."""
    import snntorch as snn
    import torch

    fc, pop, readout = (m.to(dtype) for m in net)
    if current_based:
        cell = snn.Synaptic(alpha=float(pop.alpha), beta=float(pop.beta), reset_mechanism="zero",
                            reset_delay=False)
    else:
        cell = snn.Leaky(beta=float(pop.beta), reset_mechanism="zero", reset_delay=False)
    spk = torch.zeros(u.shape[1], N, dtype=dtype)
    syn, mem = torch.zeros_like(spk), torch.zeros_like(spk)
    spikes, outputs = [], []
    with torch.no_grad():
        for x in torch.as_tensor(u, dtype=dtype):
            drive = fc(x) + pop.recurrent(spk)
            if current_based:
                spk, syn, mem = cell(drive, syn, mem)
            else:
                spk, mem = cell(drive, mem)
            spk = spk.to(dtype)
            spikes.append(spk.numpy().copy())
            outputs.append(readout(spk).numpy().copy())
    return np.stack(spikes), np.stack(outputs)


@pytest.mark.parametrize("current_based", [True, False], ids=["RSynaptic", "RLeaky"])
def test_a_recurrent_snntorch_net_gives_the_same_spikes_in_brian2(current_based):
    import torch
    from snntorch.export_nir import export_to_nir

    net = _snntorch_net(current_based)
    graph = export_to_nir(net, torch.randn(1, C), ignore_dims=[0])
    imported = read_nir(graph)
    assert imported.current_based == current_based and imported.n_units == N
    np.testing.assert_allclose(imported.W_rec, net[1].recurrent.weight.detach().numpy(), rtol=1e-6)

    u = np.random.default_rng(1).uniform(0, 1, (250, 3, C))        # steps, trials, channels
    spikes, outputs, _ = simulate_nir(imported, np.transpose(u, (1, 2, 0)), device="numpy")
    spikes, outputs = np.transpose(spikes, (2, 0, 1)), np.transpose(outputs, (2, 0, 1))
    ref_spikes, ref_outputs = _run_in_snntorch(net, u, current_based, torch.float64)
    assert 0.05 < ref_spikes.mean() < 0.6                     # the net is neither silent nor saturated
    np.testing.assert_array_equal(spikes, ref_spikes)          # spike for spike, float64
    np.testing.assert_allclose(outputs, ref_outputs, atol=1e-12)
    # in snnTorch's float32 the stated tolerance: at least 99 % of (step, trial, unit) entries agree
    f32_spikes, f32_outputs = _run_in_snntorch(net, u, current_based, torch.float32)
    assert (f32_spikes == spikes).mean() >= 0.99


def test_a_single_lif_unit_fires_when_the_hand_computed_membrane_crosses_threshold():
    """LIF, tau = 10 steps, r = 1, v_leak = 0, constant drive 2, threshold 1:
    v_n = 2 (1 - 0.9^n) crosses 1 first at n = 7 (0.9^7 = 0.478 < 0.5 < 0.531 = 0.9^6), so
    the unit spikes at step index 6, resets to 0 and repeats: spikes every 7 steps."""
    dt = 1e-4
    graph = nir.NIRGraph(
        nodes={"in": nir.Input(np.array([1])), "w": nir.Linear(np.array([[2.0]])),
               "lif": nir.LIF(tau=np.array([10 * dt]), r=np.array([1.0]), v_leak=np.array([0.0]),
                              v_threshold=np.array([1.0]), v_reset=np.array([0.0])),
               "out": nir.Output(np.array([1]))},
        edges=[("in", "w"), ("w", "lif"), ("lif", "out")])
    net = read_nir(graph, dt_s=dt)
    assert not net.current_based and net.W_rec.shape == (1, 1) and net.W_rec[0, 0] == 0
    spikes, outputs, _ = simulate_nir(net, np.ones((1, 1, 30)), device="numpy")
    assert list(np.nonzero(spikes[0, 0])[0]) == [6, 13, 20, 27]
    np.testing.assert_array_equal(outputs[0, 0], spikes[0, 0])  # no readout node: the spikes


def test_nested_graphs_and_chains_of_linear_nodes_compose_into_one_affine_map():
    rng = np.random.default_rng(0)
    a, b, bias = rng.normal(size=(4, 2)), rng.normal(size=(4, 4)), rng.normal(size=4)
    w_rec, scale = rng.normal(size=(4, 4)), np.array([2.0, -1.0, 0.5, 3.0])
    cuba = nir.CubaLIF(tau_syn=np.full(4, 2e-3), tau_mem=np.full(4, 1e-2), r=np.ones(4),
                       v_leak=np.zeros(4), v_threshold=np.ones(4), v_reset=np.zeros(4), w_in=np.ones(4))
    inner = nir.NIRGraph(nodes={"input": nir.Input(np.array([4])), "lif": cuba,
                                "rec": nir.Linear(w_rec), "output": nir.Output(np.array([4]))},
                         edges=[("input", "lif"), ("lif", "rec"), ("rec", "lif"), ("lif", "output")])
    graph = nir.NIRGraph(
        nodes={"in": nir.Input(np.array([2])), "a": nir.Linear(a), "b": nir.Affine(b, bias),
               "pop": inner, "s": nir.Scale(scale), "out": nir.Output(np.array([4]))},
        edges=[("in", "a"), ("a", "b"), ("b", "pop"), ("pop", "s"), ("s", "out")],
        metadata={"dt_s": 5e-4})
    net = read_nir(graph)
    np.testing.assert_allclose(net.W_in, b @ a)
    np.testing.assert_allclose(net.b, bias)
    np.testing.assert_allclose(net.W_rec, w_rec)
    np.testing.assert_allclose(net.W_out, np.diag(scale))
    assert net.dt_s == 5e-4 and net.current_based


def _graph(**replace):
    nodes = {"in": nir.Input(np.array([2])), "w": nir.Linear(np.ones((3, 2))),
             "lif": nir.LIF(tau=np.full(3, 1e-3), r=np.ones(3), v_leak=np.zeros(3),
                            v_threshold=np.ones(3), v_reset=np.zeros(3)),
             "rec": nir.Linear(np.zeros((3, 3))), "out": nir.Output(np.array([3]))}
    nodes.update(replace)
    return nir.NIRGraph(nodes=nodes, edges=[("in", "w"), ("w", "lif"), ("lif", "rec"),
                                            ("rec", "lif"), ("lif", "out")], type_check=False)


@pytest.mark.parametrize("bad, message", [
    ({"rec": nir.LI(tau=np.ones(3), r=np.ones(3), v_leak=np.zeros(3))}, "unsupported nodes"),
    ({"w": nir.Linear(np.ones((3, 5)))}, "do not chain"),
    ({"rec": nir.Linear(np.full((3, 3), np.nan))}, "NaN or infinite"),
    ({"lif": nir.LIF(tau=np.full(3, 1e-5), r=np.ones(3), v_leak=np.zeros(3),
                     v_threshold=np.ones(3), v_reset=np.zeros(3))}, "at least one step"),
])
def test_graphs_rate2spike_cannot_import_are_refused_naming_the_problem(bad, message):
    read_nir(_graph())                                       # the unaltered graph reads
    with pytest.raises(Rate2SpikeError, match=message):
        read_nir(_graph(**bad))


def test_nir_run_writes_spikes_and_refuses_bad_input_with_exit_2(tmp_path, run_cli):
    nir.write(tmp_path / "net.nir", _graph(w=nir.Linear(np.full((3, 2), 3.0))))
    np.save(tmp_path / "u.npy", np.ones((40, 2, 2)))
    code, out = run_cli(["nir-run", str(tmp_path / "net.nir"), "--input", str(tmp_path / "u.npy"),
                         "--device", "numpy", "--out", str(tmp_path / "run")])
    assert code == 0, out.err
    saved = np.load(tmp_path / "run" / "nir_run.npz")
    assert saved["spikes"].shape == (40, 2, 3) and saved["spikes"].sum() > 0
    assert json.loads((tmp_path / "run" / "nir_run.json").read_text())["neuron"] == "LIF"
    # v_n = 6 (1 - 0.9^n) > 1 first at n = 2: one spike every 2 steps, 5000 Hz at dt = 0.1 ms
    assert saved["spikes"][:, 0, 0].tolist()[:6] == [0, 1, 0, 1, 0, 1]
    np.save(tmp_path / "bad.npy", np.ones((40, 2, 5)))
    for given, folder, message in [("bad.npy", "run_bad", "the graph takes"),
                                   ("u.npy", "run", "already holds")]:
        code, out = run_cli(["nir-run", str(tmp_path / "net.nir"), "--input", str(tmp_path / given),
                             "--device", "numpy", "--out", str(tmp_path / folder)])
        assert code == 2 and message in out.err and "Traceback" not in out.err
    assert not (tmp_path / "run_bad").exists()
    bad_graphs = {
        "two": (_graph(rec=nir.LIF(tau=np.ones(3), r=np.ones(3), v_leak=np.zeros(3),
                                   v_threshold=np.ones(3), v_reset=np.zeros(3))), "spiking nodes"),
        "li": (_graph(rec=nir.LI(tau=np.ones(3), r=np.ones(3), v_leak=np.zeros(3))), "unsupported nodes"),
        "shapes": (_graph(w=nir.Linear(np.ones((3, 5)))), "cannot be read as a NIR graph"),
    }
    for name, (graph, message) in bad_graphs.items():
        nir.write(tmp_path / f"{name}.nir", graph)
        code, out = run_cli(["nir-run", str(tmp_path / f"{name}.nir"), "--input", str(tmp_path / "u.npy"),
                             "--device", "numpy", "--out", str(tmp_path / f"run_{name}")])
        assert code == 2 and message in out.err and "Traceback" not in out.err, (name, out.err)
        assert not (tmp_path / f"run_{name}").exists()
