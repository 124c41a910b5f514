"""The adaptive lambda search against the fixed grid on the nets of a finished study.

For each net (``--study DIR``, setting ``--setting``, the first ``--nets``): the fixed-grid
decision is read from the study (``result.json``: 100 trials at each s of the default grid);
the adaptive search (``rate2spike.converters.adaptive_search``, defaults: coarse grid of every
other s, 50 trials per block, at most 200 per s) is run on the same rate net and the same grid.
Prints per net and in total: trials simulated by each, best s, accuracy there, and whether the
decisions agree (conversion success, i.e. accuracy >= 95 % at the best s; and whether the
adaptive best s lies on the grid's plateau of scales >= 95 %). Written to ``--out`` (JSON) after
every net; a rerun skips the nets already there.

Usage::

    python benchmarks/adaptive_search.py --study runs/tf-default \\
        --setting gonogo_sigmoid_N200_tau-trained_ref2ms --nets 20 \\
        --out benchmarks/results/adaptive_search.json
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from rate2spike.converters import SweepOptions, adaptive_search, convert
from rate2spike.rate_models import RateNetwork
from rate2spike.tasks import get_task


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--study", required=True)
    p.add_argument("--setting", required=True)
    p.add_argument("--nets", type=int, default=20)
    p.add_argument("--processes", type=int, default=1)
    p.add_argument("--out", required=True)
    args = p.parse_args()
    out = Path(args.out)
    done = json.loads(out.read_text()) if out.is_file() else {}
    for k in range(args.nets):
        key = f"net_{k:03d}"
        folder = Path(args.study) / "nets" / args.setting / key
        if key in done or not (folder / "result.json").is_file():
            continue
        grid_result = json.loads((folder / "result.json").read_text())
        rate = RateNetwork.load(folder / "rate_model.npz")
        task = get_task(rate.task)
        grid = sorted(float(s) for s in grid_result["accuracy_by_scale"])
        start = time.perf_counter()
        res = adaptive_search(convert(rate, grid[0]), task, grid, task.n_steps, task.dt_s,
                              SweepOptions(seed=k, processes=args.processes), progress=False)
        by_scale = grid_result["accuracy_by_scale"]
        plateau = [float(s) for s, a in by_scale.items() if a >= 0.95]
        done[key] = {
            "grid_trials": 100 * len(grid), "adaptive_trials": res.trials_simulated,
            "grid_best_s": grid_result["best_scale_s"], "grid_accuracy": grid_result["lif_accuracy"],
            "adaptive_best_s": res.best_s, "adaptive_accuracy": res.best.accuracy,
            "adaptive_best_trials": res.best.trials,
            "same_success": (grid_result["lif_accuracy"] >= 0.95) == (res.best.accuracy >= 0.95),
            "adaptive_s_on_grid_plateau": res.best_s in plateau if plateau else None,
            "wall_s": time.perf_counter() - start}
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".part")
        tmp.write_text(json.dumps(done, indent=2) + "\n")
        tmp.replace(out)
        d = done[key]
        print(f"{key}: grid {d['grid_trials']} trials -> s {d['grid_best_s']:g} "
              f"({d['grid_accuracy']:.0%}); adaptive {d['adaptive_trials']} trials -> s "
              f"{d['adaptive_best_s']:g} ({d['adaptive_accuracy']:.0%} of "
              f"{d['adaptive_best_trials']}); same success: {d['same_success']}", flush=True)
    rows = list(done.values())
    if rows:
        g, a = sum(r["grid_trials"] for r in rows), sum(r["adaptive_trials"] for r in rows)
        print(f"{len(rows)} nets: grid {g:,} trials, adaptive {a:,} ({a / g:.0%}); same success "
              f"decision {sum(r['same_success'] for r in rows)}/{len(rows)}; adaptive s on the "
              f"grid plateau {sum(bool(r['adaptive_s_on_grid_plateau']) for r in rows)}/"
              f"{sum(r['adaptive_s_on_grid_plateau'] is not None for r in rows)}")


if __name__ == "__main__":
    main()
