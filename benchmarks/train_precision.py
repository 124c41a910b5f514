"""Rate-net training time in float64 (default) and float32 (the authors' precision,
``train: {dtype: float32}``), alternating in one run, one torch thread (as a study worker).

    .venv/bin/python benchmarks/train_precision.py [--units 250] [--updates 100] [--repeats 2]

Prints each run's wall time and the float64 / float32 ratio. A benchmark, not a test.
"""
from __future__ import annotations

import argparse
import time

import torch

from rate2spike.rate_models.training import TrainConfig, train_rate_model


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--task", default="gonogo")
    p.add_argument("--units", type=int, default=250)
    p.add_argument("--updates", type=int, default=100)
    p.add_argument("--repeats", type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(1)
    times = {"float64": [], "float32": []}
    for rep in range(args.repeats):
        for dtype in times:
            start = time.perf_counter()
            train_rate_model(TrainConfig(task=args.task, units=args.units, dtype=dtype,
                                         max_updates=args.updates, seed=rep), progress=False)
            times[dtype].append(time.perf_counter() - start)
            print(f"{dtype}: {args.updates} updates of {args.task}, N = {args.units}: "
                  f"{times[dtype][-1]:.1f} s", flush=True)
    print(f"float64 / float32 time: {sum(times['float64']) / sum(times['float32']):.2f}x")


if __name__ == "__main__":
    main()
