"""Batched BPTT training of the rate RNN (Adam, L2-over-time loss, reference stopping rule).

Deviation from the reference, stated: the reference updates on one trial at a time;
we update on mini-batches of ``batch_size`` trials (mean of the per-trial losses). The
stopping rule is evaluated the same way (``eval_trials`` fresh trials every
``eval_every`` updates), so the result meets the paper's criterion.
"""
from __future__ import annotations

import math
import time

import numpy as np
import torch
from tqdm.auto import tqdm

from ..config import TrainConfig
from ..errors import TrainingError
from ..tasks import Task, get_task
from ..training_record import TrainingRecord
from .rnn import RateRNN


def trial_loss(o: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """Per-trial L2 loss over time, sqrt(sum_t (o_t - z_t)^2); shape (batch,)."""
    return torch.sqrt(((o - z) ** 2).sum(dim=1))


class TrainResult(TrainingRecord):
    """A trained rate RNN and its history (``history``: one dict per evaluation)."""

    def metadata(self) -> dict:
        return {
            **self.common_metadata(), "act": self.config.act, "dale": self.config.dale,
            "dt_s": self.config.dt_s, "tau_min_s": self.config.tau_min_s,
            "tau_max_s": self.config.tau_max_s, "noise_std": self.config.noise_std,
        }


@torch.no_grad()
def evaluate(model: RateRNN, task: Task, n_trials: int, seed: int) -> dict:
    """Mean loss and accuracy on ``n_trials`` fresh trials (noise on, seeded)."""
    batch = task.generate(n_trials, seed)
    gen = torch.Generator().manual_seed(seed)
    o = model(batch.inputs, generator=gen)
    loss = trial_loss(o, torch.as_tensor(batch.targets)).mean().item()
    correct = task.score(o.numpy(), batch.labels, task.dt_s)
    return {"loss": loss, "accuracy": float(correct.mean())}


def train_rate_model(cfg: TrainConfig, progress: bool = True) -> TrainResult:
    """Train a rate RNN on ``cfg.task`` until the stopping rule or ``max_updates``.

    Raises :class:`TrainingError` if the loss becomes NaN/inf or grows past 1e6.
    """
    cfg.validate()
    task = get_task(cfg.task)
    torch.manual_seed(cfg.seed)
    model = RateRNN(cfg.units, task.n_inputs, cfg.act, cfg.dale, cfg.p_inh, cfg.p_rec, cfg.gain,
                    cfg.tau_min_s, cfg.tau_max_s, cfg.dt_s, cfg.noise_std, seed=cfg.seed)
    if not math.isclose(task.dt_s, cfg.dt_s):
        raise TrainingError(f"task {task.name} is defined at dt = {task.dt_s} s, config has {cfg.dt_s}")
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=cfg.lr)
    rng = np.random.default_rng(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed + 1)
    result = TrainResult(model, task, cfg)
    start = time.perf_counter()
    bar = tqdm(range(1, cfg.max_updates + 1), desc=f"train {task.name}", disable=not progress,
               unit="upd", dynamic_ncols=True)
    for update in bar:
        batch = task.generate(cfg.batch_size, rng)
        o = model(batch.inputs, generator=gen)
        loss = trial_loss(o, torch.as_tensor(batch.targets)).mean()
        if not torch.isfinite(loss) or loss.item() > 1e6:
            bar.close()
            raise TrainingError(
                f"training diverged at update {update}: loss = {loss.item()}. Try a smaller lr "
                f"(now {cfg.lr}) or grad_clip (now {cfg.grad_clip}).")
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, cfg.grad_clip)
        opt.step()
        result.updates = update
        if update % cfg.eval_every == 0 or update == cfg.max_updates:
            ev = evaluate(model, task, cfg.eval_trials, seed=10_000_019 + update)
            ev.update(update=update, train_loss=loss.item(),
                      trials_seen=update * cfg.batch_size,
                      time_s=time.perf_counter() - start)
            result.history.append(ev)
            bar.set_postfix(loss=f"{ev['loss']:.3g}", acc=f"{ev['accuracy']:.2f}")
            if (ev["loss"] < cfg.stop_loss and ev["accuracy"] > cfg.stop_accuracy
                    and ev["trials_seen"] > cfg.min_trials):
                result.converged = True
                break
    bar.close()
    result.wall_time_s = time.perf_counter() - start
    return result
