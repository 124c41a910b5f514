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
Why: a 200-unit net's update is ~2,000 small tensor operations whose cost is mostly torch's
per-operation overhead; K nets share that overhead. ``history`` time stamps and
``wall_time_s`` are those of the whole stack (the nets ran together); ``training_group``
records the seeds of the K nets.
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict

import numpy as np
import torch

from ..errors import ConfigError, TrainingError
from ..fitting import versions
from ..seeds import stream_seed
from ..tasks import get_task
from .rnn import RateRNN
from .stacked import StackedRateRNN
from .training import TORCH_DTYPES, TrainConfig, TrainResult, meets_stopping_rule, trial_loss


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
    if configs[0].torch_device != "cpu":
        raise ConfigError("training nets together runs on the CPU (torch_device = 'cpu'); on a GPU "
                          "train them one by one")


class _Net:
    """The bookkeeping of one net in the stack."""

    def __init__(self, cfg: TrainConfig, task):
        torch.manual_seed(cfg.seed)
        self.cfg, self.task = cfg, task
        self.model = RateRNN(cfg.units, task.n_inputs, cfg.act, cfg.dale, cfg.p_inh, cfg.p_rec,
                             cfg.gain, cfg.tau_min_s, cfg.tau_max_s, cfg.dt_s, cfg.noise_std,
                             seed=cfg.seed).to(dtype=TORCH_DTYPES[cfg.dtype])
        self.rng = np.random.default_rng(cfg.seed)
        self.gen = torch.Generator().manual_seed(stream_seed("rate_training_noise", cfg.seed))
        self.record = TrainResult(self.model, task, cfg)
        self.norms: list = []
        self.outcome: TrainResult | TrainingError | None = None


def _evaluate(stack: StackedRateRNN, nets: list, update: int) -> list:
    """Each net's mean loss and accuracy on its own ``eval_trials`` fresh trials (the trials and
    noise of :func:`~.training.evaluate` with that net's seed)."""
    seeds = [stream_seed("rate_evaluation", n.cfg.seed, update) for n in nets]
    batches = [n.task.generate(n.cfg.eval_trials, s) for n, s in zip(nets, seeds)]
    with torch.no_grad():
        o = stack(np.stack([b.inputs for b in batches]),
                  [torch.Generator().manual_seed(s) for s in seeds])
    out = []
    for k, (net, batch) in enumerate(zip(nets, batches)):
        loss = trial_loss(o[k], torch.as_tensor(batch.targets).to(o)).mean().item()
        correct = net.task.score(o[k].numpy(), batch.labels, net.task.dt_s)
        out.append({"loss": loss, "accuracy": float(correct.mean())})
    return out


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
    if not math.isclose(task.dt_s, cfg0.dt_s):
        raise TrainingError(f"task {task.name} is defined at dt = {task.dt_s} s, config has {cfg0.dt_s}")
    nets = [_Net(cfg, task) for cfg in configs]
    active = list(nets)
    stack = StackedRateRNN([n.model for n in nets])
    optimizer = torch.optim.Adam([p for p in stack.parameters() if p.requires_grad], lr=cfg0.lr)
    clip = cfg0.grad_clip or None
    start = time.perf_counter()
    flushing = torch.set_flush_denormal(True)        # as in rate2spike.fitting.fit
    bar = _progress(cfg0.max_updates, len(nets), progress)
    try:
        for update in bar:
            batches = [n.task.generate(cfg0.batch_size, n.rng) for n in active]
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
            if clip is not None:
                coef = torch.clamp(clip / (norms + 1e-6), max=1.0).nan_to_num(0.0)
                for g in grads:
                    g.mul_(coef.view(-1, *[1] * (g.dim() - 1)).to(g))
            optimizer.step()
            for k, net in enumerate(active):
                net.norms.append(float(norms[k]))
                net.record.updates = update
            done = {k: TrainingError(f"train {task.name}: training diverged at update {update}: "
                                     f"{why}. Try a smaller lr (now {cfg0.lr}) or grad_clip (now "
                                     f"{cfg0.grad_clip}).") for k, why in bad.items()}
            if update % cfg0.eval_every == 0 or update == cfg0.max_updates:
                evaluations = _evaluate(stack, active, update)
                for k, (net, ev) in enumerate(zip(active, evaluations)):
                    if k in done:
                        continue
                    ev.update(update=update, train_loss=losses[k].item(),
                              trials_seen=update * cfg0.batch_size,
                              time_s=time.perf_counter() - start,
                              grad_norm_median=float(np.median(net.norms)), grad_norm_max=max(net.norms),
                              clipped_fraction=float(np.mean(np.array(net.norms) > (clip or math.inf))))
                    net.norms.clear()
                    net.record.history.append(ev)
                    if meets_stopping_rule(net.cfg, ev) or update == cfg0.max_updates:
                        net.record.converged = meets_stopping_rule(net.cfg, ev)
                        done[k] = net.record
            for k, outcome in done.items():
                net = active[k]
                if isinstance(outcome, TrainResult):
                    stack.write_back(k, net.model)
                    outcome.wall_time_s = time.perf_counter() - start
                    outcome.versions = versions()
                    outcome.training_group = tuple(c.seed for c in configs)
                net.outcome = outcome
                if on_finish is not None:
                    on_finish(nets.index(net), outcome)
            if done:
                rows = [k for k in range(len(active)) if k not in done]
                active = [active[k] for k in rows]
                if not active:
                    break
                stack, optimizer = _restack(stack, optimizer, rows, cfg0.lr)
    finally:
        bar.close()
        if flushing:
            torch.set_flush_denormal(False)
    return [n.outcome for n in nets]


def _progress(max_updates: int, n_nets: int, progress: bool):
    from tqdm.auto import tqdm

    return tqdm(range(1, max_updates + 1), desc=f"train {n_nets} nets together", unit="upd",
                disable=not progress, dynamic_ncols=True)
