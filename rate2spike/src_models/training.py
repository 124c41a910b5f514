"""Training of SRC nets with backprop through time (Adam, cosine-annealed lr, clipping).

As in De Geeter et al. (2023): Adam, learning rate annealed from ``lr`` to 0 by a cosine
over ``max_updates``, gradient-norm clipping at 1, batches of 64, Xavier-uniform init,
b_h clamped to <= -4 after every step, ReLU bypass and detached h/h_s recurrences.
Differences, stated: fresh seeded trials every update instead of a fixed 90/10 split (the
task generators are unlimited); an early stop once the held-out accuracy reaches
``stop_accuracy`` and the held-out loss is below ``stop_loss`` (the scorer alone accepts an
output that crosses 0.7 once and decays, the loss also asks it to hold); on the Kim et al. tasks the loss is the mean squared error between the
linear readout and the task target on every step (``readout = "linear"``); the paper's
cross-entropy on the final integrator values is used with ``readout = "classify"``.
"""
from __future__ import annotations

import time

import numpy as np
import torch
from tqdm.auto import tqdm

from ..config import SRCTrainConfig
from ..errors import TrainingError
from ..tasks import Task, TrialBatch, get_task
from ..training_record import TrainingRecord
from .cell import SRCNet, class_targets
from .constants import SRCConstants
from .network import SRCNetwork, steps_per_task_step, task_inputs_to_steps


def src_constants(cfg: SRCTrainConfig) -> SRCConstants:
    return SRCConstants(alpha=cfg.alpha, step_s=cfg.step_s)


def src_loss(outputs: torch.Tensor, batch: TrialBatch, readout: str, k: int) -> torch.Tensor:
    """Mean over trials of: MSE to the (step-upsampled) target (linear readout), or the
    cross-entropy of the final integrator values against the trial's class (classify)."""
    if readout == "classify":
        target = torch.as_tensor(class_targets(batch.labels))
        return torch.nn.functional.cross_entropy(outputs[:, :, -1], target)
    z = torch.as_tensor(np.repeat(batch.targets, k, axis=-1), dtype=outputs.dtype)
    return ((outputs[:, 0, :] - z) ** 2).mean()


def score_src(task: Task, outputs: np.ndarray, batch: TrialBatch, readout: str,
              step_s: float) -> np.ndarray:
    """Which trials an SRC net gets right: the task's scorer (rate rule, output sampled every
    ``step_s`` seconds) for a linear readout; argmax at the last step for ``classify``."""
    if readout == "classify":
        return outputs[:, :, -1].argmax(axis=1) == class_targets(batch.labels)
    return task.score(outputs[:, 0, :], batch.labels, step_s, window="rate")


class SRCTrainResult(TrainingRecord):
    """A trained SRC module, its config and evaluation history (one dict per evaluation)."""

    def network(self) -> SRCNetwork:
        """The trained net as plain arrays, with the training metadata."""
        return self.model.to_network(self.common_metadata())


@torch.no_grad()
def evaluate_src(model: SRCNet, task: Task, n_trials: int, seed: int, step_s: float) -> dict:
    batch = task.generate(n_trials, seed)
    k = steps_per_task_step(task.dt_s, step_s)
    out = model(task_inputs_to_steps(batch.inputs, task.dt_s, step_s))
    loss = src_loss(out.outputs, batch, model.readout, k).item()
    correct = score_src(task, out.outputs.numpy(), batch, model.readout, step_s)
    activity = [float(a.mean()) / batch.inputs.shape[2] / k for a in out.active_steps]
    return {"loss": loss, "accuracy": float(correct.mean()), "activity": activity}


def train_src_model(cfg: SRCTrainConfig, progress: bool = True) -> SRCTrainResult:
    """Train an SRC net on ``cfg.task``; stops at ``stop_accuracy`` or ``max_updates``.

    Raises :class:`TrainingError` if the loss becomes NaN/inf.
    """
    cfg.validate()
    task = get_task(cfg.task)
    torch.manual_seed(cfg.seed)
    n_out = 2 if cfg.readout == "classify" else 1
    model = SRCNet(task.n_inputs, list(cfg.sizes), n_out, cfg.recurrent, cfg.readout,
                   src_constants(cfg), cfg.bypass_relu, cfg.detach)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=cfg.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=cfg.max_updates)
    rng = np.random.default_rng(cfg.seed)
    k = steps_per_task_step(task.dt_s, cfg.step_s)
    result = SRCTrainResult(model, task, cfg)
    start = time.perf_counter()
    bar = tqdm(range(1, cfg.max_updates + 1), desc=f"train-src {task.name}", unit="upd",
               disable=not progress, dynamic_ncols=True)
    for update in bar:
        batch = task.generate(cfg.batch_size, rng)
        out = model(task_inputs_to_steps(batch.inputs, task.dt_s, cfg.step_s))
        loss = src_loss(out.outputs, batch, cfg.readout, k)
        if not torch.isfinite(loss):
            bar.close()
            raise TrainingError(f"SRC training diverged at update {update} (loss {loss.item()}); "
                                f"try a smaller lr (now {cfg.lr})")
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, cfg.grad_clip)
        opt.step()
        sched.step()
        model.clamp_bias_()
        result.updates = update
        if update % cfg.eval_every == 0 or update == cfg.max_updates:
            ev = evaluate_src(model, task, cfg.eval_trials, 20_000_003 + update, cfg.step_s)
            ev.update(update=update, train_loss=loss.item(), trials_seen=update * cfg.batch_size,
                      time_s=time.perf_counter() - start)
            result.history.append(ev)
            bar.set_postfix(loss=f"{ev['loss']:.3g}", acc=f"{ev['accuracy']:.2f}")
            if ev["accuracy"] >= cfg.stop_accuracy and ev["loss"] < cfg.stop_loss:
                result.converged = True
                break
    bar.close()
    result.wall_time_s = time.perf_counter() - start
    return result
