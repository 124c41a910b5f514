"""Nets trained together (one stacked model) are the nets trained alone, up to float rounding."""
import numpy as np
import pytest
import torch

from rate2spike.config import TrainConfig
from rate2spike.errors import ConfigError, TrainingError
from rate2spike.rate_models.batched_training import train_rate_models
from rate2spike.rate_models.stacked import step_noise
from rate2spike.rate_models.training import train_rate_model


def configs(seeds, **options):
    base = dict(task="gonogo", units=24, batch_size=4, max_updates=40, eval_every=5,
                eval_trials=8, min_trials=0, stop_accuracy=0.0, stop_loss=6.0)
    return [TrainConfig(**{**base, **options, "seed": s}) for s in seeds]


def assert_same_training(lone, together):
    assert together.updates == lone.updates and together.converged == lone.converged
    assert together.training_group is not None and lone.training_group is None
    a, b = lone.model.export_arrays(), together.model.export_arrays()
    for key in ("W_rec", "W_out", "b_out", "tau_d_s", "W_in", "dale_sign"):
        np.testing.assert_allclose(b[key], a[key], rtol=1e-9, atol=1e-12, err_msg=key)
    assert len(together.history) == len(lone.history)
    for h_lone, h_together in zip(lone.history, together.history):
        for key in ("loss", "accuracy", "train_loss", "grad_norm_median", "clipped_fraction"):
            assert h_together[key] == pytest.approx(h_lone[key], rel=1e-9), key
        assert h_together["update"] == h_lone["update"]


@pytest.mark.parametrize("batch_size", [4, 3])     # 4 x 24 draws a step: one bulk draw; 3 x 24 not
def test_nets_trained_together_equal_each_net_trained_alone(batch_size):
    """Four nets (float64), which stop at different updates by their own rule: each leaves the
    stack when it stops, the others go on with their Adam moments sliced. Every net's weights,
    evaluations, stopping update and gradient norms equal its lone run's."""
    lone = [train_rate_model(cfg, progress=False) for cfg in configs(range(4), batch_size=batch_size)]
    stops = {r.updates for r in lone}
    assert len(stops) > 1 and all(r.converged for r in lone)   # the case worth testing
    finished = []
    together = train_rate_models(configs(range(4), batch_size=batch_size), progress=False,
                                 on_finish=lambda i, outcome: finished.append((i, outcome.updates)))
    for a, b in zip(lone, together):
        assert_same_training(a, b)
        assert b.training_group == (0, 1, 2, 3)
    # each net is handed over when it stops, in the order they stop
    assert sorted(finished, key=lambda x: x[1]) == finished and sorted(finished) == [
        (i, r.updates) for i, r in enumerate(lone)]


def test_trained_tau_fixed_tau_and_no_dale_train_together_too():
    for options in ({"tau_min_s": 0.02, "tau_max_s": 0.02}, {"dale": False, "act": "softplus"}):
        lone = [train_rate_model(c, progress=False) for c in configs([5, 6], max_updates=10, **options)]
        together = train_rate_models(configs([5, 6], max_updates=10, **options), progress=False)
        for a, b in zip(lone, together):
            assert_same_training(a, b)


def nan_from_update(forward, update):
    """``forward`` whose output's first row is NaN from the ``update``-th training call on (the
    lone net's first trial, or the stack's first net while the stack has another one)."""
    calls = {"n": 0}

    def wrapped(self, *args, **kwargs):
        o = forward(self, *args, **kwargs)
        if torch.is_grad_enabled():
            calls["n"] += 1
            if calls["n"] >= update and not (o.dim() == 3 and len(o) == 1):
                o = o.clone()
                o[0] = float("nan")
        return o
    return wrapped


def test_a_diverging_net_gets_its_lone_runs_error_and_the_others_finish(monkeypatch):
    from rate2spike.rate_models.rnn import RateRNN
    from rate2spike.rate_models.stacked import StackedRateRNN

    healthy = train_rate_model(configs([2])[0], progress=False)
    with monkeypatch.context() as patch:
        patch.setattr(RateRNN, "forward", nan_from_update(RateRNN.forward, 3))
        with pytest.raises(TrainingError, match="diverged at update 3: loss = nan") as lone_error:
            train_rate_model(configs([1])[0], progress=False)
    monkeypatch.setattr(StackedRateRNN, "forward", nan_from_update(StackedRateRNN.forward, 3))
    outcomes = train_rate_models(configs([1, 2]), progress=False)
    assert isinstance(outcomes[0], TrainingError) and str(outcomes[0]) == str(lone_error.value)
    assert_same_training(healthy, outcomes[1])


def test_nets_that_differ_in_more_than_the_seed_are_refused():
    with pytest.raises(ConfigError, match="differ in their seed only; these differ: act, units"):
        train_rate_models([*configs([0]), *configs([1], act="relu", units=30)], progress=False)


@pytest.mark.parametrize("shape", [(4, 8), (3, 5)])
def test_step_noise_is_each_generators_successive_draws(shape):
    gens = [torch.Generator().manual_seed(s) for s in (3, 4)]
    noise = step_noise(gens, 6, shape, torch.float32)
    for k, seed in enumerate((3, 4)):
        g = torch.Generator().manual_seed(seed)
        expected = torch.stack([torch.randn(shape, generator=g, dtype=torch.float32) for _ in range(6)])
        assert torch.equal(noise[k], expected)
