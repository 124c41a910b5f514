"""Simulation time of the converted Go/NoGo net (N = 200, s = 25) on the torch backend against
Brian2 ``cpp_standalone`` and the NumPy reference, on the same trials in one run, with the
ratios; the accuracy each gives; and how far its spikes are from ``cpp_standalone``'s: the sum
over trials and units of |spike count - cpp_standalone's|, beside the total number of spikes
(0 in float64, where the spikes are the same).

Every simulator runs the same ``--trials`` 1-s trials (20,000 steps of 0.05 ms) with the same
seed. Times are wall time of the simulation (compilation reported apart). torch runs on the CPU
in float32 and float64 and, when torch sees a GPU, on CUDA as well.

    .venv/bin/python benchmarks/torch_simulator.py [--trials 40] [--skip-reference] \
        [--skip-torch-cpu]

On a GPU, each CUDA setting first runs one untimed trial (CUDA's start-up and kernel loading),
and the torch rows come with CUDA graphs (the default) and without (RATE2SPIKE_CUDA_GRAPHS=off).

A benchmark, not a test: it prints its figures.
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import torch

from rate2spike.converters import convert
from rate2spike.rate_models import RateNetwork
from rate2spike.simulators import simulate_lif
from rate2spike.tasks import get_task

MODEL = Path(__file__).resolve().parents[1] / "tests" / "data" / "gonogo_n200.npz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--skip-reference", action="store_true",
                        help="leave out the (slow) NumPy reference")
    parser.add_argument("--skip-torch-cpu", action="store_true",
                        help="leave out torch on the CPU (slow for many trials)")
    args = parser.parse_args()
    lif = convert(RateNetwork.load(MODEL), 25.0)
    task = get_task("gonogo")
    batch = task.generate(args.trials, 1)
    settings = [("cpp_standalone", "cpu", "float32")]
    if not args.skip_torch_cpu:
        settings += [("torch", "cpu", "float32"), ("torch", "cpu", "float64")]
    if torch.cuda.is_available():    # CUDA graphs on (the default), then off
        settings += [("torch", "cuda", "float32"), ("torch", "cuda", "float64"),
                     ("torch", "cuda-nographs", "float32"), ("torch", "cuda-nographs", "float64")]
    if not args.skip_reference:
        settings.append(("reference", "cpu", "float32"))
    print(f"{args.trials} Go/NoGo trials of 1 s, N = 200, s = 25; torch threads "
          f"{torch.get_num_threads()}; GPU: "
          f"{torch.cuda.get_device_name() if torch.cuda.is_available() else 'none'}")
    rows = []
    for device, label, dtype in settings:
        where = label.split("-")[0]
        os.environ["RATE2SPIKE_CUDA_GRAPHS"] = "off" if label.endswith("nographs") else "on"
        if where == "cuda":                     # warm-up: CUDA context, kernels, allocator
            simulate_lif(lif, batch.inputs[:1], batch.dt_s, device=device, seed=1,
                         torch_device=where, torch_dtype=dtype)
        start = time.perf_counter()
        sim = simulate_lif(lif, batch.inputs, batch.dt_s, device=device, seed=1,
                           torch_device=where, torch_dtype=dtype)
        wall = time.perf_counter() - start
        run = sim.runs[25.0]
        accuracy = task.score(run.outputs, batch.labels, sim.readout_dt_s, "lif").mean()
        name = device if device != "torch" else f"torch {label} {dtype}"
        rows.append((name, run.sim_time_s, sim.build_time_s, wall, accuracy, run.spike_counts))
    base, cpp_counts = rows[0][1], rows[0][5]
    print(f"{'simulator':<30} {'sim (s)':>8} {'ms/trial':>9} {'build (s)':>9} {'wall (s)':>9} "
          f"{'vs cpp':>7} {'accuracy':>8}  spikes unmatched by cpp_standalone's counts (of all)")
    for name, sim_s, build_s, wall, accuracy, counts in rows:
        print(f"{name:<30} {sim_s:8.2f} {1000 * sim_s / args.trials:9.1f} {build_s:9.2f} "
              f"{wall:9.2f} {sim_s / base:7.2f} {accuracy:8.1%}  "
              f"{int(np.abs(counts - cpp_counts).sum()):,} of {int(cpp_counts.sum()):,}")


if __name__ == "__main__":
    main()
