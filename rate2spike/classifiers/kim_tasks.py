"""The adaptive LIF SRNN (Yin et al. 2020) trained directly on the Kim et al. tasks.

The task input u(t) (5 ms samples) is held for ``task dt / step_s`` steps and enters the first
layer as a graded drive (direct coding, as for the SRC nets). Two outputs (``output``):

- ``linear`` (default): one non-spiking leaky integrator ``v`` (``readout = "last"``: v at every
  step is the output o(t)); loss: mean squared error to the target z(t) on every step; score: the
  task's own rule on o(t) (as the SRC's linear readout,
  :func:`rate2spike.src_models.training.score_src`);
- ``classify``: one integrator per response class (class 1: Go or +1, class 0: NoGo or -1) whose
  running mean over the trial is the class score (``readout = "mean"``); loss: cross-entropy of
  the final scores; score: their argmax (as the SRC's ``classify`` readout). A deviation from
  Kim et al.'s regression targets, for nets that fail to follow them.

Training: the shared loop, Adam with a cosine schedule, gradient-norm clipping, fresh seeded
trials every update; it stops once ``eval_trials`` held-out trials reach ``stop_accuracy`` with
their loss under ``stop_loss``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..fitting import fit
from ..results import TrainingRecord
from ..seeds import stream_seed
from ..src_models.network import steps_per_task_step, task_inputs_to_steps
from ..src_models.training import score_src, src_loss
from ..surrogate_models.alif import SURROGATES, ALIFNet
from ..tasks import TASKS, get_task
from ..validation import check_choice, check_int, check_range

#: the outputs of a net trained on a Kim task (see the module docstring)
TASK_OUTPUTS = ("linear", "classify")


@dataclass
class ALIFTaskConfig:
    """Options of an adaptive LIF SRNN on a Kim task (times in seconds)."""

    task: str = "gonogo"
    hidden: int = 100
    layers: int = 1
    recurrent: bool = True
    adaptive: bool = True
    surrogate: str = "gaussian"
    step_s: float = 0.001
    batch_size: int = 64
    lr: float = 0.01
    max_updates: int = 600
    grad_clip: float = 1.0
    eval_every: int = 25
    eval_trials: int = 200
    stop_accuracy: float = 0.99
    stop_loss: float = 0.02
    beta: float = 1.8                # threshold adaptation when adaptive (Yin et al.'s 1.8)
    tau_adp_init_ms: float = 200.0   # mean initial tau_adp (s.d. a quarter of it)
    tau_out_init_ms: float = 20.0    # mean initial readout tau (s.d. a quarter of it)
    output: str = "linear"           # linear (MSE to z(t), the task's rule) or classify (see above)
    seed: int = 0

    def validate(self) -> "ALIFTaskConfig":
        check_choice("task", self.task, TASKS)
        check_choice("surrogate", self.surrogate, SURROGATES)
        check_choice("output", self.output, TASK_OUTPUTS)
        check_int("hidden", self.hidden, 1, 100_000)
        check_int("layers", self.layers, 1, 50)
        check_int("batch_size", self.batch_size, 1, 100_000)
        check_int("max_updates", self.max_updates, 1, 10**7)
        check_int("eval_every", self.eval_every, 1, 10**7)
        check_int("eval_trials", self.eval_trials, 1, 10**6)
        check_range("lr", self.lr, 0.0, 10.0, low_open=True)
        check_range("grad_clip", self.grad_clip, 0.0, 1e9, low_open=True)
        check_range("stop_accuracy", self.stop_accuracy, 0.0, 1.0)
        check_range("stop_loss", self.stop_loss, 0.0, 1e9)
        check_range("step_s", self.step_s, 0.0, 1.0, low_open=True)
        check_range("beta", self.beta, 0.0, 100.0)
        check_range("tau_adp_init_ms", self.tau_adp_init_ms, 1.0, 5000.0)
        check_range("tau_out_init_ms", self.tau_out_init_ms, 1.0, 500.0)
        steps_per_task_step(get_task(self.task).dt_s, self.step_s)
        return self


class ALIFTaskRecord(TrainingRecord):
    """A trained adaptive LIF SRNN on a Kim task, its config and evaluation history."""

    random_streams = ("training", "spiking_evaluation")

    def network(self):
        return self.model.to_network({**self.common_metadata(), "cell": "alif"})


def task_output(n_outputs: int) -> str:
    """``classify`` for a net with one integrator per class, ``linear`` for one output."""
    return "classify" if n_outputs > 1 else "linear"


@torch.no_grad()
def evaluate_alif_task(model: ALIFNet, task, n_trials: int, seed: int, step_s: float) -> dict:
    """Held-out loss, accuracy (the task's rule, or the argmax of a ``classify`` net) and activity
    (spikes per neuron-step per layer)."""
    batch = task.generate(n_trials, seed)
    k = steps_per_task_step(task.dt_s, step_s)
    out = model(task_inputs_to_steps(batch.inputs, task.dt_s, step_s))
    mode = task_output(out.outputs.shape[1])
    correct = score_src(task, out.outputs.numpy(), batch, mode, step_s)
    steps = batch.inputs.shape[2] * k
    return {"loss": src_loss(out.outputs, batch, mode, k, task).item(), "accuracy": float(correct.mean()),
            "activity": [float(a.mean()) / steps for a in out.active_steps]}


def train_alif_task(cfg: ALIFTaskConfig, progress: bool = True) -> ALIFTaskRecord:
    """Train an adaptive (or plain) LIF SRNN on ``cfg.task``."""
    cfg.validate()
    task = get_task(cfg.task)
    torch.manual_seed(cfg.seed)
    init = {"tau_adp": (cfg.tau_adp_init_ms, cfg.tau_adp_init_ms / 4),
            "tau_out": (cfg.tau_out_init_ms, cfg.tau_out_init_ms / 4)}
    classify = cfg.output == "classify"
    model = ALIFNet(task.n_inputs, [cfg.hidden] * cfg.layers, task.n_classes if classify else 1,
                    cfg.recurrent, cfg.adaptive, "mean" if classify else "last", cfg.surrogate,
                    cfg.step_s, tau_init_ms=init, beta=cfg.beta if cfg.adaptive else 0.0)
    params = list(model.parameters())
    opt = torch.optim.Adam(params, lr=cfg.lr)
    rng = np.random.default_rng(cfg.seed)
    k = steps_per_task_step(task.dt_s, cfg.step_s)

    def batch_loss(update: int) -> torch.Tensor:
        batch = task.generate(cfg.batch_size, rng)
        out = model(task_inputs_to_steps(batch.inputs, task.dt_s, cfg.step_s))
        return src_loss(out.outputs, batch, cfg.output, k, task)

    return fit(ALIFTaskRecord(model, task, cfg), batch_loss,
               lambda update: evaluate_alif_task(model, task, cfg.eval_trials,
                                                 stream_seed("spiking_evaluation", cfg.seed, update),
                                                 cfg.step_s),
               lambda ev: ev["accuracy"] >= cfg.stop_accuracy and ev["loss"] < cfg.stop_loss,
               params=params, optimizer=opt,
               scheduler=torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=cfg.max_updates),
               after_step=model.constrain_, max_updates=cfg.max_updates, eval_every=cfg.eval_every,
               batch_size=cfg.batch_size, grad_clip=cfg.grad_clip, desc=f"train alif {task.name}",
               diverged_hint=f"Try a smaller lr (now {cfg.lr}).", progress=progress)
