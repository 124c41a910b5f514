"""``rate2spike.convert`` and ``train`` from Python, and the defaults they apply."""
import json

import numpy as np
import pytest

import rate2spike
from rate2spike.config import TrainConfig, build_config
from rate2spike.converters import choose_best_s
from rate2spike.lif_models import LIFNetwork
from rate2spike.rate_models import RateNetwork


def test_convert_from_python_returns_the_result_and_writes_the_report(tmp_path, tiny_model):
    res = rate2spike.convert("gonogo", model=tiny_model, out=tmp_path / "c", trials=3,
                             scales=[30, 20], noise_mV=0.2, progress=False)
    assert [r.s for r in res.results] == [20.0, 30.0] and res.trials == 3
    assert res.best_s == choose_best_s(res.results)
    assert res.lif_accuracy == next(r.accuracy for r in res.results if r.s == res.best_s)
    saved = LIFNetwork.load(res.files["lif_network"])
    assert saved.s == res.best_s and saved.constants.noise_mV == 0.2
    np.testing.assert_allclose(saved.rate.W_rec, RateNetwork.load(tiny_model).W_rec, rtol=1e-15)
    summary = json.loads((tmp_path / "c" / "convert_result.json").read_text())
    assert summary["best_scale_s"] == res.best_s and summary["lif_constants"]["noise_mV"] == 0.2
    assert "**LIF accuracy" in (tmp_path / "c" / "report.md").read_text()
    assert not (tmp_path / "c" / ".rate2spike.lock").exists()


def test_default_stop_losses_per_task_and_their_override():
    assert [build_config(TrainConfig, {}, {"task": t}).stop_loss
            for t in ("gonogo", "xor", "mante")] == [1.0, 7.0, 3.0]
    assert build_config(TrainConfig, {"stop_loss": 7}, {"task": "gonogo"}).stop_loss == 7.0


def test_python_entry_points_have_real_signatures():
    import inspect

    for fn in (rate2spike.train, rate2spike.convert, rate2spike.compare, rate2spike.simulate_lif,
               rate2spike.simulate, rate2spike.export, rate2spike.load_authors_mat,
               rate2spike.RateNetwork.from_arrays):
        params = inspect.signature(fn).parameters
        assert "args" not in params and fn.__doc__ and "Example" in fn.__doc__, fn.__name__


def test_train_from_python_writes_a_loadable_artifact(tmp_path):
    result, files = rate2spike.train("xor", out=tmp_path / "t", units=10, batch_size=2,
                                     max_updates=1, eval_trials=2, progress=False)
    net = RateNetwork.load(files["model"])
    assert net.task == "xor" and net.n_inputs == 2 and net.meta["updates"] == 1
    assert net.meta["versions"]["rate2spike"] == rate2spike.__version__
    with pytest.raises(rate2spike.errors.ConfigError, match="units = 1 is out of range"):
        rate2spike.train("xor", out=tmp_path / "u", units=1)
    assert not (tmp_path / "u").exists()


def test_a_resumed_convert_never_converts_a_net_trained_with_other_options(tmp_path):
    """convert --resume in a folder whose rate net it trained: the same training options reuse
    it; other ones are refused naming the option (not a net of the old options converted as if
    it were of the new)."""
    from rate2spike.errors import ArtifactError
    from rate2spike.workflows.convert import _rate_net

    cfg = dict(task="xor", units=10, batch_size=2, max_updates=1, eval_trials=2)
    rate2spike.train(out=tmp_path, progress=False, **cfg)
    net, _ = _rate_net(tmp_path, True, build_config(TrainConfig, cfg), progress=False)
    assert net.n_units == 10
    with pytest.raises(ArtifactError, match=r"trained with other options: max_updates 1 \(now 2\)"):
        _rate_net(tmp_path, True, build_config(TrainConfig, {**cfg, "max_updates": 2}), progress=False)
