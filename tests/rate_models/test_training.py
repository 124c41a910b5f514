import numpy as np
import pytest
import torch

from rate2spike.config import TrainConfig
from rate2spike.errors import TrainingError
from rate2spike.rate_models import training
from rate2spike.rate_models.training import evaluate, train_rate_model


@pytest.mark.slow
def test_gonogo_reaches_the_reference_rule_and_learns_tau():
    """Batched training meets the paper's criterion (loss < 7, accuracy > 95 %)."""
    cfg = TrainConfig(task="gonogo", stop_loss=7.0, max_updates=400)
    res = train_rate_model(cfg, progress=False)
    assert res.converged
    last = res.history[-1]
    assert last["loss"] < 7 and last["accuracy"] > 0.95 and last["trials_seen"] > 1500
    fresh = evaluate(res.model, res.task, 200, seed=123)
    assert fresh["accuracy"] > 0.9
    arrays = res.model.export_arrays()
    tau = arrays["tau_d_s"]
    assert np.all((tau >= cfg.tau_min_s) & (tau <= cfg.tau_max_s))
    assert res.model.theta.grad is not None
    w, sign = arrays["W_rec"], arrays["dale_sign"]
    assert np.all(w[:, sign > 0] >= 0) and np.all(w[:, sign < 0] <= 0)


def test_tau_moves_during_training():
    cfg = TrainConfig(task="gonogo", units=30, batch_size=4, max_updates=10, eval_every=5,
                      eval_trials=8, min_trials=0)
    fresh = train_rate_model(TrainConfig(**{**cfg.__dict__, "max_updates": 1, "lr": 1e-12}),
                             progress=False).model.tau_d().detach()
    res = train_rate_model(cfg, progress=False)
    moved = res.model.tau_d().detach()
    assert not torch.allclose(fresh, moved)
    assert torch.all((moved >= 0.02) & (moved <= 0.1))


def test_divergence_is_reported(monkeypatch):
    monkeypatch.setattr(training, "trial_loss", lambda o, z: torch.full((o.shape[0],), float("nan"),
                                                                        requires_grad=True))
    cfg = TrainConfig(task="gonogo", units=10, batch_size=2, max_updates=5)
    with pytest.raises(TrainingError, match="diverged at update 1"):
        train_rate_model(cfg, progress=False)


def test_torch_device_choice_and_a_clear_error_without_cuda(monkeypatch):
    import torch

    from rate2spike.errors import ConfigError
    from rate2spike.rate_models.training import torch_device

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert torch_device("auto").type == "cpu" and torch_device("cpu").type == "cpu"
    with pytest.raises(ConfigError, match="no CUDA device"):
        torch_device("cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert torch_device("auto").type == "cuda"


def test_convert_and_train_refuse_cuda_without_a_gpu_before_writing(monkeypatch, tmp_path,
                                                                     run_cli):
    import torch

    import rate2spike
    from rate2spike.config import TrainConfig
    from rate2spike.errors import ConfigError

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ConfigError, match="no CUDA device"):
        rate2spike.convert("gonogo", out=tmp_path / "c", train_config=TrainConfig(torch_device="cuda"))
    code, cap = run_cli(["train", "--task", "gonogo", "--torch-device", "cuda",
                         "--out", str(tmp_path / "t")])
    assert code == 2 and "no CUDA device" in cap.err
    assert not (tmp_path / "c").exists() and not (tmp_path / "t").exists()


def test_grad_clip_zero_trains_without_clipping_and_records_the_norms():
    from rate2spike.errors import ConfigError

    base = dict(task="gonogo", units=30, batch_size=4, max_updates=4, eval_every=2,
                eval_trials=8, min_trials=0)
    clipped = train_rate_model(TrainConfig(**base, grad_clip=1e-6), progress=False)
    free = train_rate_model(TrainConfig(**base, grad_clip=0.0), progress=False)
    assert all(ev["clipped_fraction"] == 1.0 for ev in clipped.history)   # any norm > 1e-6
    assert all(ev["clipped_fraction"] == 0.0 for ev in free.history)
    assert all(ev["grad_norm_median"] > 0 for ev in free.history)
    # the recorded norms are those before clipping: far above the 1e-6 clip
    assert clipped.history[0]["grad_norm_max"] >= clipped.history[0]["grad_norm_median"] > 1e-3
    with pytest.raises(ConfigError, match="grad_clip"):
        TrainConfig(**base, grad_clip=-1.0).validate()


def test_float32_trains_in_float32_and_saves_float64_arrays():
    """dtype float32 (the authors' TensorFlow precision): parameters, gradients and outputs
    are float32 during training; the saved network is float64; its first update starts from
    the float64 run's initial weights rounded to float32."""
    cfg = TrainConfig(task="gonogo", units=30, batch_size=4, max_updates=2, eval_every=1,
                      eval_trials=8, min_trials=0, dtype="float32")
    res = train_rate_model(cfg, progress=False)
    assert res.model.w_raw.dtype == torch.float32 and res.model.w_raw.grad.dtype == torch.float32
    net = res.network()
    assert net.W_rec.dtype == np.float64 and net.tau_d_s.dtype == np.float64
    init64 = train_rate_model(TrainConfig(**{**cfg.__dict__, "dtype": "float64", "lr": 1e-300,
                                             "max_updates": 1}), progress=False)
    init32 = train_rate_model(TrainConfig(**{**cfg.__dict__, "lr": 1e-30, "max_updates": 1}),
                              progress=False)
    np.testing.assert_array_equal(init32.model.w_raw.detach().numpy(),
                                  init64.model.w_raw.detach().numpy().astype(np.float32))


def test_float32_and_float64_nets_compute_the_same_outputs_to_float32_precision():
    from rate2spike.rate_models.rnn import RateRNN

    m64 = RateRNN(n_units=40, seed=2)
    m32 = RateRNN(n_units=40, seed=2).to(torch.float32)
    u = np.zeros((3, 1, 100))
    u[:, :, 10:20] = 1.0
    with torch.no_grad():
        o64 = m64(u, noise=False, generator=torch.Generator().manual_seed(0))
        o32 = m32(u, noise=False, generator=torch.Generator().manual_seed(0))
    assert o32.dtype == torch.float32
    np.testing.assert_allclose(o32.numpy(), o64.numpy(), rtol=1e-4, atol=1e-6)


def test_an_unknown_dtype_is_refused_naming_the_valid_ones():
    from rate2spike.errors import ConfigError

    with pytest.raises(ConfigError, match="float64.*float32|float32.*float64"):
        TrainConfig(task="gonogo", dtype="float16").validate()
