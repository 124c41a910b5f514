"""Training of SRC nets with backprop through time (Adam, cosine-annealed lr, clipping).

As in De Geeter et al. (2023): Adam, learning rate annealed from ``lr`` to 0 by a cosine
over ``max_updates``, gradient-norm clipping at 1, batches of 64, Xavier-uniform init,
b_h clamped to <= -4 after every step, ReLU bypass and detached h/h_s recurrences.
Differences, stated: fresh seeded trials every update instead of a fixed 90/10 split (the
task generators are unlimited); an early stop once the held-out accuracy reaches
``stop_accuracy`` and the held-out loss is below ``stop_loss`` (the scorer alone accepts an
output that crosses 0.7 once and decays, the loss also asks it to hold); on the Kim et al.
tasks the loss is the mean squared error between the linear readout and the task target on
every step (``readout = "linear"``); the paper's cross-entropy on the final integrator values
is used with ``readout = "classify"``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from ..errors import ConfigError
from ..fitting import fit
from ..results import TrainingRecord
from ..seeds import stream_seed
from ..tasks import TASKS, Task, TrialBatch, get_task
from ..validation import check_choice, check_range
from .cell import SRCNet
from .constants import ZS_GATES, SRCConstants
from .network import GROUP_SIZE, READOUTS, SRCNetwork, steps_per_task_step, task_inputs_to_steps


@dataclass
class SRCTrainConfig:
    """Options of a directly trained Spiking Recurrent Cell net (De Geeter et al. 2023
    defaults where the paper has one; ``sizes``, ``recurrent``, the linear readout and the
    stopping rule are ours, for the Kim et al. tasks). Times in seconds."""

    task: str = "gonogo"
    sizes: list = field(default_factory=lambda: [100])   # neurons per SRC layer
    recurrent: bool = True           # W_r within each layer (not in the paper)
    readout: str = "linear"          # "linear" (task output) or "classify" (paper's frozen readout)
    step_s: float = 0.001            # seconds per SRC step
    alpha: float = 0.9               # input-integrator leak per step
    bypass_relu: bool = True
    detach: bool = True
    zs_gate: str = "new_h"           # z_s from h[t] (eq. 3c) or "previous_h" (from h[t-1])
    batch_size: int = 64
    lr: float = 0.005                # Adam, cosine-annealed to 0 over max_updates
    max_updates: int = 800
    grad_clip: float = 1.0
    eval_every: int = 25
    eval_trials: int = 200
    stop_accuracy: float = 0.99      # stop once eval accuracy (task scorer) reaches this
    stop_loss: float = 0.02          # ... and the eval loss (MSE per step) is below this
    seed: int = 0

    def validate(self):
        check_choice("task", self.task, TASKS)
        check_choice("readout", self.readout, READOUTS)
        check_choice("zs_gate", self.zs_gate, ZS_GATES)
        if not isinstance(self.sizes, (list, tuple)) or not self.sizes:
            raise ConfigError(f"sizes must be a non-empty list of layer sizes, got {self.sizes!r}")
        for n in self.sizes:
            check_range("every layer size", n, 1, 100000)
            if not isinstance(n, int):
                raise ConfigError(f"layer sizes must be whole numbers, got {n!r}")
        classes = get_task(self.task).n_classes
        need = classes * GROUP_SIZE
        if self.readout == "classify" and self.sizes[-1] != need:
            raise ConfigError(f"the classification readout needs a last layer of {need} neurons "
                              f"({GROUP_SIZE} per class, {classes} classes), got {self.sizes[-1]}")
        check_range("step_s", self.step_s, 0.0, 1.0, low_open=True)
        check_range("alpha", self.alpha, 0.0, 1.0)
        check_range("batch_size", self.batch_size, 1, 100000)
        check_range("lr", self.lr, 0.0, 10.0, low_open=True)
        check_range("max_updates", self.max_updates, 1, 10**7)
        check_range("grad_clip", self.grad_clip, 0.0, 1e9, low_open=True)
        check_range("eval_every", self.eval_every, 1, 10**7)
        check_range("eval_trials", self.eval_trials, 1, 10**6)
        check_range("stop_accuracy", self.stop_accuracy, 0.0, 1.0)
        check_range("stop_loss", self.stop_loss, 0.0, 1e9)
        try:
            steps_per_task_step(get_task(self.task).dt_s, self.step_s)
        except Exception as exc:
            raise ConfigError(str(exc)) from None
        return self


def src_constants(cfg: SRCTrainConfig) -> SRCConstants:
    return SRCConstants(alpha=cfg.alpha, step_s=cfg.step_s, zs_gate=cfg.zs_gate)


def src_loss(outputs: torch.Tensor, batch: TrialBatch, readout: str, k: int,
             task: Task) -> torch.Tensor:
    """Mean over trials of: MSE to the (step-upsampled) target (linear readout), or the
    cross-entropy of the final integrator values against the trial's class (classify,
    ``task.class_index``)."""
    if readout == "classify":
        target = torch.as_tensor(task.class_index(batch.labels))
        return torch.nn.functional.cross_entropy(outputs[:, :, -1], target)
    z = torch.as_tensor(np.repeat(batch.targets, k, axis=-1), dtype=outputs.dtype)
    return ((outputs[:, 0, :] - z) ** 2).mean()


def score_src(task: Task, outputs: np.ndarray, batch: TrialBatch, readout: str,
              step_s: float) -> np.ndarray:
    """Which trials an SRC net gets right: the task's scorer (rate rule, output sampled every
    ``step_s`` seconds) for a linear readout; argmax at the last step for ``classify``."""
    if readout == "classify":
        return outputs[:, :, -1].argmax(axis=1) == task.class_index(batch.labels)
    return task.score(outputs[:, 0, :], batch.labels, step_s, window="rate")


class SRCTrainResult(TrainingRecord):
    """A trained SRC module, its config and evaluation history (one dict per evaluation)."""

    random_streams = ("training", "spiking_evaluation")

    def network(self) -> SRCNetwork:
        """The trained net as plain arrays, with the training metadata."""
        return self.model.to_network(self.common_metadata())


@torch.no_grad()
def evaluate_src(model: SRCNet, task: Task, n_trials: int, seed: int, step_s: float) -> dict:
    batch = task.generate(n_trials, seed)
    k = steps_per_task_step(task.dt_s, step_s)
    out = model(task_inputs_to_steps(batch.inputs, task.dt_s, step_s))
    loss = src_loss(out.outputs, batch, model.readout, k, task).item()
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
    n_out = task.n_classes if cfg.readout == "classify" else 1
    model = SRCNet(task.n_inputs, list(cfg.sizes), n_out, cfg.recurrent, cfg.readout,
                   src_constants(cfg), cfg.bypass_relu, cfg.detach)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=cfg.lr)
    rng = np.random.default_rng(cfg.seed)
    k = steps_per_task_step(task.dt_s, cfg.step_s)

    def batch_loss(update: int) -> torch.Tensor:
        batch = task.generate(cfg.batch_size, rng)
        out = model(task_inputs_to_steps(batch.inputs, task.dt_s, cfg.step_s))
        return src_loss(out.outputs, batch, cfg.readout, k, task)

    return fit(SRCTrainResult(model, task, cfg), batch_loss,
               lambda update: evaluate_src(model, task, cfg.eval_trials,
                                           stream_seed("spiking_evaluation", cfg.seed, update),
                                           cfg.step_s),
               lambda ev: ev["accuracy"] >= cfg.stop_accuracy and ev["loss"] < cfg.stop_loss,
               params=params, optimizer=opt,
               scheduler=torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=cfg.max_updates),
               after_step=model.clamp_bias_, max_updates=cfg.max_updates,
               eval_every=cfg.eval_every, batch_size=cfg.batch_size, grad_clip=cfg.grad_clip,
               desc=f"train-src {task.name}", diverged_hint=f"Try a smaller lr (now {cfg.lr}).",
               progress=progress)
