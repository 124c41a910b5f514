"""The measured effect of each convert-side item of ``--preset reference``, one at a time, on
one rate net (default: the repository's Go/NoGo net): accuracy at the best s with its 95 %
Wilson interval, the best s and the plateau of scales >= 95 %, against the default profile.

Items: ``trial_sampling: fresh``, ``input_switch: round``, ``start_hold_s: 0.002``,
``refractory_holds: drift``, ``tie_rule: smallest``, and all of them together (the reference
preset's convert section). Each run is a full ``rate2spike convert`` (default grid, 100
held-out trials per s, seed 0); results go to ``--out`` (JSON) after every run, and a rerun
skips the runs already there.

Usage::

    python benchmarks/preset_items.py --model tests/data/gonogo_n200.npz \\
        --out benchmarks/results/preset_items.json
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import rate2spike
from rate2spike.config import preset_sections

ITEMS = {
    "default": {},
    "trial_sampling: fresh": {"trial_sampling": "fresh"},
    "input_switch: round": {"input_switch": "round"},
    "start_hold_s: 0.002": {"start_hold_s": 0.002},
    "refractory_holds: drift": {"refractory_holds": "drift"},
    "tie_rule: smallest": {"tie_rule": "smallest"},
}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="tests/data/gonogo_n200.npz")
    p.add_argument("--task", default="gonogo")
    p.add_argument("--out", required=True)
    args = p.parse_args()
    items = {**ITEMS, "all (reference preset)": preset_sections("reference", args.task)["convert"]}
    out = Path(args.out)
    done = json.loads(out.read_text()) if out.is_file() else {}
    for name, overrides in items.items():
        if name in done:
            continue
        start = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            res = rate2spike.convert(args.task, model=args.model, out=Path(tmp) / "c",
                                     progress=False, **overrides)
        best = next(r for r in res.results if r.s == res.best_s)
        done[name] = {"best_s": res.best_s, "accuracy": res.lif_accuracy,
                      "ci95": list(best.accuracy_ci95),
                      "plateau": [r.s for r in res.results if r.accuracy >= 0.95],
                      "accuracy_by_scale": {f"{r.s:g}": r.accuracy for r in res.results},
                      "wall_s": time.perf_counter() - start}
        tmp_out = out.with_suffix(".part")
        tmp_out.write_text(json.dumps(done, indent=2) + "\n")
        tmp_out.replace(out)
        d = done[name]
        print(f"{name:>24}: {d['accuracy']:.0%} ({d['ci95'][0]:.0%}-{d['ci95'][1]:.0%}) at s = "
              f"{d['best_s']:g}; plateau >= 95 %: {d['plateau']}; {d['wall_s']:.0f} s", flush=True)


if __name__ == "__main__":
    main()
