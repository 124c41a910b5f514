"""A rate-RNN classifier converted to LIF: class outputs rebuilt from spikes, and the search of s."""
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from rate2spike.converters.classifier_conversion import class_scores, convert_classifier
from rate2spike.errors import ArtifactError
from rate2spike.lif_models import LIFConstants
from rate2spike.rate_models.classifier import RateClassifier, RateClassifierNetwork


def two_group_net(n_per: int = 2) -> RateClassifierNetwork:
    """Units 0..n_per-1 driven by channel 0 and read by class 0; the others by channel 1 / class 1;
    no recurrence, so every s classifies alike."""
    n = 2 * n_per
    W_in = np.zeros((n, 2))
    W_in[:n_per, 0] = W_in[n_per:, 1] = 30.0
    W_out = np.zeros((2, n))
    W_out[0, :n_per] = W_out[1, n_per:] = 1.0
    return RateClassifierNetwork(np.zeros((n, n)), W_in, W_out, np.full(n, 0.03), np.ones(n))


def test_class_scores_equal_the_discrete_synapse_by_hand():
    """One spike of unit 1 at t0: score_k = W_out[k, 1] / s x the mean over the rate-step samples
    of the synapse's discrete response r(step n) = dt/(tau_r tau_d) (a_d^m - a_r^m)/(a_d - a_r),
    m = n - 1 - i (the update written in lif_models.readout)."""
    c = LIFConstants()
    net = RateClassifierNetwork(np.zeros((4, 4)), np.ones((4, 2)), np.arange(12.0).reshape(3, 4),
                                np.full(4, 0.03), np.ones(4))
    t0, s, steps = 0.1003, 2.0, 200
    chunk = SimpleNamespace(s=s, trials=np.array([0]), rasters={0: (np.array([1]), np.array([t0]))})
    got = class_scores(chunk, net, c, steps)
    i = round(t0 / c.dt_s)
    n = np.arange(steps) * round(net.dt_s / c.dt_s)          # sample k at step k x 100
    a_d, a_r = np.exp(-c.dt_s / 0.03), np.exp(-c.dt_s / c.tau_r_s)
    m = np.maximum(n - 1 - i, 0)
    r = np.where(n > i, c.dt_s / (c.tau_r_s * 0.03) * (a_d ** m - a_r ** m) / (a_d - a_r), 0.0)
    np.testing.assert_allclose(got[0], net.W_out[:, 1] * r.mean() / s, rtol=1e-9)


def test_convert_classifier_scores_every_s_and_breaks_ties_at_the_median():
    net = two_group_net()
    labels = np.array([0, 1, 1, 0, 1, 0])
    x = np.zeros((6, 2, 40))
    x[np.arange(6), labels, :] = 1.0              # class c: channel c on for the whole sample
    res = convert_classifier(net, x, labels, x[:4], labels[:4], [10, 20, 30, 40],
                             device="reference", progress=False)
    assert res["search_accuracy"] == [1.0] * 4 and res["test_accuracy"] == 1.0
    assert res["best_s"] == 20.0              # tied 10-40: median 25, nearest 20 and 30 -> the smaller
    np.testing.assert_array_equal(res["test_predictions"], labels[:4])
    assert res["spikes_per_unit"].shape == (4,) and res["firing_rate_hz"] > 0
    np.testing.assert_allclose(res["firing_rate_hz"], res["spikes_per_unit"].mean() / 0.2)
    with pytest.raises(ValueError, match="differ in channels or steps"):
        convert_classifier(net, x, labels, x[:, :, :20], labels, [10], device="reference",
                           progress=False)


def test_rate_classifier_decision_is_the_time_mean_of_a_bias_free_readout():
    m = RateClassifier(n_inputs=3, n_units=12, n_classes=4, seed=2).eval()
    x = np.random.default_rng(0).random((2, 3, 15))
    with torch.no_grad():
        out = m(x, record_pulses=True)
        again = m(x)
    rates = out.pulses[0]                                   # (batch, N, T)
    o = torch.einsum("kn,bnt->bkt", m.rnn.w_out, rates)     # W_out r(t), no bias
    torch.testing.assert_close(out.outputs[:, :, -1], o.mean(dim=2))
    torch.testing.assert_close(out.outputs, again.outputs)   # eval: no noise, fixed x0
    assert not m.rnn.b_out.requires_grad and float(m.rnn.b_out.abs().sum()) == 0.0
    assert out.active_steps[0].shape == (2, 12) and float(out.active_steps[0].min()) == 15  # sigmoid > 0


def test_rate_classifier_network_round_trip_and_bad_shapes(tmp_path):
    m = RateClassifier(n_inputs=3, n_units=10, n_classes=4, seed=1)
    net = m.to_network({"dataset": "digits"})
    back = RateClassifierNetwork.load(net.save(tmp_path / "rc"))
    np.testing.assert_array_equal(back.W_out, net.W_out)
    assert back.meta["dataset"] == "digits" and back.n_outputs == 4 and back.act == "sigmoid"
    x = np.random.default_rng(1).random((2, 3, 12))
    with torch.no_grad():
        a = m.eval()(x).outputs.double()
        b = RateClassifier.from_network(back).eval()(x).outputs
    torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-5)      # float32 vs float64
    with pytest.raises(ArtifactError, match="inconsistent shapes"):
        RateClassifierNetwork(net.W_rec, net.W_in, net.W_out[:, :5], net.tau_d_s, net.dale_sign)
