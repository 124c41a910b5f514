"""PNG figures of a spiking classifier run: learning curves, confusion matrix, activity per
layer and example input rasters. Each takes plain arrays, writes one PNG atomically and returns
its path; time on axes is in steps."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .plots import plt, save_figure


def learning_curves(history: list, path) -> Path:
    """Training and validation accuracy, and validation loss, per epoch."""
    epochs = [h["epoch"] for h in history]
    fig, (a, b) = plt.subplots(1, 2, figsize=(8, 3.2))
    a.plot(epochs, [100 * h["train_accuracy"] for h in history], "o-", label="training batches")
    a.plot(epochs, [100 * h["accuracy"] for h in history], "s-", label="validation")
    a.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy")
    a.legend(frameon=False)
    b.plot(epochs, [h["loss"] for h in history], "s-", color="tab:orange")
    b.set(xlabel="epoch", ylabel="cross-entropy", title="validation loss")
    return save_figure(fig, path)


def confusion_matrix(labels, predictions, classes, path, title="test set") -> Path:
    """Counts of (true class, predicted class), with the per-class accuracy on the diagonal."""
    k = len(classes)
    m = np.zeros((k, k), dtype=int)
    np.add.at(m, (np.asarray(labels), np.asarray(predictions)), 1)
    fig, ax = plt.subplots(figsize=(0.45 * k + 2.5, 0.45 * k + 2))
    im = ax.imshow(m, cmap="Blues")
    for i in range(k):
        for j in range(k):
            if m[i, j]:
                ax.text(j, i, str(m[i, j]), ha="center", va="center", fontsize=7,
                        color="white" if m[i, j] > m.max() / 2 else "black")
    ax.set(xticks=range(k), yticks=range(k), xlabel="predicted", ylabel="true", title=title)
    ax.set_xticklabels(classes, rotation=90, fontsize=7)
    ax.set_yticklabels(classes, fontsize=7)
    fig.colorbar(im, ax=ax, fraction=0.046)
    return save_figure(fig, path)


def activity_per_layer(activity: list, path, cell: str) -> Path:
    """The paper's T(s) per layer: fraction of neuron-steps with s > 0 on the test set."""
    fig, ax = plt.subplots(figsize=(max(3.0, 0.5 * len(activity) + 2), 3))
    ax.bar(range(1, len(activity) + 1), activity, color="tab:green")
    ax.set(xlabel="layer", ylabel="T(s)", title=f"{cell.upper()} activity (test set)",
           xticks=range(1, len(activity) + 1))
    return save_figure(fig, path)


def input_rasters(inputs, labels, classes, path, encoding: str) -> Path:
    """One panel per example: input channels (rows) over steps (columns)."""
    n = len(inputs)
    fig, axes = plt.subplots(1, n, figsize=(2.2 * n, 2.6), squeeze=False)
    for ax, x, y in zip(axes[0], inputs, labels):
        ch, st = np.nonzero(x)
        if encoding == "direct":
            ax.imshow(x, aspect="auto", cmap="Greys", interpolation="nearest")
        else:
            ax.plot(st, ch, "|", ms=2, color="k")
            ax.set(xlim=(0, x.shape[1]), ylim=(x.shape[0], 0))
        ax.set(title=f"class {classes[y]}", xlabel="step")
    axes[0][0].set_ylabel("input channel")
    fig.suptitle(f"example inputs ({encoding})", fontsize=9)
    return save_figure(fig, path)


def lambda_search(converted: dict, rate_accuracy: float, path) -> Path:
    """Accuracy of the converted LIF net on the search samples and its firing rate against s =
    1/lambda, with the rate net's test accuracy for reference."""
    s = converted["scales"]
    fig, (a, b) = plt.subplots(1, 2, figsize=(8, 3.2))
    a.plot(s, [100 * x for x in converted["search_accuracy"]], "o-", label="converted LIF (search)")
    a.axhline(100 * rate_accuracy, color="grey", ls="--", label="rate net (test)")
    a.axvline(converted["best_s"], color="tab:red", lw=0.8)
    a.set(xlabel="s = 1/λ", ylabel="accuracy (%)", title=f"λ search (best s = {converted['best_s']:g})")
    a.legend(frameon=False, fontsize=8)
    b.plot(s, converted["search_rate_hz"], "s-", color="tab:orange")
    b.set(xlabel="s = 1/λ", ylabel="mean firing rate (Hz)", title="activity")
    return save_figure(fig, path)
