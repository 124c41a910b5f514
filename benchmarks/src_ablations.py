"""Ablations of the SRC paper's two training tricks: the ReLU bypass (ds/dh = 1 in the
backward pass) and the detached h / h_s recurrences (De Geeter et al. 2023, section 3.3).

Trains, for each switch setting (both on = the paper; each off; both off):

* **Go/NoGo** with ``train-src`` defaults (100 recurrent units, linear readout, 1 ms steps,
  z_s from h[t]), capped at ``--gonogo-updates`` updates, scored on 500 held-out trials;
* **digits** (scikit-learn's bundled 8x8 digits, offline): pixels / 16 rate-coded as
  Bernoulli pulses with p = 0.25 * pixel per step (the paper's rate code) over ``--steps``
  steps, one feed-forward SRC layer of 100 neurons with the paper's frozen class readout
  (10 neurons per class) and cross-entropy, 90/10 split, batches of 64, Adam from lr 0.005
  with a cosine schedule, clipping 1; scored on the held-out 10 %.

and prints one table: accuracy, updates, gradient norms before clipping (median and max over
training, and how often clipping acted) and training time. Results go to ``--out`` (JSON),
written after every run; a rerun skips the runs already there (resumable).

Usage::

    python benchmarks/src_ablations.py --out benchmarks/results/src_ablations.json
"""
from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
import torch

from rate2spike.artifacts import atomic_write_text
from rate2spike.fitting import fit
from rate2spike.results import TrainingRecord
from rate2spike.src_models.cell import SRCNet
from rate2spike.src_models.training import SRCTrainConfig, evaluate_src, train_src_model

SETTINGS = {"paper (both tricks)": (True, True), "no ReLU bypass": (False, True),
            "no detach": (True, False), "neither": (False, False)}
GAIN = 0.25           # the paper's rate code: p = gain * pixel


def _grad_summary(history) -> dict:
    med = [ev["grad_norm_median"] for ev in history]
    return {"grad_norm_median": float(np.median(med)),
            "grad_norm_max": float(max(ev["grad_norm_max"] for ev in history)),
            "clipped_fraction": float(np.mean([ev["clipped_fraction"] for ev in history]))}


def gonogo(bypass: bool, detach: bool, updates: int, seed: int) -> dict:
    cfg = SRCTrainConfig(task="gonogo", bypass_relu=bypass, detach=detach, max_updates=updates,
                         seed=seed)
    res = train_src_model(cfg)
    final = evaluate_src(res.model, res.task, 500, 31_000 + seed, cfg.step_s)
    return {"accuracy": final["accuracy"], "updates": res.updates, "converged": res.converged,
            "train_time_s": res.wall_time_s, "activity": final["activity"],
            **_grad_summary(res.history)}


def rate_code(x: np.ndarray, steps: int, rng: np.random.Generator) -> torch.Tensor:
    """(batch, 64) pixels in [0, 1] -> (batch, 64, steps) Bernoulli pulses, p = GAIN * x."""
    return torch.as_tensor(rng.random((*x.shape, steps)) < GAIN * x[..., None],
                           dtype=torch.float32)


class _Config:
    def __init__(self, seed, batch_size):
        self.seed, self.batch_size = seed, batch_size


def digits(bypass: bool, detach: bool, epochs: int, steps: int, seed: int) -> dict:
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    x = x / 16.0
    order = np.random.default_rng(seed).permutation(len(y))
    n_val = len(y) // 10
    val, train = order[:n_val], order[n_val:]
    torch.manual_seed(seed)
    model = SRCNet(64, [100], 10, recurrent=False, readout="classify", bypass_relu=bypass,
                   detach=detach)
    params = [p for p in model.parameters() if p.requires_grad]
    batch, per_epoch = 64, math.ceil(len(train) / 64)
    opt = torch.optim.Adam(params, lr=0.005)
    rng = np.random.default_rng(seed + 1)

    def batch_loss(update: int) -> torch.Tensor:
        k = (update - 1) % per_epoch
        if k == 0:
            rng.shuffle(train)
        idx = train[k * batch:(k + 1) * batch]
        out = model(rate_code(x[idx], steps, rng)).outputs[:, :, -1]
        return torch.nn.functional.cross_entropy(out, torch.as_tensor(y[idx]))

    @torch.no_grad()
    def evaluate(update: int) -> dict:
        out = model(rate_code(x[val], steps, np.random.default_rng(seed + 2)))
        final = out.outputs[:, :, -1]
        return {"loss": float(torch.nn.functional.cross_entropy(final, torch.as_tensor(y[val]))),
                "accuracy": float((final.argmax(1).numpy() == y[val]).mean()),
                "activity": float(out.active_steps[0].mean()) / steps}

    record = fit(TrainingRecord(model, None, _Config(seed, batch)), batch_loss, evaluate,
                 lambda ev: False, params=params, optimizer=opt, max_updates=epochs * per_epoch,
                 eval_every=per_epoch, batch_size=batch, grad_clip=1.0,
                 scheduler=torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs * per_epoch),
                 after_step=model.clamp_bias_, desc="digits")
    last = record.history[-1]
    return {"accuracy": last["accuracy"], "updates": record.updates, "epochs": epochs,
            "train_time_s": record.wall_time_s, "activity": last["activity"],
            "curve": [ev["accuracy"] for ev in record.history], **_grad_summary(record.history)}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/src_ablations.json"))
    ap.add_argument("--gonogo-updates", type=int, default=200)
    ap.add_argument("--digits-epochs", type=int, default=20)
    ap.add_argument("--steps", type=int, default=100, help="digits: steps per image")
    ap.add_argument("--only", choices=("gonogo", "digits"))
    ap.add_argument("--seed", type=int, default=0, help="Go/NoGo seed (0)")
    ap.add_argument("--digits-seeds", default="0,1,2", help="digits seeds (0,1,2)")
    args = ap.parse_args(argv)
    torch.set_num_threads(2)
    done = json.loads(args.out.read_text()) if args.out.is_file() else {}
    runs = [("gonogo", args.seed)] + [("digits", int(k)) for k in args.digits_seeds.split(",")]
    for bench, seed in runs:
        if args.only and bench != args.only:
            continue
        for name, (bypass, detach) in SETTINGS.items():
            key = f"{bench} | {name} | seed {seed}"
            if key in done:
                continue
            start = time.perf_counter()
            try:
                res = (gonogo(bypass, detach, args.gonogo_updates, seed) if bench == "gonogo"
                       else digits(bypass, detach, args.digits_epochs, args.steps, seed))
            except Exception as exc:          # a diverged run is a result too
                res = {"failed": f"{type(exc).__name__}: {exc}"}
            res["wall_s"] = time.perf_counter() - start
            done[key] = res
            atomic_write_text(args.out, json.dumps(done, indent=1))
            print(key, {k: v for k, v in res.items() if k != "curve"}, flush=True)
    print(table(done))


def table(done: dict) -> str:
    """One row per benchmark and setting; over seeds: mean accuracy (min-max), the median of
    the gradient-norm medians, the largest norm, mean clipped fraction and training time."""
    groups = {}
    for key, r in done.items():
        bench, name = key.split(" | ")[:2]
        groups.setdefault((bench, name), []).append(r)
    lines = ["| benchmark | setting | seeds | accuracy | updates | grad norm median / max | "
             "clipped | train time |", "|---|---|---|---|---|---|---|---|"]
    for (bench, name), rs in groups.items():
        ok = [r for r in rs if "failed" not in r]
        if not ok:
            lines.append(f"| {bench} | {name} | {len(rs)} | failed: {rs[0]['failed'][:60]} "
                         f"| | | | |")
            continue
        acc = [100 * r["accuracy"] for r in ok]
        spread = f" ({min(acc):.1f}-{max(acc):.1f})" if len(acc) > 1 else ""
        lines.append(
            f"| {bench} | {name} | {len(ok)} | {np.mean(acc):.1f} %{spread} | "
            f"{np.mean([r['updates'] for r in ok]):.0f} | "
            f"{np.median([r['grad_norm_median'] for r in ok]):.3g} / "
            f"{max(r['grad_norm_max'] for r in ok):.3g} | "
            f"{100 * np.mean([r['clipped_fraction'] for r in ok]):.0f} % | "
            f"{np.mean([r['train_time_s'] for r in ok]):.0f} s |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
