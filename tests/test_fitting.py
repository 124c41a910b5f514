"""The shared training loop: evaluations, stopping and the gradient norms it records."""
import pytest
import torch

from rate2spike.errors import TrainingError
from rate2spike.fitting import fit
from rate2spike.results import TrainingRecord


class _Config:
    seed, batch_size = 0, 1


def _quadratic_fit(grad_clip, lr=0.0, updates=4, eval_every=2):
    """loss = |p|^2 / 2 at p = (3, 4): the gradient is p itself, norm 5."""
    p = torch.nn.Parameter(torch.tensor([3.0, 4.0], dtype=torch.float64))
    record = TrainingRecord(p, None, _Config())
    opt = torch.optim.SGD([p], lr=lr)
    fit(record, lambda update: 0.5 * (p * p).sum(),
        lambda update: {"loss": 0.5 * float((p.detach() ** 2).sum()), "accuracy": 0.0},
        lambda ev: False, params=[p], optimizer=opt, max_updates=updates,
        eval_every=eval_every, batch_size=1, grad_clip=grad_clip, progress=False)
    return record, p


def test_records_the_gradient_norm_before_clipping_and_how_often_it_clipped():
    record, _ = _quadratic_fit(grad_clip=1.0)
    assert [ev["update"] for ev in record.history] == [2, 4]
    for ev in record.history:                   # lr 0: p stays put, |grad| = |p| = 5
        assert ev["grad_norm_median"] == 5.0 and ev["grad_norm_max"] == 5.0
        assert ev["clipped_fraction"] == 1.0
    record, _ = _quadratic_fit(grad_clip=10.0)
    assert record.history[-1]["clipped_fraction"] == 0.0


def test_clipping_scales_the_step_to_the_clip_norm_and_none_leaves_it():
    _, p = _quadratic_fit(grad_clip=1.0, lr=1.0, updates=1, eval_every=1)
    assert torch.allclose(p.detach(), torch.tensor([3 - 0.6, 4 - 0.8], dtype=torch.float64))
    record, p = _quadratic_fit(grad_clip=None, lr=0.5, updates=2, eval_every=1)
    # p <- p - 0.5 p twice: (0.75, 1.0); norms 5 then 2.5, never clipped
    assert torch.allclose(p.detach(), torch.tensor([0.75, 1.0], dtype=torch.float64))
    assert [ev["grad_norm_max"] for ev in record.history] == [5.0, 2.5]
    assert record.history[-1]["clipped_fraction"] == 0.0


def test_an_infinite_gradient_stops_training_with_a_clear_error_and_untouched_weights():
    import pytest

    from rate2spike.errors import TrainingError

    p = torch.nn.Parameter(torch.tensor([0.0, 4.0], dtype=torch.float64))
    opt = torch.optim.SGD([p], lr=0.1)
    with pytest.raises(TrainingError, match="gradient norm is inf"):     # d sqrt(p)/dp at 0
        fit(TrainingRecord(p, None, _Config()), lambda update: torch.sqrt(p).sum(),
            lambda update: {"loss": 0.0, "accuracy": 0.0}, lambda ev: False, params=[p],
            optimizer=opt, max_updates=3, eval_every=1, batch_size=1, grad_clip=1.0, progress=False)
    assert torch.equal(p.detach(), torch.tensor([0.0, 4.0], dtype=torch.float64))   # no NaN written


def test_subnormals_are_flushed_only_while_training():
    """Inside the loop tiny float32 values flush to zero (speed); after it, and after a failed
    run, the process computes with IEEE subnormals again (other code relies on them)."""
    seen = []
    p = torch.nn.Parameter(torch.ones(1))

    def loss(update):
        seen.append(float(torch.tensor([1e-40], dtype=torch.float32) * 1.0))
        return (p * p).sum()

    fit(TrainingRecord(p, None, _Config()), loss, lambda u: {"loss": 0.0, "accuracy": 0.0},
        lambda ev: False, params=[p], optimizer=torch.optim.SGD([p], lr=0.0), max_updates=1,
        eval_every=1, batch_size=1, progress=False)
    assert seen == [0.0]
    assert float(torch.tensor([1e-40], dtype=torch.float32) * 1.0) > 0
    with pytest.raises(TrainingError):
        fit(TrainingRecord(p, None, _Config()), lambda u: torch.tensor(float("nan")),
            lambda u: {}, lambda ev: False, params=[p], optimizer=torch.optim.SGD([p], lr=0.0),
            max_updates=1, eval_every=1, batch_size=1, progress=False)
    assert float(torch.tensor([1e-40], dtype=torch.float32) * 1.0) > 0
