"""The training loop of fine-tuning (:mod:`.finetune`): seeded batches, a torch evaluation on
held-out trials at the training step, and the state saved at every evaluation so that an
interrupted run resumes where it stopped and ends exactly as an uninterrupted one.

Example
-------
>>> from rate2spike.converters import convert                               # doctest: +SKIP
>>> lif = convert(RateNetwork.load("tests/data/gonogo_n200.npz"), 45.0)     # doctest: +SKIP
>>> tuned, record = finetune(lif, get_task("gonogo"), FinetuneConfig(updates=20))  # doctest: +SKIP
>>> record.history[-1]["accuracy"]          # torch, at the training step   # doctest: +SKIP
"""
from __future__ import annotations

import io
import time
from dataclasses import asdict
from pathlib import Path

import torch

from ..artifacts import atomic_write_bytes
from ..errors import Rate2SpikeError
from ..fitting import fit
from ..lif_models import LIFNetwork
from ..results import TrainingRecord
from ..seeds import NOISE_ID_OFFSETS, stream_rng
from ..tasks import Task
from .finetune import FinetuneConfig, SpikingNetModel

#: first noise id of the evaluation trials (the batches use the ids below it)
EVALUATION_ID = NOISE_ID_OFFSETS["finetune"] + 500_000_000


class FinetuneRecord(TrainingRecord):
    """The fine-tuning run: the trained :class:`.finetune.SpikingNetModel`, history, time."""

    random_streams = ("finetune_batches",)


def _save_state(path: Path, model, optimizer, update: int, history: list, converged: bool,
                elapsed_s: float, cfg: FinetuneConfig, best: dict) -> None:
    buf = io.BytesIO()
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "update": update, "history": history, "converged": converged,
                "elapsed_s": elapsed_s, "config": asdict(cfg), "best": best}, buf)
    atomic_write_bytes(path, buf.getvalue())


def _load_state(path: Path, model, optimizer, record: TrainingRecord, best: dict) -> float:
    """Restore a saved state into ``model``, ``optimizer``, ``record`` and ``best`` (the best
    evaluation's accuracy, update and weights); its elapsed time."""
    state = torch.load(path, weights_only=False)
    if state["config"] != asdict(record.config):
        changed = sorted(k for k, v in state["config"].items() if asdict(record.config).get(k) != v)
        raise Rate2SpikeError(f"{path} was saved with other fine-tuning options ({', '.join(changed)}"
                              f"); resume with the same options, or choose another --out")
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    record.updates, record.history = state["update"], state["history"]
    record.converged = state["converged"]
    best.update(state.get("best") or {})
    return float(state["elapsed_s"])


def finetune(lif: LIFNetwork, task: Task, cfg: FinetuneConfig, state_path=None,
             progress: bool = True, desc: str = "finetune") -> tuple:
    """Fine-tune ``lif`` on ``task``; returns (the tuned LIFNetwork, a FinetuneRecord).
    ``state_path``: where the state is saved at every evaluation, and resumed from if it exists;
    ``desc``: the progress bar's label."""
    cfg.validate()
    model = SpikingNetModel(lif, task, cfg.train_dt_s, cfg.surrogate_width_mV, cfg.dampening)
    optimizer = torch.optim.Adam(model.parameter_groups(cfg.lr))
    record = FinetuneRecord(model, task, cfg)
    state_path = Path(state_path) if state_path else None
    earlier, best = 0.0, {}          # keep_best: {"accuracy", "update", "model"}
    if state_path is not None and state_path.exists():
        earlier = _load_state(state_path, model, optimizer, record, best)
    start = time.perf_counter()
    evaluation = model.trials(cfg.eval_trials, stream_rng("finetune_batches", cfg.seed, 0),
                              EVALUATION_ID, cfg.seed)
    targets = lambda batch: torch.as_tensor(batch.targets, dtype=torch.float32)  # noqa: E731

    def batch_loss(update: int) -> torch.Tensor:
        batch, v0, streams = model.batch_for_update(update, cfg.batch_size, cfg.seed)
        return ((model(batch.inputs, v0, streams) - targets(batch)) ** 2).mean()

    def reached(ev: dict) -> bool:
        return cfg.stop_accuracy is not None and ev["accuracy"] >= cfg.stop_accuracy

    def evaluate(update: int) -> dict:
        batch, v0, streams = evaluation
        with torch.no_grad():
            o = model(batch.inputs, v0, streams)
        ok = task.score(o.numpy(), batch.labels, task.dt_s, "lif")
        ev = {"loss": float(((o - targets(batch)) ** 2).mean()), "accuracy": float(ok.mean())}
        if cfg.keep_best and ev["accuracy"] >= best.get("accuracy", -1.0):
            best.update(accuracy=ev["accuracy"], update=update,
                        model={k: v.detach().clone() for k, v in model.state_dict().items()})
        if state_path is not None and update > 0:    # fit adds this update's history entry after
            entry = {**ev, "update": update, "trials_seen": update * cfg.batch_size}
            _save_state(state_path, model, optimizer, update, record.history + [entry],
                        reached(ev), earlier + time.perf_counter() - start, cfg, best)
        return ev

    done = record.converged or record.updates >= cfg.updates
    if cfg.keep_best and not best:    # the untrained net is a candidate too (update 0)
        evaluate(0)
    if not done:
        fit(record, batch_loss, evaluate, reached,
            params=list(model.parameters()), optimizer=optimizer, max_updates=cfg.updates,
            eval_every=cfg.eval_every, batch_size=cfg.batch_size, grad_clip=cfg.grad_clip or None,
            desc=desc, progress=progress, first_update=record.updates + 1,
            diverged_hint="the surrogate gradients grow with the number of steps through a "
                          "trial: try a coarser --train-dt-ms (0.25 ms is tested) or a smaller --lr")
    record.wall_time_s = earlier + (time.perf_counter() - start if not done else 0.0)
    if cfg.keep_best:
        model.load_state_dict(best["model"])
    meta = {"config": asdict(cfg), "updates": record.updates, "converged": record.converged,
            "kept_update": best.get("update") if cfg.keep_best else record.updates,
            "train_wall_time_s": record.wall_time_s,
            "final_torch_accuracy": record.history[-1]["accuracy"] if record.history else None,
            "from_s": lif.s}
    return model.to_network(meta), record
