"""How the compiled LIF simulation scales with network size N and number of trials.

For N in {200, 500, 1000, 2000} and trials in {100, 1000}: a Go/NoGo rate network at its
initialisation (Dale, P_rec = 0.2, gain 1.5: synapses grow as 0.2 N^2) converted at s = 25,
1-s trials at dt = 0.05 ms with noise, on cpp_standalone. Prints a table (simulation and
compile time, spikes, cost per neuron-step and per synaptic event) and writes a log-log plot.

    .venv/bin/python benchmarks/scaling.py [--sizes 200,500,1000,2000] [--trials 100,1000]
        [--plot benchmarks/scaling.png]

Each run holds at most 40,000 neurons (copies_per_run = 40000 // N) so that memory stays
bounded. A benchmark, not a test.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from rate2spike.converters import SweepOptions, convert, sweep_scales
from rate2spike.rate_models import RateNetwork, RateRNN
from rate2spike.rate_models.training import to_network
from rate2spike.tasks import get_task


def init_network(n_units: int, seed: int = 0) -> RateNetwork:
    return to_network(RateRNN(n_units, 1, seed=seed), "gonogo")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="200,500,1000,2000")
    p.add_argument("--trials", default="100,1000")
    p.add_argument("--max-neuron-trials", type=int, default=500_000,
                   help="skip (N, trials) pairs with N x trials above this (time budget)")
    p.add_argument("--plot", default="benchmarks/scaling.png")
    args = p.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    trial_counts = [int(x) for x in args.trials.split(",")]
    task = get_task("gonogo")
    rows = []
    print(f"{'N':>5} {'trials':>6} {'synapses':>9} {'compile s':>9} {'sim s':>8} {'spikes':>10} "
          f"{'ns/neuron-step':>14} {'ns/syn-event':>12}")
    for n in sizes:
        net = init_network(n)
        n_syn = int(np.count_nonzero(net.W_rec))
        for trials in trial_counts:
            if n * trials > args.max_neuron_trials:
                print(f"{n:5d} {trials:6d}  skipped (N x trials > --max-neuron-trials)")
                continue
            batch = task.generate(trials, 1)
            start = time.perf_counter()
            res = sweep_scales(convert(net, 25.0), task, batch, [25.0],
                               SweepOptions(copies_per_run=max(1, min(200, 40000 // n))),
                               progress=False)
            wall = time.perf_counter() - start
            row = res.results[0].as_row()
            sim = row["sim_time_s"]
            neuron_steps = n * trials * task.duration_s / 5e-5
            events = row["spike_count"] * n_syn / n
            rows.append((n, trials, n_syn, res.build_time_s, sim, row["spike_count"], wall))
            print(f"{n:5d} {trials:6d} {n_syn:9d} {res.build_time_s:9.1f} {sim:8.1f} "
                  f"{row['spike_count']:10d} {1e9 * sim / neuron_steps:14.2f} "
                  f"{1e9 * sim / max(events, 1):12.2f}", flush=True)
    if args.plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5, 4))
        for trials in trial_counts:
            sel = [r for r in rows if r[1] == trials]
            ax.loglog([r[0] for r in sel], [r[4] for r in sel], "o-", label=f"{trials} trials")
        ns = np.array(sizes, float)
        ref = rows[0][4] if rows else 1.0
        ax.loglog(ns, ref * ns / ns[0], "k:", label="∝ N")
        ax.loglog(ns, ref * (ns / ns[0]) ** 2, "k--", label="∝ N² (N × synapses/unit)")
        ax.set_xlabel("units N")
        ax.set_ylabel("simulation wall time (s)")
        ax.set_title("cpp_standalone, 1-s trials, 2 cores")
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(args.plot, dpi=120)
        print(f"plot: {args.plot}")


if __name__ == "__main__":
    main()
