"""Kim et al.'s studies side by side: one table row per study setting (conversion success with
its 95 % Wilson interval over nets, LIF accuracy mean +- s.d. and the Wilson interval of all
held-out trials pooled, median best s, median eval loss and updates of the rate nets, mean
wall time per net) and one figure of the paper's extra studies, from finished study folders.

    .venv/bin/python benchmarks/kim_studies.py runs/ref-tf:reference runs/abl-grid:"+ grid" \
        [--figure docs/kim_studies.png]

Each argument is STUDY_FOLDER[:LABEL]. The figure has one panel per study kind found among
the folders' settings: network size N, synapse (double/single exponential), tau_d
(trained/fixed) and refractory period; the paper's values are drawn as grey marks. Reads only
what ``rate2spike study`` wrote (``nets/*/net_*/result.json`` and ``rate_model.json``).
"""
from __future__ import annotations

import argparse
import glob
import json
import statistics
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from rate2spike.statistics import wilson_interval  # noqa: E402

SUCCESS = 0.95
#: the paper's numbers (fact sheet): setting kind -> value -> (mean accuracy %, s.d. %)
PAPER = {"tau": {"fixed": (93.9, 7.8)}, "synapse": {"single": (95.7, 7.3)},
         "refractory": {0.0: (92.8, 14.3), 2.0: (97.0, 6.6)}}


def load(folder: str) -> dict:
    """setting key -> list of per-net dicts (result.json plus the rate net's training record)."""
    by = {}
    for f in sorted(glob.glob(f"{folder}/nets/*/net_*/result.json")):
        r = json.loads(Path(f).read_text())
        if "lif_accuracy" not in r:
            continue                                   # a failed net: error.json's business
        meta = json.loads(Path(f).with_name("rate_model.json").read_text())
        r["final_eval_loss"], r["updates"] = meta["final_eval_loss"], meta["updates"]
        sweep = json.loads(Path(f).with_name("lambda_sweep.json").read_text())
        r["trials"] = next(x["trials"] for x in sweep if x["scale_s"] == r["best_scale_s"])
        by.setdefault(r["setting"], []).append(r)
    return by


def row(label: str, setting: str, nets: list) -> str:
    acc = [n["lif_accuracy"] for n in nets]
    k, n = sum(a >= SUCCESS for a in acc), len(acc)
    lo, hi = wilson_interval(k, n)
    trials = [x["trials"] for x in nets]              # held-out trials of each net at its s
    plo, phi = wilson_interval(round(sum(a * t for a, t in zip(acc, trials))), sum(trials))
    sd = statistics.stdev(acc) * 100 if n > 1 else 0.0
    med = statistics.median
    return (f"| {label} | {setting} | {n} | **{k / n:.0%}** ({k}/{n}; {lo:.0%}–{hi:.0%}) | "
            f"{statistics.mean(acc) * 100:.1f} ± {sd:.1f} % ({plo:.1%}–{phi:.1%}) | "
            f"{med(x['best_scale_s'] for x in nets):g} | "
            f"{med(x['final_eval_loss'] for x in nets):.2f} | {med(x['updates'] for x in nets):g} | "
            f"{statistics.mean(x['wall_time_s'] for x in nets):.0f} s |")


def kind_of(setting: str):
    """(kind, value) of the setting's varied option, read from its key."""
    parts = setting.split("_")
    if parts[0] == "mante":
        return "refractory", float(setting.split("_ref")[1][:-2])
    if setting.endswith("single-exp"):
        return "synapse", "single"
    if "tau-fixed" in parts:
        return "tau", "fixed"
    return "N", int(parts[2][1:])


def figure(groups: dict, path: str) -> None:
    kinds = [k for k in ("N", "synapse", "tau", "refractory") if k in groups]
    fig, axes = plt.subplots(1, len(kinds), figsize=(3.6 * len(kinds), 3.4), squeeze=False)
    for ax, kind in zip(axes[0], kinds):
        items = sorted(groups[kind].items(), key=lambda kv: kv[0] if kind == "N" else str(kv[0]))
        xs = range(len(items))
        for x, (value, acc) in zip(xs, items):
            ax.scatter([x] * len(acc), [a * 100 for a in acc], s=12, alpha=0.6, color="tab:blue")
            ax.errorbar(x + 0.2, statistics.mean(acc) * 100,
                        statistics.stdev(acc) * 100 if len(acc) > 1 else 0, fmt="o",
                        color="tab:blue", capsize=3)
            if value in PAPER.get(kind, {}):
                m, sd = PAPER[kind][value]
                ax.errorbar(x + 0.35, m, sd, fmt="s", color="0.5", capsize=3)
            k = sum(a >= SUCCESS for a in acc)
            ax.text(x, 101, f"{k}/{len(acc)}", ha="center", fontsize=8)
        ax.axhline(95, ls=":", color="k", lw=0.8)
        ax.set_xticks(list(xs), [str(v) for v, _ in items])
        ax.set_xlabel({"N": "units N", "synapse": "synapse", "tau": "τ_d",
                       "refractory": "t_ref (ms), Mante"}[kind])
        ax.set_ylim(40, 106)
        ax.set_ylabel("LIF accuracy at best s (%)")
    fig.suptitle("blue: nets (dots), mean ± s.d.; grey: paper; n/m: nets ≥ 95 %", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"figure: {path}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("studies", nargs="+", help="STUDY_FOLDER[:LABEL]")
    p.add_argument("--figure", help="write the extra studies' figure here (PNG)")
    args = p.parse_args()
    print("| recipe | setting | nets | conversion success (95 % CI) | LIF accuracy (pooled "
          "trials' 95 % CI) | median best s | median eval loss | median updates | wall time "
          "per net |")
    print("|---|---|---|---|---|---|---|---|---|")
    groups, panel_n = {}, {}   # panel_n: the N of the single-exp. / fixed-tau_d settings
    for arg in args.studies:
        folder, _, label = arg.partition(":")
        for setting, nets in load(folder).items():
            print(row(label or folder, setting, nets))
            kind, value = kind_of(setting)
            groups.setdefault(kind, {}).setdefault(value, []).extend(
                n["lif_accuracy"] for n in nets)
            if kind in ("synapse", "tau"):
                panel_n[kind] = int(setting.split("_")[2][1:])
    # the double-exponential, trained-tau_d nets of the same N are the other bar of the
    # synapse and tau_d panels
    for kind, value in (("synapse", "double"), ("tau", "trained")):
        if kind in groups and panel_n.get(kind) in groups.get("N", {}):
            groups[kind][value] = groups["N"][panel_n[kind]]
    if args.figure:
        figure(groups, args.figure)


if __name__ == "__main__":
    main()
