"""The surrogate-gradient LIF against hand-computed steps and the ATan formula."""
import math

import numpy as np
import pytest
import torch

from rate2spike.class_readout import frozen_class_readout
from rate2spike.errors import ArtifactError
from rate2spike.surrogate_models import LIFClassifier, LIFState, SurrogateLIFNetwork, atan_spike, lif_step


def test_atan_surrogate_gradient_is_the_formula():
    x = torch.tensor([-1.0, -0.2, 0.0, 0.3, 2.0], dtype=torch.float64, requires_grad=True)
    s = atan_spike(x, slope=2.0)
    assert s.tolist() == [0, 0, 0, 1, 1]              # H(x), strict: no spike at x = 0
    s.sum().backward()
    expected = [(2.0 / 2) / (1 + (math.pi * 2.0 * v / 2) ** 2) for v in [-1.0, -0.2, 0.0, 0.3, 2.0]]
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-7)   # W_out in float32


@pytest.mark.parametrize("reset", ["zero", "subtract"])
def test_lif_steps_by_hand(reset):
    # constant drive 0.4, alpha_V 0.9, V_th 1: V = 0.4, 0.76, 1.084 (spike)
    a, th = torch.tensor(0.9, dtype=torch.float64), torch.tensor(1.0, dtype=torch.float64)
    st = LIFState(torch.zeros(1, 1, dtype=torch.float64), torch.zeros(1, 1, dtype=torch.float64))
    vs, ss = [], []
    for _ in range(5):
        st = lif_step(torch.full((1, 1), 0.4, dtype=torch.float64), st, a, th, reset)
        vs.append(st.v.item())
        ss.append(st.s.item())
    assert ss == [0, 0, 1, 0, 0]
    after = 0.0 if reset == "zero" else 1.084 - 1.0
    np.testing.assert_allclose(vs[:4], [0.4, 0.76, after, 0.9 * after + 0.4], rtol=1e-12)


def test_threshold_and_leak_learn():
    torch.manual_seed(0)
    m = LIFClassifier(3, [20], 2).double()
    x = (torch.rand(4, 3, 30, dtype=torch.float64) < 0.5).double() * 3
    loss = torch.nn.functional.cross_entropy(m(x).outputs[:, :, -1], torch.tensor([0, 1, 0, 1]))
    loss.backward()
    assert m.threshold[0].grad.abs() > 0 and m.alpha_v[0].grad.abs() > 0
    assert not any(p is m.W_out for p in m.parameters())       # the readout is frozen
    with torch.no_grad():
        m.alpha_v[0].fill_(1.4)
        m.threshold[0].fill_(-2.0)
    m.constrain_()
    assert m.alpha_v[0].item() == 1.0 and m.threshold[0].item() == pytest.approx(1e-3)


def test_forward_counts_spikes_and_readout_integrates():
    m = LIFClassifier(1, [20], 2, alpha_v=0.0, threshold=0.5).double()
    with torch.no_grad():
        m.linears[0].weight.fill_(1.0)
        m.linears[0].bias.zero_()
    x = torch.zeros(1, 1, 4, dtype=torch.float64)
    x[0, 0, 1] = 1.0                                    # one input spike at step 1
    out = m(x, record_pulses=True)
    assert out.active_steps[0].sum().item() == 20       # every neuron fires once, at step 1
    W = frozen_class_readout(2)[0]
    v1 = W.sum(axis=1)                                  # 10 * 1 - 0.1 * 10 per class
    expected = np.stack([np.zeros(2), v1, 0.99 * v1, 0.99 ** 2 * v1], axis=-1)
    np.testing.assert_allclose(out.outputs[0].detach().numpy(), expected, rtol=1e-7)   # W_out in float32


def test_network_round_trip(tmp_path):
    torch.manual_seed(1)
    m = LIFClassifier(5, [7, 20], 2, alpha_v=0.95, threshold=0.8, reset="subtract")
    net = m.to_network({"dataset": "x"})
    path = net.save(tmp_path / "model")
    back = SurrogateLIFNetwork.load(path)
    assert back.sizes == [7, 20] and back.reset == "subtract"
    assert back.layers[0].alpha_v == pytest.approx(0.95) and back.layers[1].threshold == pytest.approx(0.8)
    x = (torch.rand(3, 5, 25) < 0.4).double() * 2
    a = LIFClassifier.from_network(back)(x).outputs
    b = m.double()(x).outputs
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6)
    (tmp_path / "bad.json").write_text((tmp_path / "model.json").read_text().replace('"n_layers": 2',
                                                                                    '"n_layers": 3'))
    (tmp_path / "bad.npz").write_bytes((tmp_path / "model.npz").read_bytes())
    with pytest.raises(ArtifactError, match="not a complete LIF classifier"):
        SurrogateLIFNetwork.load(tmp_path / "bad.npz")
