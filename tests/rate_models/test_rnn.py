import math

import numpy as np
import torch

from rate2spike.rate_models import RateNetwork, RateRNN, rate_step
from rate2spike.rate_models.training import to_network
from rate2spike.rate_models.transfer import relu, softplus


def sig(v):
    return 1.0 / (1.0 + math.exp(-v))


def test_one_step_matches_hand_computed_euler_equation():
    W = [[0.0, 0.5, -1.0], [0.2, 0.0, 0.0], [0.0, 0.3, 0.0]]
    w_in = [1.0, 0.0, -1.0]
    x = [0.1, -0.2, 0.3]
    tau = [0.02, 0.05, 0.1]
    xi = [0.01, 0.0, -0.02]
    dt, u = 0.005, 1.0
    r = [sig(v) for v in x]
    expected = []
    for i in range(3):
        alpha = dt / tau[i]
        drive = sum(W[i][j] * r[j] for j in range(3)) + w_in[i] * u
        expected.append((1 - alpha) * x[i] + alpha * drive + xi[i])
    # the same numbers written out: 0.24766012..., -0.16950041..., 0.22175249...
    assert np.allclose(expected, [0.2476601211330, -0.1695004162504, 0.2217524900403], atol=1e-12)
    t = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    got = rate_step(t([x]), torch.sigmoid(t([x])), t([[u]]), t(W), t(w_in)[:, None],
                    dt / t(tau), t([xi]))
    assert np.allclose(got.numpy()[0], expected, atol=1e-14)


def test_dale_sparsity_and_effective_matrix():
    m = RateRNN(n_units=200, seed=1)
    w = m.effective_weights().detach().numpy()
    sign = m.dale_sign.numpy()
    assert 0.1 < (sign < 0).mean() < 0.3                       # P_inh = 0.2
    assert 0.15 < (w != 0).mean() < 0.25                       # P_rec = 0.2
    assert np.all(w[:, sign > 0] >= 0) and np.all(w[:, sign < 0] <= 0)  # column = presynaptic sign
    tau = m.tau_d().detach().numpy()
    assert np.all((tau >= 0.02) & (tau <= 0.1))


def test_transfer_clipping():
    x = torch.tensor([-5.0, 0.0, 5.0, 50.0])
    assert relu(x).tolist() == [0.0, 0.0, 5.0, 20.0]
    assert softplus(x)[-1].item() == 20.0 and abs(softplus(x)[1].item() - math.log(2)) < 1e-6


def test_tau_and_weights_are_optimised_and_dale_kept():
    torch.manual_seed(0)
    m = RateRNN(n_units=30, seed=0)
    tau0, w0 = m.tau_d().detach().clone(), m.w_raw.detach().clone()
    opt = torch.optim.Adam([p for p in m.parameters() if p.requires_grad], lr=0.05)
    u = torch.zeros(4, 1, 40)
    u[:, 0, 10:20] = 1
    for _ in range(20):
        loss = ((m(u) - 1.0) ** 2).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert m.theta.grad is not None and m.theta.grad.abs().sum() > 0
    assert not torch.allclose(m.tau_d(), tau0)
    assert not torch.allclose(m.w_raw, w0)
    tau = m.tau_d().detach()
    assert torch.all((tau >= 0.02) & (tau <= 0.1))
    w = m.effective_weights().detach()
    assert torch.all(w[:, m.dale_sign > 0] >= 0) and torch.all(w[:, m.dale_sign < 0] <= 0)


def test_fixed_tau_is_not_trained():
    m = RateRNN(n_units=10, tau_min_s=0.02, tau_max_s=0.02)
    assert not m.theta.requires_grad
    assert torch.allclose(m.tau_d(), torch.full((10,), 0.02, dtype=torch.float64))


def test_network_round_trip_through_the_artifact_reproduces_forward(tmp_path):
    m = RateRNN(n_units=20, n_inputs=2, seed=3)
    to_network(m, "xor").save(tmp_path / "net")
    net = RateNetwork.load(tmp_path / "net.npz")
    assert net.task == "xor" and net.act == "sigmoid" and net.tau_max_s == 0.1
    u = torch.randn(3, 2, 30, dtype=torch.float64)
    a = m(u, generator=torch.Generator().manual_seed(5))
    b, rates = net.run(u.numpy(), seed=5)
    assert rates.shape == (3, 30, 20)
    np.testing.assert_allclose(a.detach().numpy(), b, atol=1e-10)
