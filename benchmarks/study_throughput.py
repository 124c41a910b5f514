"""Study throughput, like for like in one run: the same study (same nets, same options) with
the rate nets trained one by one, then with ``--train-together K``.

    .venv/bin/python benchmarks/study_throughput.py [--nets 6] [--train-together 3]
        [--config docs/study_configs/fast.yaml] [--act sigmoid] [--out runs/throughput]

With ``--training-only K,K2,...`` it times training alone instead: for each K, K nets for
``--updates`` updates (no stopping rule) one by one and then together, one torch thread,
alternating, and prints milliseconds per net-update and the ratio.

Runs ``rate2spike study`` twice (fresh folders under ``--out``; an existing one is resumed, so
delete it to measure again) and prints per run: wall time, nets per hour, worker-seconds per
net split into training and conversion (from each net's ``rate_model.json`` and
``result.json``; nets trained together share their group's wall time), conversion successes
(LIF accuracy >= 95 %) and simulated trials. Then the ratios. A benchmark, not a test: run it
on a quiet machine, the two runs back to back.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path


def run(label: str, cmd: list) -> float:
    print(f"{label}: {' '.join(cmd)}", flush=True)
    start = time.perf_counter()
    subprocess.run(cmd, check=True)
    return time.perf_counter() - start


def per_net(study: Path) -> dict:
    """Worker-seconds of training and conversion over the study's nets, successes, trials."""
    groups, conversion, successes, trials, nets = defaultdict(float), 0.0, 0, 0, 0
    for result_file in sorted(study.glob("nets/*/net_*/result.json")):
        d = result_file.parent
        result, meta = json.loads(result_file.read_text()), json.loads((d / "rate_model.json").read_text())
        nets += 1
        group = meta.get("training_group")
        # the nets of a group ran as one process for its longest-training net's time
        key = (d.parent.name, tuple(group) if group else d.name)
        groups[key] = max(groups[key], meta["train_wall_time_s"])
        # a net trained alone was trained inside its unit of work, whose wall time counts both
        conversion += result["wall_time_s"] - (0.0 if group else meta["train_wall_time_s"])
        successes += result["lif_accuracy"] >= 0.95
        rows = json.loads((d / "lambda_sweep.json").read_text())
        trials += sum(r["trials"] for r in rows)
    return {"nets": nets, "training": sum(groups.values()), "conversion": conversion,
            "successes": successes, "trials": trials}


def training_only(sizes: list, updates: int, dtype: str = "float32") -> None:
    """ms per net-update, K nets trained one by one against together (no stopping rule)."""
    import torch

    from rate2spike.rate_models.batched_training import train_rate_models
    from rate2spike.rate_models.training import TrainConfig, train_rate_model

    torch.set_num_threads(1)
    for k in sizes:
        cfgs = [TrainConfig(task="gonogo", dtype=dtype, max_updates=updates, stop_loss=1e-9,
                            seed=s) for s in range(k)]
        start = time.perf_counter()
        for cfg in cfgs:
            train_rate_model(cfg, progress=False)
        alone = time.perf_counter() - start
        start = time.perf_counter()
        train_rate_models(cfgs, progress=False)
        together = time.perf_counter() - start
        per = lambda t: 1000 * t / (k * updates)   # noqa: E731
        print(f"K = {k:3d}: one by one {per(alone):.1f} ms, together {per(together):.1f} ms per "
              f"net-update ({dtype}, N = 200, batch 32); ratio {alone / together:.2f}x", flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--nets", type=int, default=6)
    p.add_argument("--train-together", type=int, default=3)
    p.add_argument("--config", default="docs/study_configs/fast.yaml")
    p.add_argument("--act", default="sigmoid")
    p.add_argument("--out", default="runs/throughput")
    p.add_argument("--training-only", metavar="K,K2,...", dest="training_only",
                   help="time training alone for these group sizes")
    p.add_argument("--updates", type=int, default=50, help="with --training-only (50)")
    args = p.parse_args()
    if args.training_only:
        return training_only([int(k) for k in args.training_only.split(",")], args.updates)
    base = [sys.executable, "-m", "rate2spike", "study", "--task", "gonogo", "--act", args.act,
            "--nets", str(args.nets), "--config", args.config, "--quiet"]
    runs = {"one by one": [], f"--train-together {args.train_together}":
            ["--train-together", str(args.train_together)]}
    figures = {}
    for i, (label, extra) in enumerate(runs.items()):
        out = Path(args.out) / f"run{i}"
        wall = run(label, [*base, *extra, "--out", str(out)])
        f = per_net(out)
        figures[label] = {**f, "wall": wall}
        n = max(f["nets"], 1)
        print(f"  {label}: {wall:.0f} s for {f['nets']} nets = {3600 * f['nets'] / wall:.0f} nets/h; "
              f"worker-s per net {(f['training'] + f['conversion']) / n:.1f} (training "
              f"{f['training'] / n:.1f} + conversion {f['conversion'] / n:.1f}); "
              f"{f['successes']}/{f['nets']} converted; {f['trials'] / n:.0f} trials per net", flush=True)
    (a, fa), (b, fb) = figures.items()
    print(f"ratio ({a} / {b}): wall {fa['wall'] / fb['wall']:.2f}x, training per net "
          f"{fa['training'] / max(fb['training'], 1e-9):.2f}x")


if __name__ == "__main__":
    main()
