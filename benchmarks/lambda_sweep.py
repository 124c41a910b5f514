"""Wall time of the default lambda sweep (12 scales x 100 trials, 1-s Go/NoGo trials, noise on)
per Brian2 device, with the compile time reported separately.

    .venv/bin/python benchmarks/lambda_sweep.py --model runs/X/rate_model.npz \
        [--devices cpp_standalone,cython] [--trials 100] [--scales 20,25,...]

Without --model a Go/NoGo net is trained first to the reference rule (about 20 s).
Prints one line per device; this is a benchmark, not a test.
"""
from __future__ import annotations

import argparse
import resource
import tempfile
import time

from rate2spike.brian_models import LIFConstants
from rate2spike.config import TrainConfig
from rate2spike.converters import RateNetwork, default_scales, lambda_sweep
from rate2spike.tasks import get_task


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model")
    p.add_argument("--devices", default="cpp_standalone")
    p.add_argument("--trials", type=int, default=100)
    p.add_argument("--scales", default="")
    args = p.parse_args()
    if args.model:
        rate = RateNetwork.load(args.model)
    else:
        import rate2spike

        tmp = tempfile.mkdtemp()
        rate2spike.train("gonogo", out=tmp, config=TrainConfig(stop_loss=7.0), progress=False)
        rate = RateNetwork.load(f"{tmp}/rate_model.npz")
    task = get_task(rate.task)
    scales = [float(s) for s in args.scales.split(",") if s] or default_scales(rate.act)
    batch = task.generate(args.trials, 1000)
    print(f"network N={rate.n_units}, {len(scales)} scales x {args.trials} trials of "
          f"{task.duration_s:g} s at dt=0.05 ms, voltage noise on")
    for device in args.devices.split(","):
        start = time.perf_counter()
        res = lambda_sweep(rate, task, batch, scales, LIFConstants(), device=device, progress=False)
        total = time.perf_counter() - start
        sim = sum(r["sim_time_s"] for r in res.rows)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"{device:15s} total {total:7.1f} s | compile {res.build_time_s:5.1f} s | "
              f"simulation {sim:7.1f} s ({sim / len(scales):.2f} s per scale) | best s = "
              f"{res.best_scale:g}, accuracy {res.best_row['accuracy']:.2f} | peak RSS of "
              f"simulator {peak:.0f} MB")


if __name__ == "__main__":
    main()
