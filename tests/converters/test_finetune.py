"""Fine-tuning a converted net: the trainable model is the converted net (same outputs as the
torch simulator before any update), Dale's signs and connectivity survive training, a resumed
run ends exactly where an uninterrupted one does, and bad input exits 2 writing nothing."""
import numpy as np
import pytest
import torch

from rate2spike.brian_models.noise import stream_ids
from rate2spike.converters import convert
from rate2spike.converters.finetune import FinetuneConfig, SpikingNetModel
from rate2spike.converters.finetune_training import finetune
from rate2spike.lif_models import LIFConstants, LIFNetwork
from rate2spike.rate_models import RateNetwork
from rate2spike.simulators.torch_backend import simulate_torch
from rate2spike.tasks import get_task
from tests.conftest import TRAINED, make_rate_artifact


def test_before_training_the_model_is_the_converted_net_at_its_own_step():
    """At the model's 0.05 ms step the trainable model's readout equals the torch simulator's
    on the same trials, voltages and noise streams (50 ms, float32 against float64)."""
    lif = convert(RateNetwork.load(TRAINED), 30.0)
    task = get_task("gonogo")
    model = SpikingNetModel(lif, task, lif.constants.dt_s, 5.0)
    inputs = task.generate(3, 4).inputs[:, :, :10]
    v0 = np.random.default_rng(0).uniform(-65, -45, (3, lif.n_units))
    streams = stream_ids(0, [5, 6, 7])
    with torch.no_grad():
        ours = model(inputs, v0, streams).double().numpy()
    ref = simulate_torch(lif.rate.W_rec, lif.rate.W_in, lif.rate.W_out, lif.rate.tau_d_s, inputs,
                         task.dt_s, np.full(3, 1 / 30), v0.reshape(-1), lif.constants, streams)
    expected = ref.outputs[:, ::int(round(task.dt_s / lif.constants.readout_dt_s))]
    assert np.abs(expected).max() > 0.05
    np.testing.assert_allclose(ours, expected, atol=2e-3)


def test_the_seed_names_the_noise_streams_of_the_training_trials():
    model = SpikingNetModel(LIFNetwork(RateNetwork.load(TRAINED), 30.0), get_task("gonogo"),
                            5e-3, 5.0)
    streams = {seed: model.batch_for_update(3, 4, seed)[2] for seed in (0, 1)}
    assert len(set(streams[0]) | set(streams[1])) == 8          # other seed, other noise
    np.testing.assert_array_equal(streams[1], model.batch_for_update(3, 4, 1)[2])


def test_the_noise_keeps_its_diffusion_at_a_coarser_training_step():
    c = LIFConstants()
    model = SpikingNetModel(LIFNetwork(RateNetwork.load(TRAINED), 30.0, c), get_task("gonogo"),
                            4 * c.dt_s, 5.0)
    assert model.constants.noise_mV == pytest.approx(c.noise_mV * 2)   # sqrt(4) per step
    assert model.constants.readout_dt_s == 0.005                         # one sample per input


def _tiny(tmp_path) -> LIFNetwork:
    return LIFNetwork(RateNetwork.load(make_rate_artifact(tmp_path / "m", n=12)), 20.0)


def test_training_keeps_dales_signs_and_the_connectivity_and_moves_the_weights(tmp_path):
    lif = _tiny(tmp_path)
    tuned, record = finetune(lif, get_task("gonogo"), FinetuneConfig(
        updates=3, batch_size=2, eval_every=3, eval_trials=2, train_dt_s=5e-3, stop_accuracy=None),
        progress=False)
    w0, w1 = lif.rate.W_rec, tuned.rate.W_rec
    assert record.updates == 3 and len(record.history) == 1
    assert not np.allclose(w0, w1)
    assert np.all((w1 == 0) | (np.sign(w1) == lif.rate.dale_sign[None, :]))
    assert np.all(w1[w0 == 0] == 0)                          # no new connection
    np.testing.assert_array_equal(tuned.rate.tau_d_s, lif.rate.tau_d_s)
    assert tuned.s == lif.s and tuned.meta["finetuned"]["updates"] == 3


def test_a_run_interrupted_after_an_evaluation_resumes_to_the_uninterrupted_weights(tmp_path,
                                                                                   monkeypatch):
    lif, task = _tiny(tmp_path), get_task("gonogo")
    cfg = FinetuneConfig(updates=4, batch_size=2, eval_every=2, eval_trials=2, train_dt_s=5e-3,
                         stop_accuracy=None)
    whole, _ = finetune(lif, task, cfg, tmp_path / "a.pt", progress=False)
    original = SpikingNetModel.batch_for_update

    def interrupted(self, update, *args):
        if update == 3:
            raise KeyboardInterrupt
        return original(self, update, *args)

    monkeypatch.setattr(SpikingNetModel, "batch_for_update", interrupted)
    with pytest.raises(KeyboardInterrupt):
        finetune(lif, task, cfg, tmp_path / "b.pt", progress=False)
    monkeypatch.setattr(SpikingNetModel, "batch_for_update", original)
    resumed, record = finetune(lif, task, cfg, tmp_path / "b.pt", progress=False)
    assert record.updates == 4 and [h["update"] for h in record.history] == [2, 4]
    np.testing.assert_array_equal(resumed.rate.W_rec, whole.rate.W_rec)
    np.testing.assert_array_equal(resumed.rate.W_out, whole.rate.W_out)


@pytest.mark.parametrize("args, match", [
    (["--updates", "0"], "updates"),
    (["--lr", "-1"], "lr"),
    (["--train-dt-ms", "0.3"], "must divide"),
    (["--scale", "-5"], "--scale"),
])
def test_bad_options_exit_2_and_write_nothing(tmp_path, run_cli, args, match):
    lif = str(convert(RateNetwork.load(TRAINED), 30.0).save(tmp_path / "lif_network"))
    out = tmp_path / "ft"
    code, cap = run_cli(["finetune", lif, *args, "--out", str(out), "--quiet"])
    assert code == 2 and match in cap.err and len(cap.err.strip().splitlines()) == 1, cap.err
    assert not out.exists()


def test_a_file_that_is_not_a_lif_net_exits_2(tmp_path, run_cli):
    out = tmp_path / "ft"
    code, cap = run_cli(["finetune", str(TRAINED), "--out", str(out), "--quiet"])
    assert code == 2 and "lif_network" in cap.err and not out.exists()


@pytest.mark.parametrize("changes, match", [
    ({"seed": -1}, "seed"), ({"updates": 2.5}, "updates must be a whole number"),
    ({"batch_size": 8.0}, "batch_size must be a whole number")])
def test_bad_options_from_python_are_refused_before_anything_runs(tmp_path, changes, match):
    from rate2spike.errors import ConfigError
    from rate2spike.workflows.finetune import finetune_net

    lif = convert(RateNetwork.load(TRAINED), 30.0)
    with pytest.raises(ConfigError, match=match):
        finetune_net(lif, tmp_path / "ft", FinetuneConfig(**changes), progress=False)
    assert not (tmp_path / "ft").exists()


@pytest.mark.parametrize("accuracies, kept", [([0.5, 1.0, 0.25, 0.75], 2),
                                              ([0.5, 1.0, 0.25, 1.0], 6),
                                              ([1.0, 0.5, 0.5, 0.5], 0)])
def test_keep_best_returns_the_weights_of_the_best_evaluation(tmp_path, monkeypatch, accuracies,
                                                              kept):
    """Evaluations at updates 0 (the untrained net), 2, 4, 6 scoring ``accuracies``: the
    weights kept are those after ``kept`` updates (the latest of equals), i.e. those of a run
    stopped there, and the untrained net's when nothing beats it."""
    lif, task = _tiny(tmp_path), get_task("gonogo")
    scores = iter(accuracies)
    monkeypatch.setattr(type(task), "score", lambda self, o, labels, *a: np.full(
        len(labels), next(scores)) >= np.linspace(0.01, 1, len(labels)))
    cfg = FinetuneConfig(updates=6, batch_size=2, eval_every=2, eval_trials=100, train_dt_s=5e-3,
                         keep_best=True)
    tuned, record = finetune(lif, task, cfg, progress=False)
    assert [h["update"] for h in record.history] == [2, 4, 6]
    assert tuned.meta["finetuned"]["kept_update"] == kept
    if kept == 0:                     # the model holds float32 weights
        np.testing.assert_allclose(tuned.rate.W_rec, lif.rate.W_rec, rtol=1e-6)
    else:
        monkeypatch.undo()
        stopped, _ = finetune(lif, task, FinetuneConfig(
            updates=kept, batch_size=2, eval_every=2, eval_trials=100, train_dt_s=5e-3), progress=False)
        np.testing.assert_array_equal(tuned.rate.W_rec, stopped.rate.W_rec)
        assert not np.array_equal(tuned.rate.W_rec, lif.rate.W_rec)
