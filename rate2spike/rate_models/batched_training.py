"""Training the nets of one study setting together (beyond the paper: study throughput).

``train_rate_models(configs)`` trains K rate RNNs that differ only in their seed as one
:class:`~.stacked.StackedRateRNN`, and returns for each what
:func:`~.training.train_rate_model` returns for it alone. Each net keeps everything its lone
run has:

- its initial weights, its trial stream (``np.random.default_rng(seed)``), its noise generator
  and its evaluation trials (seeded by net and update);
- its own loss (the mean over its batch), its own gradient-norm clipping (norm over its own
  gradients) and its own Adam moments (Adam is element-wise, so a stacked tensor's moments are
  the nets' moments side by side);
- its own stopping rule: a net that stops (or diverges) leaves the stack, with its optimiser
  state sliced away, and the others go on; a diverged net gets the lone run's error message.

So net k's weights equal its lone run's up to float rounding of the batched products (tested).
Why: a 200-unit net's update is ~2,000 small tensor operations, much of whose cost is torch's
per-operation overhead; K nets share it (measured: 1.56-1.74x less time per net-update).
``history`` time stamps and ``wall_time_s`` are those of the whole stack (the nets ran
together); ``training_group`` records the seeds of the K nets.
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict

import numpy as np
import torch

from ..errors import ConfigError, TrainingError
from ..fitting import diverged, evaluation_fields, flushed_denormals, versions
from ..seeds import stream_seed
from ..tasks import get_task
from .stacked import StackedRateRNN
from .training import (
    TrainConfig,
    TrainResult,
    diverged_hint,
    initial_model,
    meets_stopping_rule,
    score_outputs,
    trial_loss,
)


def check_trains_together(cfg: TrainConfig) -> None:
    """Nets are trained together on the CPU only: a :class:`ConfigError` otherwise."""
    if cfg.torch_device != "cpu":
        raise ConfigError(f"--train-together trains on the CPU; the training options ask for "
                          f"torch_device = {cfg.torch_device!r} (use cpu, or train the nets one by "
                          f"one: --train-together 1)")


def _check_same_setting(configs: list) -> None:
    """The configs must differ in their seed only, and train on the CPU."""
    if not configs:
        raise ConfigError("train_rate_models needs at least one TrainConfig")
    base = {k: v for k, v in asdict(configs[0]).items() if k != "seed"}
    for cfg in configs[1:]:
        other = {k: v for k, v in asdict(cfg).items() if k != "seed"}
        if other != base:
            diff = sorted(k for k in base if base[k] != other[k])
            raise ConfigError(f"nets trained together must differ in their seed only; these differ: "
                              f"{', '.join(diff)}")
    check_trains_together(configs[0])


class _Net:
    """The bookkeeping of one net in the stack."""

    def __init__(self, cfg: TrainConfig, task):
        self.cfg, self.task = cfg, task
        self.model = initial_model(cfg, task)
        self.rng = np.random.default_rng(cfg.seed)
        self.gen = torch.Generator().manual_seed(stream_seed("rate_training_noise", cfg.seed))
        self.record = TrainResult(self.model, task, cfg)
        self.norms: list = []            # gradient norms since the last evaluation
        self.train_loss = math.nan       # the last update's loss
        self.outcome: TrainResult | TrainingError | None = None


def _evaluate(stack: StackedRateRNN, nets: list, update: int) -> list:
    """Each net's mean loss and accuracy on its own ``eval_trials`` fresh trials (the trials and
    noise of :func:`~.training.evaluate` with that net's seed)."""
    seeds = [stream_seed("rate_evaluation", n.cfg.seed, update) for n in nets]
    batches = [n.task.generate(n.cfg.eval_trials, s) for n, s in zip(nets, seeds)]
    with torch.no_grad():
        o = stack(np.stack([b.inputs for b in batches]),
                  [torch.Generator().manual_seed(s) for s in seeds])
    return [score_outputs(o[k], batch, net.task) for k, (net, batch) in enumerate(zip(nets, batches))]


def _restack(stack, optimizer, rows: list, lr: float):
    """The stack and its Adam restricted to ``rows`` (the moments and step count carried)."""
    new = stack.keep(rows)
    new_opt = torch.optim.Adam([p for p in new.parameters() if p.requires_grad], lr=lr)
    for name, p in new.named_parameters():
        old = optimizer.state.get(getattr(stack, name))
        if p.requires_grad and old:
            new_opt.state[p] = {k: (v.clone() if k == "step" else v[rows].clone())
                                for k, v in old.items()}
    return new, new_opt


def train_rate_models(configs: list, progress: bool = True, on_finish=None) -> list:
    """Train the nets of ``configs`` (TrainConfigs equal but for the seed) together; returns,
    per config, its :class:`~.training.TrainResult` or the :class:`TrainingError` its lone run
    would have raised (a diverged net does not stop the others). ``on_finish(i, outcome)`` is
    called as soon as net ``i`` leaves the stack (e.g. to save it before the others finish)."""
    configs = [cfg.validate() for cfg in configs]
    _check_same_setting(configs)
    cfg0, task = configs[0], get_task(configs[0].task)
    nets = [_Net(cfg, task) for cfg in configs]
    active = list(nets)
    stack = StackedRateRNN([n.model for n in nets])
    optimizer = torch.optim.Adam([p for p in stack.parameters() if p.requires_grad], lr=cfg0.lr)
    clip = cfg0.grad_clip or None
    start = time.perf_counter()
    bar = _progress(cfg0.max_updates, len(nets), progress)
    try:
        with flushed_denormals():
            for update in bar:
                done = _update(stack, optimizer, active, update, cfg0, clip)
                if update % cfg0.eval_every == 0 or update == cfg0.max_updates:
                    for k, (net, ev) in enumerate(zip(active, _evaluate(stack, active, update))):
                        if k in done:
                            continue
                        ev.update(evaluation_fields(update, net.train_loss, cfg0.batch_size,
                                                    time.perf_counter() - start, net.norms, clip))
                        net.norms.clear()
                        net.record.history.append(ev)
                        net.record.converged = meets_stopping_rule(net.cfg, ev)
                        if net.record.converged or update == cfg0.max_updates:
                            done[k] = net.record
                for k, outcome in done.items():
                    _finish(active[k], outcome, stack, k, time.perf_counter() - start, configs)
                    if on_finish is not None:
                        on_finish(nets.index(active[k]), outcome)
                if done:
                    rows = [k for k in range(len(active)) if k not in done]
                    active = [active[k] for k in rows]
                    if not active:
                        break
                    stack, optimizer = _restack(stack, optimizer, rows, cfg0.lr)
    finally:
        bar.close()
    return [n.outcome for n in nets]


def _update(stack, optimizer, active: list, update: int, cfg: TrainConfig, clip) -> dict:
    """One update of every net in ``active`` (each its own batch, loss, clipping); returns
    ``{row: TrainingError}`` for the nets that diverged (the lone run's error)."""
    batches = [n.task.generate(cfg.batch_size, n.rng) for n in active]
    o = stack(np.stack([b.inputs for b in batches]), [n.gen for n in active])
    z = torch.as_tensor(np.stack([b.targets for b in batches])).to(o)
    losses = trial_loss(o.reshape(-1, o.shape[-1]), z.reshape(-1, z.shape[-1])
                        ).reshape(len(active), -1).mean(dim=1)
    bad = {k: f"loss = {losses[k].item()}" for k in range(len(active))
           if not torch.isfinite(losses[k]) or losses[k].item() > 1e6}
    optimizer.zero_grad()
    healthy = [k for k in range(len(active)) if k not in bad]
    if healthy:
        losses[healthy].sum().backward()
    grads = [p.grad for p in stack.parameters() if p.grad is not None]
    norms = (torch.stack([g.flatten(1).norm(dim=1) for g in grads], dim=1).norm(dim=1)
             if grads else torch.full((len(active),), math.nan))
    bad.update({k: f"the gradient norm is {float(norms[k])}" for k in range(len(active))
                if k not in bad and not torch.isfinite(norms[k])})
    if clip is not None:          # clip_grads_with_norm_'s rule, per net
        coef = torch.clamp(clip / (norms + 1e-6), max=1.0).nan_to_num(0.0)
        for g in grads:
            g.mul_(coef.view(-1, *[1] * (g.dim() - 1)).to(g))
    optimizer.step()
    for k, net in enumerate(active):
        net.norms.append(float(norms[k]))
        net.train_loss = losses[k].item()
        net.record.updates = update
    return {k: diverged(f"train {cfg.task}", update, why, diverged_hint(cfg)) for k, why in bad.items()}


def _finish(net: _Net, outcome, stack, row: int, elapsed_s: float, configs: list) -> None:
    """Net ``net`` (row ``row`` of ``stack``) leaves the stack with ``outcome``."""
    if isinstance(outcome, TrainResult):
        stack.write_back(row, net.model)
        outcome.wall_time_s, outcome.versions = elapsed_s, versions()
        outcome.training_group = tuple(c.seed for c in configs)
    net.outcome = outcome


def _progress(max_updates: int, n_nets: int, progress: bool):
    from tqdm.auto import tqdm

    return tqdm(range(1, max_updates + 1), desc=f"train {n_nets} nets together", unit="upd",
                disable=not progress, dynamic_ncols=True)
