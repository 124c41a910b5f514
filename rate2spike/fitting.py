"""The one training loop (``fit``) shared by every trained family (rate RNN, SRC, ...).

Each update: ``loss = batch_loss(update)`` (the family draws its own seeded batch and runs its
model), a divergence check, ``zero_grad``, ``backward``, gradient-norm clipping, the optimiser
and scheduler steps and an optional ``after_step`` hook (e.g. a parameter bound). Every
``eval_every`` updates (and at the last) ``evaluate(update)`` returns a dict with at least
``loss`` and ``accuracy``; it is stored in the record's history with the update, the training
loss, the trials seen, the elapsed time and the gradient norms since the previous evaluation
(median and max before clipping, and the fraction of updates clipped), and
``should_stop(evaluation)`` may end training (``record.converged``). A progress bar shows the last evaluation.
"""
from __future__ import annotations

import math
import platform
import time
from contextlib import contextmanager
from typing import Callable

import numpy as np
import torch
from tqdm.auto import tqdm

from .errors import TrainingError
from .results import TrainingRecord
from .version import __version__


def versions() -> dict:
    """Versions recorded with every trained model."""
    return {"rate2spike": __version__, "torch": torch.__version__, "numpy": np.__version__,
            "python": platform.python_version()}


def diverged(desc: str, update: int, why: str, hint: str = "") -> TrainingError:
    """The error of a training run that diverged at ``update`` (``why``: the loss or gradient
    norm that says so; ``hint``: what to try instead)."""
    return TrainingError(f"{desc}: training diverged at update {update}: {why}. {hint}".rstrip())


def evaluation_fields(update: int, train_loss: float, batch_size: int, elapsed_s: float,
                      norms: list, grad_clip: float | None) -> dict:
    """What every evaluation in a history holds beside ``loss`` and ``accuracy``: the update,
    the training loss, the trials seen, the elapsed time (s) and the gradient norms (before
    clipping) since the previous evaluation: median, max and the fraction clipped."""
    return dict(update=update, train_loss=train_loss, trials_seen=update * batch_size,
                time_s=elapsed_s, grad_norm_median=float(np.median(norms)),
                grad_norm_max=max(norms),
                clipped_fraction=float(np.mean(np.array(norms) > (grad_clip or math.inf))))


@contextmanager
def flushed_denormals():
    """Subnormal floats flushed to zero inside the block, restored after.

    Subnormal floats (below ~1e-38 in float32) appear when spiking nets' traces and their
    gradients decay through long silent stretches, and slow CPU arithmetic many times over
    (measured: 1.7x on the first 6 updates of an SRNN on XOR). The switch is process-wide
    processor state, so it is on only while a training loop runs."""
    flushing = torch.set_flush_denormal(True)
    try:
        yield
    finally:
        if flushing:
            torch.set_flush_denormal(False)


def fit(record: TrainingRecord, batch_loss: Callable[[int], torch.Tensor],
        evaluate: Callable[[int], dict], should_stop: Callable[[dict], bool], *, params: list,
        optimizer, max_updates: int, eval_every: int, batch_size: int,
        grad_clip: float | None = None, scheduler=None, after_step: Callable[[], None] | None = None,
        max_loss: float = math.inf, desc: str = "train", diverged_hint: str = "",
        progress: bool = True, first_update: int = 1) -> TrainingRecord:
    """Run the training loop on ``record.model`` and fill ``record``; returns it.

    Updates are numbered ``first_update .. max_updates``: a resumed run, or one epoch of an
    epoch-wise run, continues the numbering (and the evaluation schedule) of the earlier ones.

    Raises :class:`~rate2spike.errors.TrainingError` when the loss is NaN/inf or exceeds
    ``max_loss``; ``diverged_hint`` is appended to the message (what to try instead).
    """
    start = time.perf_counter()
    norms = []      # gradient norms (before clipping) since the last evaluation
    bar = tqdm(range(first_update, max_updates + 1), desc=desc, disable=not progress, unit="upd",
               dynamic_ncols=True)
    try:
        with flushed_denormals():
            for update in bar:
                loss = batch_loss(update)
                if not torch.isfinite(loss) or loss.item() > max_loss:
                    raise diverged(desc, update, f"loss = {loss.item()}", diverged_hint)
                optimizer.zero_grad()
                loss.backward()
                norm = torch.nn.utils.get_total_norm([p.grad for p in params if p.grad is not None])
                if not torch.isfinite(norm):      # clipping by an infinite norm would write NaNs
                    raise diverged(desc, update, f"the gradient norm is {float(norm)}", diverged_hint)
                if grad_clip is not None:
                    torch.nn.utils.clip_grads_with_norm_(params, grad_clip, norm)
                norms.append(float(norm))           # the gradient norm before any clipping
                optimizer.step()
                if scheduler is not None:
                    scheduler.step()
                if after_step is not None:
                    after_step()
                record.updates = update
                if update % eval_every == 0 or update == max_updates:
                    ev = evaluate(update)
                    ev.update(evaluation_fields(update, loss.item(), batch_size,
                                                time.perf_counter() - start, norms, grad_clip))
                    norms.clear()
                    record.history.append(ev)
                    bar.set_postfix(loss=f"{ev['loss']:.3g}", acc=f"{ev['accuracy']:.2f}")
                    if should_stop(ev):
                        record.converged = True
                        break
    finally:
        bar.close()
    record.wall_time_s = time.perf_counter() - start
    record.versions = versions()
    return record
