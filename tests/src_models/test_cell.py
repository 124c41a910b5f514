"""Spiking Recurrent Cell: single-neuron behaviour (paper, Fig. 1 and appendix B), hand-computed
steps, training switches, the b_h bound, artifacts, and torch == Brian2."""
import math

import numpy as np
import pytest
import torch

from rate2spike.simulators import simulate_src_brian
from rate2spike.src_models import SRCConstants, SRCNetwork, frozen_class_readout
from rate2spike.src_models.cell import SRCNet, SRCState, src_step
from rate2spike.src_models.network import task_inputs_to_steps

C = SRCConstants()


def run_neuron(drive, b_h, steps, c=C, **switches):
    """One neuron under constant drive W_s s_in = ``drive`` per step; returns the pulses s[t]
    as a tensor (keeps the graph)."""
    d = torch.as_tensor(drive, dtype=torch.float64).reshape(1, 1)
    b = torch.as_tensor([b_h], dtype=torch.float64)
    z = torch.zeros(1, 1, dtype=torch.float64)
    state, out = SRCState(z, z, z, z), []
    for _ in range(steps):
        state = src_step(d, state, b, c, **switches)
        out.append(state.s[0, 0])
    return torch.stack(out)


def pulses(s):
    """(start, length) of each run of consecutive steps with s > 0."""
    on = np.concatenate([[0], (np.asarray(s) > 0).astype(int), [0]])
    starts, ends = np.flatnonzero(np.diff(on) == 1), np.flatnonzero(np.diff(on) == -1)
    return list(zip(starts, ends - starts))


def test_first_two_steps_by_hand():
    d, b = 0.7, -4.5
    s = run_neuron(d, b, 2).detach().numpy()
    i1 = d
    h1 = math.tanh(3 * math.tanh(i1 / 3) + b)                   # h, h_s start at 0
    hs1 = 0.0                                                   # (1 - z_s) h[0] = 0
    i2 = 0.9 * i1 + d
    h2 = math.tanh(3 * math.tanh(i2 / 3) + 2 * h1 - 7 * hs1 + b)
    assert s[0] == pytest.approx(max(h1, 0.0), abs=1e-15)
    assert s[1] == pytest.approx(max(h2, 0.0), abs=1e-15)


def test_silent_at_low_bias_and_input():
    assert run_neuron(0.0, -6.0, 300).max().item() == 0.0
    assert run_neuron(0.05, -6.0, 300).max().item() == 0.0


def test_high_bias_spikes_without_input():
    """Paper, Fig. 1b: with a high bias the neuron fires even with a null input."""
    assert len(pulses(run_neuron(0.0, -4.0, 300).detach())) >= 5


def test_repetitive_multi_step_pulses_with_refractory_gap_under_strong_drive():
    p = pulses(run_neuron(0.5, -6.0, 400).detach())
    assert len(p) >= 10                                  # repetitive firing
    assert all(length >= 2 for _, length in p)           # a pulse lasts several steps
    gaps = np.diff([start for start, _ in p]) - np.array([length for _, length in p[:-1]])
    assert gaps.min() >= 5                               # refractory gap between pulses
    # the pulse shape is regular: after the first, every interval is the same +-1 step
    intervals = np.diff([start for start, _ in p])[1:]
    assert intervals.max() - intervals.min() <= 1


def test_more_drive_fires_more_up_to_the_refractory_limit():
    counts = [len(pulses(run_neuron(d, -6.0, 500).detach())) for d in (0.15, 0.2, 0.3, 0.5, 2.0)]
    assert counts[0] == 0 < counts[1] < counts[2] < counts[3]
    assert counts[3] == counts[4]        # saturated: one pulse per refractory cycle


def test_relu_bypass_passes_gradient_where_h_is_negative():
    for bypass, expect_nonzero in ((True, True), (False, False)):
        d = torch.tensor(0.01, dtype=torch.float64, requires_grad=True)
        s = run_neuron(d, -6.0, 50, bypass_relu=bypass)
        assert s.max().item() == 0.0                      # silent: h < 0 on every step
        s.sum().backward()
        assert (d.grad.abs().item() > 1e-6) == expect_nonzero


def test_detach_removes_the_h_path_through_time():
    """With alpha = 0 the integrator forgets at once: the drive of step 0 reaches h[5] only
    through the h/h_s recurrences, so detaching them makes that gradient exactly zero."""
    c = SRCConstants(alpha=0.0)
    for detach in (True, False):
        d0 = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
        z = torch.zeros(1, 1, dtype=torch.float64)
        state, b = SRCState(z, z, z, z), torch.tensor([-4.5], dtype=torch.float64)
        for t in range(6):
            drive = (d0 if t == 0 else torch.tensor(0.5, dtype=torch.float64)).reshape(1, 1)
            state = src_step(drive, state, b, c, detach=detach)
        state.h.sum().backward()
        assert (d0.grad.item() == 0.0) == detach


def test_b_h_never_exceeds_its_bound_after_an_optimiser_step():
    torch.manual_seed(0)
    model = SRCNet(1, [6, 4], 1)
    opt = torch.optim.SGD(model.parameters(), lr=100.0)
    for _ in range(3):
        loss = -sum(layer.b_h.sum() for layer in model.layers)    # pushes b_h up hard
        opt.zero_grad()
        loss.backward()
        opt.step()
        assert max(layer.b_h.max().item() for layer in model.layers) > C.b_h_max  # unclamped
        model.clamp_bias_()
        for layer in model.layers:
            assert layer.b_h.max().item() <= C.b_h_max
            assert layer.b_h.max().item() == C.b_h_max


def test_training_keeps_b_h_bounded(tmp_path):
    from rate2spike.config import SRCTrainConfig, build_config
    from rate2spike.src_models.training import train_src_model

    cfg = build_config(SRCTrainConfig, {}, {"sizes": [5], "batch_size": 2, "max_updates": 3,
                                            "lr": 5.0, "eval_trials": 2, "step_s": 0.005})
    res = train_src_model(cfg, progress=False)
    b = res.model.layers[0].b_h.detach()
    assert b.max().item() <= C.b_h_max
    assert not torch.allclose(b, torch.full_like(b, C.b_h_init))   # it did learn


def test_frozen_readout_weights():
    W, b = frozen_class_readout(3)
    assert W.shape == (3, 30) and np.all(b == 0)
    assert np.all(W[1, 10:20] == 1.0) and np.all(W[1, :10] == -0.1) and np.all(W[1, 20:] == -0.1)
    assert np.allclose(W.sum(axis=1), 10 - 0.1 * 20)


def test_classify_readout_integrates_with_alpha_099():
    torch.manual_seed(0)
    model = SRCNet(1, [20], 2, recurrent=False, readout="classify").double()
    u = np.full((1, 1, 30), 1.0)
    out = model(u, record_pulses=True)
    s = out.pulses[0][0].detach().numpy()             # (20, T)
    W = frozen_class_readout(2)[0]
    v = np.zeros(2)
    for t in range(30):
        v = 0.99 * v + W @ s[:, t]
    assert np.allclose(out.outputs[0, :, -1].detach().numpy(), v, atol=1e-12)


def test_artifact_round_trip_gives_the_same_forward_pass(tmp_path):
    torch.manual_seed(3)
    model = SRCNet(2, [7, 5], 1, recurrent=True).double()
    net = model.to_network({"task": "xor"})
    net.save(tmp_path / "src")
    back = SRCNetwork.load(tmp_path / "src.npz")
    assert back.sizes == [7, 5] and back.task == "xor" and back.constants == net.constants
    u = np.random.default_rng(0).random((2, 2, 40))
    a = model(u).outputs.detach().numpy()
    b = SRCNet.from_network(back)(u).outputs.detach().numpy()
    assert np.array_equal(a, b)


def test_task_inputs_are_held_over_each_task_step():
    u = np.arange(6.0).reshape(1, 2, 3)
    x = task_inputs_to_steps(u, 0.005, 0.001)
    assert x.shape == (1, 2, 15) and np.all(x[0, 1, 5:10] == 4.0)
    with pytest.raises(Exception, match="whole number"):
        task_inputs_to_steps(u, 0.005, 0.002)


def _brian_vs_torch(model, u, device):
    ref = model(u, record_pulses=True)
    got = simulate_src_brian(model.to_network(), u, device=device, record_pulses=True)
    diffs = [np.abs(g - r.detach().numpy()).max() for g, r in zip(got.pulses, ref.pulses)]
    active = [(g > 0).mean() for g in got.pulses]
    counts_equal = all(np.array_equal(g, r.numpy()) for g, r in zip(got.active_steps, ref.active_steps))
    out_diff = np.abs(got.outputs - ref.outputs.detach().numpy()).max()
    return diffs, active, counts_equal, out_diff


def _multilayer(recurrent, seed=0, w_r_scale=0.05):
    torch.manual_seed(seed)
    model = SRCNet(3, [30, 20, 10], 1, recurrent=recurrent).double()
    with torch.no_grad():
        for layer in model.layers:
            layer.b_h.fill_(-5.0)
            if layer.W_r is not None:
                layer.W_r.mul_(w_r_scale)   # weak: a non-chaotic regime (see below)
    u = (np.random.default_rng(seed).random((3, 3, 1000)) < 0.2).astype(float)
    return model, u


@pytest.mark.parametrize("recurrent", [False, True])
def test_brian2_reproduces_torch_pulses_over_1000_steps(recurrent):
    model, u = _multilayer(recurrent)
    diffs, active, counts_equal, out_diff = _brian_vs_torch(model, u, "numpy")
    assert all(a > 0.02 for a in active)          # every layer really spikes
    assert max(diffs) <= 1e-6 and out_diff <= 1e-6
    assert counts_equal


def test_chaotic_recurrent_net_agrees_until_rounding_grows_as_in_torch_itself():
    """Full-strength random recurrence is chaotic: a 1e-15 relative change of the input makes
    torch diverge from itself, and Brian2 (other summation order, other tanh rounding) departs
    from torch the same way; before that growth they agree to rounding."""
    model, u = _multilayer(True, seed=1, w_r_scale=1.0)
    ref = [p.detach().numpy() for p in model(u, record_pulses=True).pulses]
    nudged = [p.detach().numpy() for p in model(u * (1 + 1e-15), record_pulses=True).pulses]
    got = simulate_src_brian(model.to_network(), u, device="numpy", record_pulses=True).pulses
    self_diff = max(np.abs(a - b).max() for a, b in zip(ref, nudged))
    brian_diff = max(np.abs(a - b).max() for a, b in zip(ref, got))
    early = max(np.abs(a[..., :50] - b[..., :50]).max() for a, b in zip(ref, got))
    assert self_diff > 1e-3 and brian_diff > 1e-3     # chaos, in torch alone as well
    assert early <= 1e-9


@pytest.mark.slow
def test_brian2_cpp_standalone_reproduces_torch():
    model, u = _multilayer(True, seed=1)
    diffs, active, counts_equal, out_diff = _brian_vs_torch(model, u[:2], "cpp_standalone")
    assert all(a > 0.02 for a in active)
    assert max(diffs) <= 1e-6 and out_diff <= 1e-6 and counts_equal
