"""Spiking Recurrent Cell: single-neuron behaviour (paper, Fig. 1 and appendix B), hand-computed
steps, training switches, the b_h bound, artifacts, and torch == Brian2."""
import json
import math
from pathlib import Path

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


def hand_steps(d, b, steps, gate, zs_fixed=None):
    """Eqs. 3a-3f with Python floats for one neuron under constant drive ``d``; returns the
    list of (h, h_s, z_s) after each step."""
    i = h = hs = 0.0
    out = []
    for _ in range(steps):
        i = 0.9 * i + d
        h_new = math.tanh(3 * math.tanh(i / 3) + 2 * h - 7 * hs + b)
        gate_h = h_new if gate == "new_h" else h
        zs = zs_fixed if zs_fixed is not None else (0.0 if gate_h > 0.5 else 0.9)
        hs = zs * hs + (1 - zs) * h
        h = h_new
        out.append((h, hs, zs))
    return out


def torch_steps(d, b, steps, c):
    dd = torch.full((1, 1), d, dtype=torch.float64)
    z = torch.zeros(1, 1, dtype=torch.float64)
    state, out = SRCState(z, z, z, z), []
    for _ in range(steps):
        state = src_step(dd, state, torch.tensor([b], dtype=torch.float64), c)
        out.append((state.h.item(), state.hs.item()))
    return out


@pytest.mark.parametrize("gate", ["new_h", "previous_h"])
def test_steps_through_a_pulse_by_hand_for_both_readings(gate):
    hand = hand_steps(0.5, -6.0, 40, gate)
    got = torch_steps(0.5, -6.0, 40, SRCConstants(zs_gate=gate))
    for (h, hs, _), (th, ths) in zip(hand, got):
        assert th == pytest.approx(h, abs=1e-14) and ths == pytest.approx(hs, abs=1e-14)
    rise = next(t for t, (h, _, _) in enumerate(hand) if h > 0.5)
    h_before, hs_before = hand[rise - 1][0], hand[rise - 1][1]
    if gate == "new_h":     # the pulse that rises at step t switches z_s at step t: h_s <- h[t-1]
        assert got[rise][1] == pytest.approx(h_before, abs=1e-14)
    else:                   # ... one step later with the h[t-1] reading
        assert got[rise][1] == pytest.approx(0.9 * hs_before + 0.1 * h_before, abs=1e-14)
        assert got[rise + 1][1] == pytest.approx(hand[rise][0], abs=1e-14)


def test_an_artifact_from_before_the_gate_was_recorded_runs_as_trained():
    """tests/data/src_prev_h.* was written by the code that switched z_s on h[t-1], with its
    forward pass on fixed inputs; it loads with that reading and reproduces it exactly."""
    data = Path(__file__).parents[1] / "data"
    net = SRCNetwork.load(data / "src_prev_h.npz")
    assert "zs_gate" not in json.loads((data / "src_prev_h.json").read_text())["constants"]
    assert net.constants.zs_gate == "previous_h"
    expected = np.load(data / "src_prev_h_expected.npz")
    out = SRCNet.from_network(net)(expected["inputs"], record_pulses=True)
    # to rounding (other CPUs may round tanh differently); a gate change moves whole pulses
    np.testing.assert_allclose(out.outputs.detach().numpy(), expected["outputs"], atol=1e-12)
    np.testing.assert_allclose(out.pulses[0].detach().numpy(), expected["pulses"], atol=1e-12)
    new = SRCNet.from_network(SRCNetwork(net.layers, net.W_out, net.b_out, net.readout,
                                         SRCConstants(), net.meta))
    assert not np.array_equal(new(expected["inputs"]).outputs.detach().numpy(),
                              expected["outputs"])          # the literal gate differs


def test_silent_at_low_bias_and_input():
    assert run_neuron(0.0, -6.0, 300).max().item() == 0.0
    assert run_neuron(0.05, -6.0, 300).max().item() == 0.0


def test_high_bias_spikes_without_input():
    """Paper, Fig. 1b: with a high bias the neuron fires even with a null input."""
    assert len(pulses(run_neuron(0.0, -4.0, 300).detach())) >= 5


def test_repetitive_pulses_of_one_or_two_steps_with_refractory_gap_under_strong_drive():
    """The literal gate (eq. 3c): h_s catches up on the step h rises above 0.5, so a pulse
    lasts 1-2 steps (the issue measured 1.6-2.4 on average; the fact sheet says ~2), then a
    refractory gap."""
    p = pulses(run_neuron(0.5, -6.0, 400).detach())
    widths = np.array([length for _, length in p])
    assert len(p) >= 10                                  # repetitive firing
    assert set(widths) <= {1, 2} and 1.5 <= widths.mean() <= 2.4
    gaps = np.diff([start for start, _ in p]) - widths[:-1]
    assert gaps.min() >= 5                               # refractory gap between pulses


def test_the_previous_h_reading_gives_regular_wider_pulses_and_fewer_of_them():
    old = SRCConstants(zs_gate="previous_h")
    p_old = pulses(run_neuron(0.3, -6.0, 400, old).detach())
    p_new = pulses(run_neuron(0.3, -6.0, 400).detach())
    assert np.mean([n for _, n in p_old]) >= 2.8 > 2.0 >= np.mean([n for _, n in p_new])
    assert len(p_old) < len(p_new)
    intervals = np.diff([start for start, _ in p_old])[1:]
    assert intervals.max() - intervals.min() <= 1        # one pulse shape, one period


def test_more_drive_fires_more_up_to_the_refractory_limit():
    drives = (0.15, 0.2, 0.3, 0.5, 2.0, 5.0)
    counts = [len(pulses(run_neuron(d, -6.0, 500).detach())) for d in drives]
    assert counts[0] == 0 < counts[1] < counts[2] < counts[3] <= counts[4]
    assert counts[4] == counts[5]        # saturated: one pulse per refractory cycle


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


#: per z_s reading, (b_h, input pulse probability, W_s gain) of a non-chaotic regime in which
#: every layer spikes: a 1e-13 nudge of the input changes torch's own pulses by < 1e-6 over
#: 1000 steps. The literal gate amplifies rounding under strong drive (b_h = -5 or p = 0.2:
#: the same nudge changes whole pulses), so its regime is sparser.
REGIMES = {"previous_h": (-5.0, 0.2, 1.0), "new_h": (-6.0, 0.05, 2.0)}


def _multilayer(recurrent, seed=0, w_r_scale=0.05, gate="new_h", regime=None):
    b_h, p, gain = regime or REGIMES[gate]
    torch.manual_seed(seed)
    model = SRCNet(3, [30, 20, 10], 1, recurrent=recurrent,
                   constants=SRCConstants(zs_gate=gate)).double()
    with torch.no_grad():
        for layer in model.layers:
            layer.b_h.fill_(b_h)
            layer.W_s.mul_(gain)
            if layer.W_r is not None:
                layer.W_r.mul_(w_r_scale)   # weak: a non-chaotic regime (see below)
    u = (np.random.default_rng(seed).random((3, 3, 1000)) < p).astype(float)
    return model, u


@pytest.mark.parametrize("gate", ["new_h", "previous_h"])
@pytest.mark.parametrize("recurrent", [False, True])
def test_brian2_reproduces_torch_pulses_over_1000_steps(recurrent, gate):
    model, u = _multilayer(recurrent, gate=gate)
    nudged = model(u * (1 + 1e-13), record_pulses=True).pulses
    own = max(np.abs(a.detach().numpy() - b.detach().numpy()).max()
              for a, b in zip(model(u, record_pulses=True).pulses, nudged))
    assert own < 1e-6                             # the regime is not chaotic
    diffs, active, counts_equal, out_diff = _brian_vs_torch(model, u, "numpy")
    assert all(a > 0.01 for a in active)          # every layer really spikes
    assert max(diffs) <= 1e-6 and out_diff <= 1e-6
    assert counts_equal


def test_chaotic_recurrent_net_agrees_until_rounding_grows_as_in_torch_itself():
    """Full-strength random recurrence is chaotic: a 1e-15 relative change of the input makes
    torch diverge from itself, and Brian2 (other summation order, other tanh rounding) departs
    from torch the same way; before that growth they agree to rounding."""
    model, u = _multilayer(True, seed=1, w_r_scale=1.0, regime=REGIMES["previous_h"])
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
    """The literal gate on cpp_standalone (both readings are compared on numpy above)."""
    model, u = _multilayer(True, gate="new_h")
    diffs, active, counts_equal, out_diff = _brian_vs_torch(model, u[:2], "cpp_standalone")
    assert all(a > 0.01 for a in active)
    assert max(diffs) <= 1e-6 and out_diff <= 1e-6 and counts_equal
