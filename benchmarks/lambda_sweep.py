"""Wall time of the default lambda sweep (12 scales x 100 trials of 1-s Go/NoGo trials at
dt = 0.05 ms, voltage noise on) per simulator, compile time reported separately, on one
network and one set of trials, with the speed ratio of each device to the first.

``cpp_standalone`` runs twice: "cold" into an empty build cache (compiled from scratch), then
"cached" for another net of the same shape (the same net with 1 % of its weights changed and
a few removed), which reuses the compiled program (``rate2spike.simulators.build_cache``).

    .venv/bin/python benchmarks/lambda_sweep.py [--model F] \
        [--devices cpp_standalone,reference] [--trials 100] [--scales 20,25,...]

A device ``torch:WHERE:DTYPE`` is the torch simulator (e.g. ``torch:cuda:float32``,
``torch:cpu:float64``); ``cuda_standalone`` needs brian2cuda and a GPU.

Default model: tests/data/gonogo_n200.npz, a default-trained Go/NoGo net (N = 200,
loss < 1). The ``reference`` device is the independent NumPy simulator. A benchmark, not a
test: it prints its figures.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from rate2spike import RateNetwork
from rate2spike.converters import SweepOptions, convert, default_scales, sweep_scales
from rate2spike.simulators.build_cache import CACHE_ENV
from rate2spike.tasks import get_task

DEFAULT_MODEL = Path(__file__).resolve().parents[1] / "tests" / "data" / "gonogo_n200.npz"


def peak_rss_mb() -> tuple[float, float]:
    """Peak resident memory (MB) of this process and of its largest finished child."""
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def sweep_options(device: str) -> SweepOptions:
    """``torch:WHERE:DTYPE`` -> the torch simulator on WHERE in DTYPE; else a Brian2 device."""
    if device.startswith("torch"):
        _, where, dtype = (device.split(":") + ["cpu", "float32"])[:3]
        return SweepOptions(device="torch", torch_device=where, torch_dtype=dtype)
    return SweepOptions(device=device)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default=str(DEFAULT_MODEL))
    p.add_argument("--devices", default="cpp_standalone,reference")
    p.add_argument("--trials", type=int, default=100)
    p.add_argument("--scales", default="")
    p.add_argument("--seed", type=int, default=1000)
    args = p.parse_args()
    rate = RateNetwork.load(args.model)
    task = get_task(rate.task)
    scales = [float(s) for s in args.scales.split(",") if s] or default_scales(rate.act)
    batch = task.generate(args.trials, args.seed)
    print(f"network {Path(args.model).name}: N={rate.n_units}, {len(scales)} scales x "
          f"{args.trials} trials of {task.duration_s:g} s at dt=0.05 ms, voltage noise on")
    other = rate.W_rec * 1.01                      # another net of the same shape
    rows, cols = np.nonzero(other)
    other[rows[:10], cols[:10]] = 0.0
    runs = []
    for device in args.devices.split(","):
        runs += [(f"{device} cold", device, rate.W_rec), (f"{device} cached", device, other)] \
            if device == "cpp_standalone" else [(device, device, rate.W_rec)]
    os.environ[CACHE_ENV] = tempfile.mkdtemp(prefix="bench_builds_")   # empty: cold first
    first, totals = None, {}
    for label, device, w_rec in runs:
        start = time.perf_counter()
        net = convert(dataclasses.replace(rate, W_rec=w_rec), scales[0])
        res = sweep_scales(net, task, batch, scales, sweep_options(device), progress=False)
        total = time.perf_counter() - start
        sim = sum(r.sim_time_s for r in res.results)
        first = first or (total, sim)
        totals[label] = total
        own, child = peak_rss_mb()
        print(f"{label:22s} total {total:7.1f} s | compile {res.build_time_s:5.1f} s | "
              f"simulation {sim:7.1f} s ({sim / len(scales):.2f} s per scale) | "
              f"{total / first[0]:5.2f}x total, {sim / first[1]:5.2f}x simulation time of "
              f"{args.devices.split(',')[0]} | best s = {res.best_s:g}, accuracy "
              f"{res.best.accuracy:.2f} | peak RSS: python {own:.0f} MB, "
              f"largest simulator process {child:.0f} MB")
        print("    s:        " + " ".join(f"{r.s:5g}" for r in res.results))
        print("    accuracy: " + " ".join(f"{r.accuracy:5.2f}" for r in res.results))
        print("    E rate Hz:" + " ".join(f"{r.rate_E_hz:5.1f}" for r in res.results))

    if "reference" in totals:
        for label in (k for k in totals if k.startswith("cpp_standalone")):
            print(f"reference / {label}: {totals['reference'] / totals[label]:.1f}x total time")


if __name__ == "__main__":
    main()
