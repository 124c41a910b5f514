"""How well non-spiking classifiers do on the training images the spiking ones get on mnist5k:
scikit-learn's logistic regression, multilayer perceptrons and an RBF support-vector machine,
fitted on the same 3,600 images (seed 0's pool and 90/10 split, as ``train-snn``) and scored on
the same 1,000 test images; then the MLP and the SVM again on the images plus 8 randomly
shifted copies of each (``rate2spike.datasets.augment.random_shift``, up to 1 and 2 pixels).

It tells what the small training set allows a fully connected net, whatever its neurons: the
targets of the spiking tables are read against it.

    .venv/bin/python benchmarks/mnist5k_ceiling.py [--skip-shifts]

A benchmark, not a test: it prints its figures (about 1 min without shifts, 6 min with).
"""
from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.svm import SVC

from rate2spike.classifiers.training import split_train_validation
from rate2spike.datasets import load_dataset
from rate2spike.datasets.augment import random_shift
from rate2spike.seeds import stream_rng

COPIES = 8


def training_images(seed: int = 0) -> tuple:
    """(images, labels) that ``train-snn --dataset mnist5k --seed SEED`` trains on."""
    ds = load_dataset("mnist5k", "train")
    pool = stream_rng("classifier_pool", seed).permutation(len(ds))
    train, _ = split_train_validation(len(ds), 0.1, seed)
    return ds.values[pool[train]], ds.labels[pool[train]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-shifts", action="store_true", help="no shifted copies")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    x, y = training_images()
    test = load_dataset("mnist5k", "test")
    models = {"logistic regression": lambda: LogisticRegression(max_iter=2000),
              "MLP 128": lambda: MLPClassifier((128,), max_iter=300, random_state=0),
              "MLP 512": lambda: MLPClassifier((512,), max_iter=300, random_state=0),
              "MLP 512-512": lambda: MLPClassifier((512, 512), max_iter=300, random_state=0),
              "SVM, RBF kernel": SVC}
    print(f"mnist5k: {len(y)} training images, {len(test)} test images")
    print("| classifier | shifts (pixels) | training images | test accuracy | fit time (s) |")
    print("|---|---|---|---|---|")
    settings = [(name, 0) for name in models]
    if not args.skip_shifts:
        settings += [(name, k) for k in (1, 2) for name in ("MLP 512", "SVM, RBF kernel")]
    for name, shift in settings:
        xs, ys = x, y
        if shift:
            xs = np.concatenate([x] + [random_shift(x, (28, 28), shift, rng=r) for r in range(COPIES)])
            ys = np.tile(y, COPIES + 1)
        model = models[name]()
        if shift and name.startswith("MLP"):
            model.set_params(max_iter=100)
        start = time.perf_counter()
        model.fit(xs, ys)
        accuracy = float((model.predict(test.values) == test.labels).mean())
        print(f"| {name} | {shift or '-'} | {len(ys):,} | {100 * accuracy:.1f} % | "
              f"{time.perf_counter() - start:.0f} |", flush=True)


if __name__ == "__main__":
    main()
