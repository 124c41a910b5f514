"""Build time of the standalone LIF program with and without the precompiled standard headers
(``rate2spike.simulators.precompiled``), on one network, in one run, with the ratio; and
proof that both programs give the same spikes. ``--o1`` compares instead, with the headers on,
the code that runs once compiled at -O1 (``brian_setup.SETUP_AT_O1``, the default) against
``objects.cpp`` alone at -O1 (the rule before it).

For each setting a fresh build cache is used and three shapes are built one after another
(copies = 4, 8, 16 of the default Go/NoGo net, N = 200): the first build of the "with" setting
includes making the ``.gch`` once.

    .venv/bin/python benchmarks/compile_time.py [--copies 4,8,16] [--o1]

A benchmark, not a test: it prints its figures.
"""
from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import numpy as np

from rate2spike.brian_models import LIFBatchModel
from rate2spike.lif_models import LIFConstants
from rate2spike.rate_models import RateNetwork
from rate2spike.simulators import CopyBatch, brian_setup, open_backend
from rate2spike.simulators.build_cache import CACHE_ENV
from rate2spike.simulators.precompiled import SWITCH_ENV

MODEL = Path(__file__).resolve().parents[1] / "tests" / "data" / "gonogo_n200.npz"
#: the makefile rule before the setup files were compiled at -O1: objects.cpp only
OBJECTS_ONLY_AT_O1 = ("\n# rate2spike: objects.cpp holds no simulation arithmetic\n"
                      "objects.o: OPTIMISATIONS += -O1\n")


def build_and_run(net, copies: int) -> tuple[float, np.ndarray]:
    """(build seconds, spike counts) of ``copies`` copies of ``net`` on a short pulse."""
    inputs = np.zeros((copies, 1, 40))
    inputs[:, :, 5:25] = 1.0
    model = LIFBatchModel(net.W_rec, net.W_in, net.W_out, net.tau_d_s, copies, 40, 0.005,
                          LIFConstants(noise_mV=0.0))
    v0 = np.random.default_rng(0).uniform(-65, 30, copies * net.n_units)
    with open_backend(model) as backend:
        run = backend.run(CopyBatch(inputs, np.full(copies, 25.0), v0, None))
        return backend.build_time_s, run.spike_counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", default="4,8,16")
    parser.add_argument("--o1", action="store_true", help="compare the -O1 rules instead "
                        "(objects.cpp only: 'without'; every file that runs once: 'with')")
    args = parser.parse_args()
    net = RateNetwork.load(MODEL)
    copies = [int(c) for c in args.copies.split(",")]
    times, spikes = {}, {}
    setup_rule = brian_setup.SETUP_AT_O1
    for setting in ("without", "with"):
        if args.o1:
            os.environ[SWITCH_ENV] = "on"
            brian_setup.SETUP_AT_O1 = setup_rule if setting == "with" else OBJECTS_ONLY_AT_O1
        else:
            os.environ[SWITCH_ENV] = "on" if setting == "with" else "off"
        with tempfile.TemporaryDirectory() as cache:
            os.environ[CACHE_ENV] = cache
            for k in copies:
                times[setting, k], spikes[setting, k] = build_and_run(net, k)
    brian_setup.SETUP_AT_O1 = setup_rule
    if args.o1:
        print("without: objects.cpp at -O1; with: every file that runs once at -O1")
    print(f"{'copies':>6} {'without (s)':>12} {'with (s)':>9} {'ratio':>6}  same spikes")
    for k in copies:
        a, b = times["without", k], times["with", k]
        same = np.array_equal(spikes["without", k], spikes["with", k])
        print(f"{k:>6} {a:>12.2f} {b:>9.2f} {a / b:>6.2f}  {same}")
    total_a = sum(times["without", k] for k in copies)
    total_b = sum(times["with", k] for k in copies)
    print(f"{'all':>6} {total_a:>12.2f} {total_b:>9.2f} {total_a / total_b:>6.2f}")


if __name__ == "__main__":
    main()
