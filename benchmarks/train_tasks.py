"""Train the default rate net for each task (CLI defaults), then score 1,000 fresh trials.

    .venv/bin/python benchmarks/train_tasks.py [--tasks gonogo,xor,mante] [--out runs/bench-train]

Prints, per task: updates, training wall time, final eval loss, accuracy on 1,000 fresh trials.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import torch

from rate2spike import RateNetwork
from rate2spike.cli import main as cli_main
from rate2spike.tasks import get_task


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tasks", default="gonogo,xor,mante")
    p.add_argument("--out", default="runs/bench-train")
    args = p.parse_args()
    for name in args.tasks.split(","):
        out = Path(args.out) / name
        cli_main(["train", "--task", name, "--out", str(out), "--quiet"])
        net = RateNetwork.load(out / "rate_model.npz")
        task = get_task(name)
        batch = task.generate(1000, 424242)
        o, _ = net.run(batch.inputs, seed=7)
        acc = task.score(o, batch.labels, task.dt_s, window="rate").mean()
        m = net.meta
        print(f"RESULT {name}: converged={m['converged']} updates={m['updates']} "
              f"train_time={m['train_wall_time_s']:.1f}s eval_loss={m['final_eval_loss']:.3g} "
              f"accuracy_1000_fresh={acc:.3f}", flush=True)
    torch.set_num_threads(1)


if __name__ == "__main__":
    main()
