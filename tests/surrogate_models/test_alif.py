"""The adaptive LIF neuron against hand-computed steps, its surrogate against the formula, its
time constants kept in range, and its Brian2 model against torch."""
import math

import numpy as np
import pytest
import torch

from rate2spike.simulators import simulate_trained_brian
from rate2spike.surrogate_models.alif import TAU_RANGES_MS, ALIFNet, ALIFState, alif_step, gaussian_spike
from rate2spike.surrogate_models.alif_network import ALIFNetwork


def _by_hand(drive, tau_m, tau_adp, beta, b0, steps):
    """Eqs. 4-8 of Yin et al. in plain Python floats."""
    a, r = math.exp(-1 / tau_m), math.exp(-1 / tau_adp)
    u = eta = s = 0.0
    out = []
    for _ in range(steps):
        eta = r * eta + (1 - r) * s
        theta = b0 + beta * eta
        u = a * u + (1 - a) * drive - s * theta
        s = 1.0 if u - theta > 0 else 0.0
        out.append((u, eta, theta, s))
    return out


@pytest.mark.parametrize("beta", [1.8, 0.0])
def test_steps_against_hand_computation(beta):
    tau_m, tau_adp = torch.tensor([15.0], dtype=torch.float64), torch.tensor([120.0], dtype=torch.float64)
    z = torch.zeros(1, 1, dtype=torch.float64)
    st = ALIFState(z, z, z)
    expected = _by_hand(0.9, 15.0, 120.0, beta, 0.01, 60)
    thetas, spikes, us = [], [], []
    for u, eta, theta, s in expected:
        st, th = alif_step(torch.full((1, 1), 0.9, dtype=torch.float64), st, tau_m, tau_adp, 1.0, beta, 0.01)
        assert st.u.item() == pytest.approx(u, abs=1e-12) and st.eta.item() == pytest.approx(eta, abs=1e-12)
        assert st.s.item() == s
        thetas.append(th.item())
        spikes.append(st.s.item())
        us.append(st.u.item())
    assert sum(spikes) >= 3
    k = spikes.index(1.0)
    if beta:                                           # the threshold rises after a spike ...
        assert thetas[k + 1] > thetas[k]
        r = math.exp(-1 / 120)                         # by eqs. 6-7, from eta before the spike
        assert thetas[k + 1] == pytest.approx(0.01 + beta * (r * expected[k][1] + (1 - r)), abs=1e-12)
    else:                                              # ... and stays at b0 without adaptation
        assert set(np.round(thetas, 12)) == {0.01}
    # soft reset: the step after a spike subtracts theta[t+1] from alpha u + (1 - alpha) I
    u_k, u_k1 = us[k], us[k + 1]                      # torch's own membrane values
    a = math.exp(-1 / 15)
    assert u_k1 == pytest.approx(a * u_k + (1 - a) * 0.9 - thetas[k + 1], abs=1e-12)


def test_membrane_decays_with_its_trained_tau():
    tau_m = torch.tensor([7.0, 40.0], dtype=torch.float64)
    st = ALIFState(torch.tensor([[1.0, 1.0]], dtype=torch.float64), torch.zeros(1, 2, dtype=torch.float64),
                   torch.zeros(1, 2, dtype=torch.float64))
    for _ in range(5):
        st, _ = alif_step(torch.zeros(1, 2, dtype=torch.float64), st, tau_m, torch.tensor([100.0, 100.0]),
                          1.0, 1.8, 10.0)             # b0 10: no spikes
    np.testing.assert_allclose(st.u[0].numpy(), np.exp(-5 / np.array([7.0, 40.0])), rtol=1e-12)


@pytest.mark.parametrize("kind", ["gaussian", "multi_gaussian"])
def test_surrogate_gradient_formula(kind):
    x = torch.linspace(-2, 2, 9, dtype=torch.float64, requires_grad=True)
    gaussian_spike(x, kind).sum().backward()

    def n(v, mu, sd):
        return math.exp(-0.5 * ((v - mu) / sd) ** 2) / (sd * math.sqrt(2 * math.pi))
    xs = x.detach().numpy()
    if kind == "gaussian":
        expected = [n(v, 0, 0.5) for v in xs]
    else:
        expected = [1.15 * n(v, 0, 0.5) - 0.15 * n(v, 0.5, 3.0) - 0.15 * n(v, -0.5, 3.0) for v in xs]
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-12)


def test_time_constants_stay_in_range_after_training_steps():
    torch.manual_seed(0)
    net = ALIFNet(3, [16], 2)
    opt = torch.optim.SGD(net.parameters(), lr=1e6)      # absurd steps push taus out of range
    x = (torch.rand(8, 3, 30) < 0.3).float()
    for _ in range(3):
        loss = torch.nn.functional.cross_entropy(net(x).outputs[:, :, -1], torch.arange(8) % 2)
        opt.zero_grad()
        loss.backward()
        opt.step()
        net.constrain_()
    for name, params in (("tau_m", net.tau_m), ("tau_adp", net.tau_adp), ("tau_out", [net.tau_out])):
        lo, hi = TAU_RANGES_MS[name]
        for p in params:
            assert p.min() >= lo and p.max() <= hi


@pytest.mark.parametrize("readout, recurrent", [("mean", True), ("max", False), ("last", True),
                                               ("softmax_sum", True)])
def test_brian2_spikes_equal_torch(readout, recurrent, tmp_path):
    torch.manual_seed(3)
    module = ALIFNet(4, [20, 12], 3, recurrent=recurrent, readout=readout).double()
    with torch.no_grad():                               # moderate recurrence: not chaotic
        for rec in module.recurrents or []:
            rec.weight.mul_(0.3)
    net = module.to_network()
    back = ALIFNetwork.load(net.save(tmp_path / "alif"))
    x = (np.random.default_rng(1).random((2, 4, 60)) < 0.3) * 1.0
    with torch.no_grad():
        ref = ALIFNet.from_network(back)(x, record_pulses=True)
    got = simulate_trained_brian(back, x, device="numpy", record_pulses=True)
    for a, b in zip(ref.pulses, got.pulses):
        assert a.numpy().mean() > 0.01
        np.testing.assert_array_equal(a.numpy(), b)
    np.testing.assert_allclose(ref.outputs.numpy(), got.outputs, atol=1e-9)


def test_softmax_sum_readout_is_the_running_sum_of_softmax_of_the_integrators():
    torch.manual_seed(5)
    last = ALIFNet(3, [10], 4, readout="last").double()
    summed = ALIFNet.from_network(last.to_network())
    summed.readout = "softmax_sum"
    x = (np.random.default_rng(2).random((2, 3, 25)) < 0.4) * 1.0
    with torch.no_grad():
        v = last(x).outputs.numpy()                               # the integrators v[t]
        got = summed(x).outputs.numpy()
    e = np.exp(v)
    np.testing.assert_allclose(got, np.cumsum(e / e.sum(axis=1, keepdims=True), axis=2), rtol=1e-12)
    np.testing.assert_allclose(got[:, :, -1].sum(axis=1), 25.0)   # one unit of probability a step
