"""Brian2 simulation time of a converted net with many inputs (a classifier's pixels): the input
current summed in the neuron's equation, one term ``w_in_k * stimulus(t, k)`` per input (what
the model did for every net before, and still does for 8 inputs or fewer), against the stimulus
table holding each unit's input current ``W_in u`` (one lookup per unit and step), in one run.

A random net of ``--units`` units (30 % connected, no noise) gets rate-coded inputs (p = 0.25
per 5 ms step) on ``--copies`` copies of 1 s (20,000 steps of 0.05 ms) on ``cpp_standalone``;
for each input count, both forms run the same inputs. Printed: simulation time (compilation
apart), the ratio, and whether the spikes are the same. From a few hundred inputs on (256 and
784 here) the term sum fails: Brian2's parser recurses once per term and overflows Python's
recursion limit.

    .venv/bin/python benchmarks/input_projection.py [--inputs 16,64,256] [--copies 20]

A benchmark, not a test: it prints its figures.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from rate2spike.brian_models import LIFBatchModel
from rate2spike.brian_models import lif as lif_model
from rate2spike.lif_models import LIFConstants
from rate2spike.simulators import CopyBatch, open_backend


def run(n_in: int, project: bool, args) -> tuple:
    """(build s, simulation s, result) of one form on the seeded net and inputs."""
    rng = np.random.default_rng(0)
    n = args.units
    w_rec = rng.normal(0, 1.5 / np.sqrt(n), (n, n)) * (rng.random((n, n)) < 0.3)
    w_in = rng.normal(0, 1.5 / np.sqrt(0.25 * n_in), (n, n_in))
    w_out, tau = rng.normal(0, 1, n), rng.uniform(0.02, 0.1, n)
    inputs = (rng.random((args.copies, n_in, 200)) < 0.25).astype(float)
    v0 = rng.uniform(-65, -45, args.copies * n)
    saved = lif_model.MAX_INPUT_TERMS
    lif_model.MAX_INPUT_TERMS = 0 if project else 10**9
    try:
        model = LIFBatchModel(w_rec, w_in, w_out, tau, args.copies, 200, 0.005,
                              LIFConstants(noise_mV=0.0))
        start = time.perf_counter()
        with open_backend(model, "cpp_standalone", seed=0) as backend:
            built = time.perf_counter() - start
            start = time.perf_counter()
            res = backend.run(CopyBatch(inputs, np.full(args.copies, 30.0), v0, None))
            return built, time.perf_counter() - start, res
    finally:
        lif_model.MAX_INPUT_TERMS = saved


def root_cause(exc: BaseException) -> str:
    """The name of the first exception in ``exc``'s chain (what Brian2 wrapped)."""
    while exc.__cause__ or exc.__context__:
        exc = exc.__cause__ or exc.__context__
    return type(exc).__name__


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", default="16,64,256", help="input counts, comma-separated")
    parser.add_argument("--copies", type=int, default=20, help="copies (samples) of 1 s per run")
    parser.add_argument("--units", type=int, default=200, help="units of the net")
    args = parser.parse_args()
    print(f"{args.units} units, {args.copies} copies of 1 s, cpp_standalone, no noise")
    print("| inputs | term sum: build / run (s) | table W_in u: build / run (s) | run-time ratio | "
          "same spikes |")
    print("|---|---|---|---|---|")
    for n_in in [int(k) for k in args.inputs.split(",")]:
        pb, pt, pres = run(n_in, True, args)
        try:
            tb, tt, tres = run(n_in, False, args)
        except Exception as exc:      # Brian2 wraps the parser's RecursionError in its own
            print(f"| {n_in} | fails: {root_cause(exc)} | {pb:.1f} / {pt:.2f} | - | - |")
            continue
        same = np.array_equal(tres.spike_i, pres.spike_i)
        print(f"| {n_in} | {tb:.1f} / {tt:.2f} | {pb:.1f} / {pt:.2f} | {tt / pt:.1f} | {same} |")


if __name__ == "__main__":
    main()
