"""Epoch-wise classifier training: split, frozen readout, resume = uninterrupted, bad options."""
import numpy as np
import pytest
import torch

from rate2spike.class_readout import frozen_class_readout
from rate2spike.classifiers import (
    ClassifierConfig,
    build_classifier,
    evaluate_classifier,
    layer_sizes,
    split_train_validation,
    train_classifier,
)
from rate2spike.datasets import load_dataset
from rate2spike.errors import ConfigError
from rate2spike.src_models.cell import SRCNet
from rate2spike.surrogate_models import LIFClassifier

TINY = dict(layers=2, hidden=12, epochs=2, steps=8, train_limit=60, batch_size=16)


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits", "train")


def test_sizes_split_and_cells():
    cfg = ClassifierConfig(layers=3, hidden=64)
    assert layer_sizes(cfg, 10) == [64, 64, 100]         # the class layer: 10 neurons per class
    assert layer_sizes(ClassifierConfig(layers=1), 4) == [40]
    tr, va = split_train_validation(100, 0.1, seed=0)
    assert len(va) == 10 and len(tr) == 90 and not set(tr) & set(va)
    np.testing.assert_array_equal(split_train_validation(100, 0.1, 0)[1], va)   # seeded
    src = build_classifier(ClassifierConfig(cell="src", encoding="latency", layers=2, hidden=8), 64, 10)
    assert isinstance(src, SRCNet) and src.constants.alpha == 0.99 and src.layers[0].W_r is None
    lif = build_classifier(ClassifierConfig(cell="lif", layers=2, hidden=8), 64, 10)
    assert isinstance(lif, LIFClassifier) and lif.alpha_v[0].item() == pytest.approx(0.9)


@pytest.mark.parametrize("cell", ["src", "lif"])
def test_resume_equals_uninterrupted_and_readout_stays_frozen(cell, digits, tmp_path):
    full = train_classifier(ClassifierConfig(cell=cell, **TINY), digits, tmp_path / "a.pt", progress=False)
    W0 = full.model.W_out.clone()
    calls = {"n": 0}

    class Interrupted(type(digits)):          # stops at the first batch of epoch 2
        def inputs(self, *args, **kw):
            calls["n"] += 1
            if calls["n"] > 4 + 1:            # 4 batches (54 samples / 16) + 1 validation batch
                raise KeyboardInterrupt
            return super().inputs(*args, **kw)

    broken = Interrupted(**{f: getattr(digits, f) for f in digits.__dataclass_fields__})
    with pytest.raises(KeyboardInterrupt):
        train_classifier(ClassifierConfig(cell=cell, **TINY), broken, tmp_path / "b.pt", progress=False)
    assert torch.load(tmp_path / "b.pt", weights_only=True)["epoch"] == 1
    resumed = train_classifier(ClassifierConfig(cell=cell, **TINY), digits, tmp_path / "b.pt",
                               progress=False)
    assert [h["epoch"] for h in resumed.history] == [1, 2]
    for (k, a), b in zip(full.model.state_dict().items(), resumed.model.state_dict().values()):
        torch.testing.assert_close(a, b, rtol=0, atol=0, msg=k)
    torch.testing.assert_close(full.model.W_out, W0)
    np.testing.assert_allclose(W0.numpy(), frozen_class_readout(10)[0], rtol=1e-7)
    with pytest.raises(ConfigError, match="hidden"):
        train_classifier(ClassifierConfig(cell=cell, **{**TINY, "hidden": 13}), digits,
                         tmp_path / "b.pt", progress=False)


def test_evaluation_counts(digits):
    cfg = ClassifierConfig(cell="lif", **TINY)
    model = build_classifier(cfg, 64, 10)
    ev = evaluate_classifier(model, digits, np.arange(30), cfg, seed=1)
    assert ev["predictions"].shape == (30,) and 0 <= ev["accuracy"] <= 1
    # the rate code's expected input: gain 0.25 x pixel per step
    expected = 0.25 * digits.values[:30].mean(axis=0) * cfg.steps      # per channel and sample
    np.testing.assert_allclose(ev["input_events"].mean(), expected.mean(), rtol=0.1)
    assert len(ev["activity"]) == 2 and all(0 <= a <= 1 for a in ev["activity"])


@pytest.mark.parametrize("bad, match", [({"layers": 0}, "layers"), ({"cell": "gru"}, "cell"),
                                        ({"encoding": "events"}, "static dataset digits"),
                                        ({"dataset": "nmnist", "encoding": "rate"}, "events")])
def test_bad_options(bad, match):
    with pytest.raises(ConfigError, match=match):
        ClassifierConfig(**bad).validate()


def test_resume_with_fewer_epochs_is_refused(digits, tmp_path):
    train_classifier(ClassifierConfig(cell="lif", **TINY), digits, tmp_path / "d.pt", progress=False)
    with pytest.raises(ConfigError, match="more than --epochs 1"):      # 2 epochs written, 1 asked
        train_classifier(ClassifierConfig(cell="lif", **{**TINY, "epochs": 1}), digits, tmp_path / "d.pt",
                         progress=False)


def test_checkpoint_of_an_older_version_resumes_and_other_options_are_refused(digits, tmp_path):
    """A checkpoint written before an option existed holds no value for it: its default is
    assumed, so the run resumes; an option that differs from what was saved is refused."""
    ckpt = tmp_path / "old.pt"
    train_classifier(ClassifierConfig(cell="lif", **{**TINY, "epochs": 1}), digits, ckpt, progress=False)
    state = torch.load(ckpt, weights_only=True)
    del state["config"]["search_samples"]             # as written by an older version
    torch.save(state, ckpt)
    rec = train_classifier(ClassifierConfig(cell="lif", **TINY), digits, ckpt, progress=False)
    assert [h["epoch"] for h in rec.history] == [1, 2]
    with pytest.raises(ConfigError, match="search_samples: 100 now 7"):
        train_classifier(ClassifierConfig(cell="lif", **{**TINY, "search_samples": 7}), digits, ckpt,
                         progress=False)


def test_sample_limits_up_to_the_split_are_taken_and_larger_ones_refused():
    """0 = the whole split; a limit equal to the split is that split; one more is refused (it was
    silently cut to the split before); a training split needs 2 samples."""
    from rate2spike.classifiers.training import check_test_size, check_training_size

    def cfg(**limits):
        return ClassifierConfig(**limits).validate()

    assert check_training_size(cfg(), 1437, "digits") == 1437
    assert check_training_size(cfg(train_limit=1437), 1437, "digits") == 1437
    assert check_training_size(cfg(train_limit=60), 1437, "digits") == 60
    with pytest.raises(ConfigError, match=r"--train-limit 1,438 is larger than the training split"
                                          r" of digits \(1,437 samples\); valid: 0 \(all\) or 2\.\.1437"):
        check_training_size(cfg(train_limit=1438), 1437, "digits")
    with pytest.raises(ConfigError, match="need >= 2"):
        check_training_size(cfg(train_limit=1), 1437, "digits")
    assert check_test_size(cfg(), 360, "digits") == 360
    assert check_test_size(cfg(test_limit=360), 360, "digits") == 360
    with pytest.raises(ConfigError, match=r"--test-limit 361 is larger than the test split of digits"):
        check_test_size(cfg(test_limit=361), 360, "digits")
