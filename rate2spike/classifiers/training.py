"""Epoch-wise training of spiking classifiers (SRC stacks or surrogate-gradient LIF) on a dataset.

One epoch = one pass over the training part of a seeded 90/10 train/validation split, in
batches drawn in a seeded order; each batch is encoded afresh (rate codes draw new spikes every
epoch, from a seed made of the run's seed, the epoch and the batch; with ``augment_shift`` the
images are first moved by random whole pixels, :mod:`rate2spike.datasets.augment`). The loss is the
cross-entropy of the readout integrators' final values (:mod:`rate2spike.class_readout`); the
prediction is their argmax. Updates run in the shared loop :func:`rate2spike.fitting.fit`
(Adam, cosine schedule over all updates, gradient-norm clipping); after every epoch the
validation split is scored and a checkpoint (model, optimiser, schedule, history) is written
atomically, so an interrupted run continues from its last finished epoch.
"""
from __future__ import annotations

import io
import math
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

from ..artifacts import atomic_write_bytes
from ..class_readout import GROUP_SIZE
from ..datasets import Dataset
from ..datasets.augment import random_shift
from ..encoders import encode
from ..errors import ConfigError
from ..fitting import fit
from ..rate_models.classifier import RateClassifier
from ..results import TrainingRecord
from ..seeds import stream_rng, stream_seed
from ..src_models.cell import SRCNet
from ..src_models.constants import SRCConstants
from ..surrogate_models.alif import ALIFNet
from ..surrogate_models.lif import LIFClassifier
from .config import ClassifierConfig

EVAL_BATCH = 256
#: config fields that may change when a run is resumed (everything else must match)
RESUMABLE_CHANGES = ("epochs", "test_limit", "data_root", "brian_samples")


class ClassifierRecord(TrainingRecord):
    """A trained classifier (``model``), its training dataset (``task``), config and history
    (one dict per epoch: validation ``loss``, ``accuracy``, ``activity`` per layer, and the
    ``train_accuracy`` over the epoch's batches)."""

    random_streams = ("training", "classifier_pool", "classifier_split", "classifier_epoch_order",
                      "classifier_batch_encoding", "classifier_validation")

    def network(self):
        """The trained net as plain arrays (SRCNetwork, SurrogateLIFNetwork or ALIFNetwork)."""
        meta = {**self.common_metadata(), "dataset": self.task.name, "cell": self.config.cell,
                "encoding": self.config.encoding, "classes": list(self.task.classes)}
        return self.model.to_network(meta)


def layer_sizes(cfg: ClassifierConfig, n_classes: int) -> list:
    """``layers - 1`` hidden layers of ``hidden`` neurons, then 10 neurons per class (SRC, LIF:
    the frozen class readout); ``layers`` hidden layers for the adaptive LIF (own readout)."""
    if cfg.cell == "alif":
        return [cfg.hidden] * cfg.layers
    if cfg.cell == "rate":
        return [cfg.hidden]
    return [cfg.hidden] * (cfg.layers - 1) + [GROUP_SIZE * n_classes]


def build_classifier(cfg: ClassifierConfig, n_inputs: int, n_classes: int):
    """A fresh SRCNet (feedforward, the paper's cell), LIFClassifier, ALIFNet or RateClassifier,
    seeded by ``cfg.seed``."""
    torch.manual_seed(cfg.seed)
    sizes = layer_sizes(cfg, n_classes)
    if cfg.cell == "rate":
        return RateClassifier(n_inputs, cfg.hidden, n_classes, seed=cfg.seed)
    if cfg.cell == "alif":
        return ALIFNet(n_inputs, sizes, n_classes, cfg.recurrent, cfg.adaptive, cfg.readout,
                       cfg.surrogate, cfg.step_s)
    if cfg.cell == "src":
        return SRCNet(n_inputs, sizes, n_classes, recurrent=False, readout="classify",
                      constants=SRCConstants(alpha=cfg.alpha_value, step_s=cfg.step_s))
    return LIFClassifier(n_inputs, sizes, n_classes, alpha_v=cfg.alpha_value, step_s=cfg.step_s)


def split_train_validation(n: int, val_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded shuffle of ``range(n)`` cut into (train, validation) index arrays; at least one
    sample goes to each side."""
    order = stream_rng("classifier_split", seed).permutation(n)
    n_val = min(n - 1, max(1, int(round(val_fraction * n))))
    return np.sort(order[n_val:]), np.sort(order[:n_val])


def encoded(ds: Dataset, idx, cfg: ClassifierConfig, rng) -> np.ndarray:
    return ds.inputs(np.asarray(idx), cfg.encoding, cfg.steps, rng=rng, gain=cfg.gain)


def training_batch(ds: Dataset, idx, cfg: ClassifierConfig, rng) -> np.ndarray:
    """Samples ``idx`` encoded for an update: as :func:`encoded`, after a random shift of each
    image by up to ``cfg.augment_shift`` pixels (drawn from ``rng`` first) when that is > 0."""
    if not cfg.augment_shift:
        return encoded(ds, idx, cfg, rng)
    values = random_shift(ds.values[np.asarray(idx)], ds.image_shape, cfg.augment_shift, rng)
    return encode(values, cfg.encoding, cfg.steps, rng=rng, gain=cfg.gain)


@torch.no_grad()
def evaluate_classifier(model, ds: Dataset, idx, cfg: ClassifierConfig, seed: int) -> dict:
    """Score ``model`` on samples ``idx`` of ``ds`` (encoded with a fixed ``seed``).

    Returns loss (mean cross-entropy), accuracy, activity (per layer: fraction of neuron-steps
    with s > 0, the paper's T(s)), predictions and labels (n,), active_steps (per layer: (n_l,)
    mean steps with s > 0 per sample) and input_events ((channels,) mean input sum per sample).
    """
    idx = np.asarray(idx)
    was_training = model.training
    model.eval()          # the rate net's training noise off; no effect on the spiking cells
    try:
        return _evaluate(model, ds, idx, cfg, seed)
    finally:
        model.train(was_training)


def _evaluate(model, ds: Dataset, idx: np.ndarray, cfg: ClassifierConfig, seed: int) -> dict:
    loss, preds = 0.0, []
    active = None
    inputs_sum = np.zeros(ds.n_channels)
    for b in range(0, len(idx), EVAL_BATCH):
        part = idx[b:b + EVAL_BATCH]
        x = encoded(ds, part, cfg, np.random.default_rng([seed, b]))
        out = model(x)
        final = out.outputs[:, :, -1].double()
        y = torch.as_tensor(ds.labels[part])
        loss += float(torch.nn.functional.cross_entropy(final, y, reduction="sum"))
        preds.append(final.argmax(dim=1).numpy())
        sums = [a.double().sum(dim=0).numpy() for a in out.active_steps]
        active = sums if active is None else [a + s for a, s in zip(active, sums)]
        inputs_sum += x.sum(axis=(0, 2))
    n, steps = len(idx), cfg.steps
    preds = np.concatenate(preds)
    per_sample = [a / n for a in active]
    return {"loss": loss / n, "accuracy": float((preds == ds.labels[idx]).mean()),
            "activity": [float(a.mean() / steps) for a in per_sample],
            "predictions": preds, "labels": ds.labels[idx], "active_steps": per_sample,
            "input_events": inputs_sum / n}


def _check_resumable(saved: dict, cfg: ClassifierConfig, path: Path) -> None:
    now, default = asdict(cfg), asdict(ClassifierConfig())
    # an option added after the checkpoint was written counts as its default value
    saved = {**default, **saved}
    diff = [k for k in now if k not in RESUMABLE_CHANGES and saved.get(k) != now[k]]
    if diff:
        raise ConfigError(f"{path} was written by a run with other options ({', '.join(diff)}: "
                          f"{', '.join(f'{saved.get(k)!r} now {now[k]!r}' for k in diff)}); resume "
                          f"with the same options or choose another --out")


def check_training_size(cfg: ClassifierConfig, n_available: int, name: str) -> int:
    """The number of training samples used (``train_limit`` of them, or all); at least 2, and
    a ``train_limit`` larger than the split is refused rather than silently cut."""
    if cfg.train_limit > n_available:
        raise ConfigError(f"--train-limit {cfg.train_limit:,} is larger than the training split of "
                          f"{name} ({n_available:,} samples); valid: 0 (all) or 2..{n_available}")
    n = cfg.train_limit or n_available
    if n < 2:
        raise ConfigError(f"the training split of {name} would have {n} sample(s) "
                          f"(--train-limit {cfg.train_limit}); need >= 2")
    return n


def check_test_size(cfg: ClassifierConfig, n_available: int, name: str) -> int:
    """The number of test samples scored (``test_limit`` of them, or all); a ``test_limit``
    larger than the split is refused."""
    if cfg.test_limit > n_available:
        raise ConfigError(f"--test-limit {cfg.test_limit:,} is larger than the test split of "
                          f"{name} ({n_available:,} samples); valid: 0 (all) or 1..{n_available}")
    return cfg.test_limit or n_available


def check_sample_limits(cfg: ClassifierConfig, train_set: Dataset, test_set: Dataset) -> tuple:
    """(training samples used, test samples scored): both limits checked against their splits."""
    return (check_training_size(cfg, len(train_set), train_set.name),
            check_test_size(cfg, len(test_set), test_set.name))


def train_classifier(cfg: ClassifierConfig, train_set: Dataset, checkpoint: Path | None = None,
                     progress: bool = True) -> ClassifierRecord:
    """Train ``cfg.cell`` on ``train_set`` for ``cfg.epochs`` epochs; resumes from ``checkpoint``
    (written after every epoch) when it exists."""
    cfg.validate()
    n = check_training_size(cfg, len(train_set), train_set.name)
    pool = stream_rng("classifier_pool", cfg.seed).permutation(len(train_set))[:n]
    tr, va = split_train_validation(n, cfg.val_fraction, cfg.seed)
    train_idx, val_idx = pool[tr], pool[va]
    model = build_classifier(cfg, train_set.n_channels, train_set.n_classes)
    params = [p for p in model.parameters() if p.requires_grad]
    per_epoch = math.ceil(len(train_idx) / cfg.batch_size)
    opt = torch.optim.Adam(params, lr=cfg.lr)
    total = cfg.epochs * per_epoch      # cosine from lr to 0 over all updates, in closed form,
    sched = torch.optim.lr_scheduler.LambdaLR(   # so a resumed run with more epochs follows the new curve
        opt, lambda u: 0.5 * (1 + math.cos(math.pi * min(u, total) / total)))
    record = ClassifierRecord(model, train_set, cfg)
    first_epoch, elapsed = 0, 0.0
    if checkpoint is not None and Path(checkpoint).is_file():
        state = torch.load(checkpoint, weights_only=True)
        _check_resumable(state["config"], cfg, Path(checkpoint))
        if state["epoch"] > cfg.epochs:
            raise ConfigError(f"{checkpoint} holds {state['epoch']} epochs, more than --epochs "
                              f"{cfg.epochs}; pass --epochs {state['epoch']} (or more) or another --out")
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        sched.load_state_dict(state["scheduler"])
        record.history, first_epoch, elapsed = state["history"], state["epoch"], state["elapsed_s"]
        record.updates = first_epoch * per_epoch
    for epoch in range(first_epoch, cfg.epochs):
        order = stream_rng("classifier_epoch_order", cfg.seed, epoch).permutation(train_idx)
        seen = {"correct": 0, "n": 0}

        def batch_loss(update: int, order=order, epoch=epoch, seen=seen) -> torch.Tensor:
            b = (update - 1) % per_epoch
            idx = order[b * cfg.batch_size:(b + 1) * cfg.batch_size]
            out = model(training_batch(train_set, idx, cfg,
                                       stream_rng("classifier_batch_encoding", cfg.seed, epoch, b)))
            final = out.outputs[:, :, -1]
            y = torch.as_tensor(train_set.labels[idx])
            seen["correct"] += int((final.detach().argmax(dim=1) == y).sum())
            seen["n"] += len(idx)
            return torch.nn.functional.cross_entropy(final, y)

        def evaluate(update: int, epoch=epoch, seen=seen) -> dict:
            ev = evaluate_classifier(model, train_set, val_idx, cfg,
                                     seed=stream_seed("classifier_validation", cfg.seed))
            return {"loss": ev["loss"], "accuracy": ev["accuracy"], "activity": ev["activity"],
                    "epoch": epoch + 1, "train_accuracy": seen["correct"] / max(seen["n"], 1)}

        fit(record, batch_loss, evaluate, lambda ev: False, params=params, optimizer=opt,
            scheduler=sched, after_step=model.constrain_, max_updates=(epoch + 1) * per_epoch,
            first_update=epoch * per_epoch + 1, eval_every=per_epoch, batch_size=cfg.batch_size,
            grad_clip=cfg.grad_clip, desc=f"{cfg.cell} {train_set.name} epoch {epoch + 1}/{cfg.epochs}",
            diverged_hint=f"Try a smaller --lr (now {cfg.lr}).", progress=progress)
        elapsed += record.wall_time_s
        record.history[-1]["epoch_time_s"] = record.wall_time_s
        if checkpoint is not None:
            buf = io.BytesIO()
            torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(),
                        "scheduler": sched.state_dict(), "history": record.history,
                        "epoch": epoch + 1, "elapsed_s": elapsed, "config": asdict(cfg)}, buf)
            atomic_write_bytes(checkpoint, buf.getvalue())
    record.wall_time_s = elapsed
    record.converged = True     # all epochs done (classifiers have no early stop)
    record.split = {"train": train_idx, "validation": val_idx}
    return record
