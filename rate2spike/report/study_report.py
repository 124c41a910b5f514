"""A study's summary table, plots and ``study.md``."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..artifacts import atomic_write_text
from ..statistics import wilson_interval
from .plots import save_figure

SUCCESS_ACCURACY = 0.95   # the paper's conversion success: LIF accuracy >= 95 % at the best lambda


def summarise(results: list) -> list:
    """One row per setting (in order of first appearance) from per-net results."""
    rows, by_setting = [], {}
    for r in results:
        by_setting.setdefault(r["setting"], []).append(r)
    for key, nets in by_setting.items():
        done = [n for n in nets if "error" not in n]
        acc = np.array([n["lif_accuracy"] for n in done], float)
        scales = np.array([n["best_scale_s"] for n in done], float)
        rows.append({
            "setting": key, "label": nets[0]["setting_info"]["label"], "nets": len(nets),
            "failed": len(nets) - len(done),
            "trained_fraction": float(np.mean([n["trained"] for n in done])) if done else float("nan"),
            "success_rate": float(np.mean(acc >= SUCCESS_ACCURACY)) if done else float("nan"),
            "success_ci95": list(wilson_interval(int((acc >= SUCCESS_ACCURACY).sum()), len(done)))
            if done else [float("nan")] * 2,
            "lif_accuracy_mean": float(acc.mean()) if done else float("nan"),
            "lif_accuracy_sd": float(acc.std(ddof=1)) if len(done) > 1 else float("nan"),
            "rate_accuracy_mean": float(np.mean([n["rate_accuracy"] for n in done]))
            if done else float("nan"),
            "best_scale_median": float(np.median(scales)) if done else float("nan"),
            "best_scales": scales.tolist(),
            "errors": [f"{n['net']}: {n['error']}" for n in nets if "error" in n],
            "readout_fits": _fit_rows(done),
        })
    return rows


def _fit_rows(done: list) -> dict:
    """Per readout fit scored in every net: success (95 % Wilson interval), accuracy mean and
    s.d., median output MSE at the best s, median best s."""
    first = (done[0].get("readout_fits") or {}) if done else {}
    fits = [f for f in first if all(f in (n.get("readout_fits") or {}) for n in done)]
    out = {}
    for fit in fits:
        acc = np.array([n["readout_fits"][fit]["lif_accuracy"] for n in done], float)
        hits = int((acc >= SUCCESS_ACCURACY).sum())
        out[fit] = {"success_rate": hits / len(done),
                    "success_ci95": list(wilson_interval(hits, len(done))),
                    "lif_accuracy_mean": float(acc.mean()),
                    "lif_accuracy_sd": float(acc.std(ddof=1)) if len(acc) > 1 else float("nan"),
                    "output_mse_median": float(np.median(
                        [n["readout_fits"][fit]["output_mse"] for n in done])),
                    "best_scale_median": float(np.median(
                        [n["readout_fits"][fit]["best_scale_s"] for n in done]))}
    return out


def _fit_lines(rows: list) -> list:
    """The readout-calibration table of ``study.md`` (none without calibration)."""
    if not any(r["readout_fits"] for r in rows):
        return []
    lines = ["", "## Readout calibration (beyond the paper)", "",
             "Each net's s chosen again under each readout (`none` = Kim et al.'s λ W_out; the "
             "others fitted per s on calibration trials of their own seed), scored on the same "
             "held-out trials.", "",
             "| setting | readout | conversion success (95 % CI) | LIF accuracy (mean ± s.d.) | "
             "output MSE (median) | median best s |", "|---|---|---|---|---|---|"]
    for r in rows:
        for fit, f in r["readout_fits"].items():
            lo, hi = f["success_ci95"]
            lines.append(f"| {r['label']} | {fit} | {f['success_rate']:.0%} ({lo:.0%}–{hi:.0%}) | "
                         f"{100 * f['lif_accuracy_mean']:.1f} ± {100 * f['lif_accuracy_sd']:.1f} % | "
                         f"{f['output_mse_median']:.3g} | {f['best_scale_median']:g} |")
    return lines


def _plots(results: list, rows: list, out: Path) -> dict:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [r["label"] for r in rows]
    per_setting = [[n for n in results if n["setting"] == r["setting"] and "error" not in n]
                   for r in rows]
    files = {}
    fig, ax = plt.subplots(figsize=(1.8 + 1.6 * len(rows), 3.6))
    data = [[100 * n["lif_accuracy"] for n in nets] or [np.nan] for nets in per_setting]
    ax.boxplot(data, showfliers=False)
    rng = np.random.default_rng(0)
    for k, values in enumerate(data, start=1):
        ax.plot(k + rng.uniform(-0.12, 0.12, len(values)), values, "o", ms=3, alpha=0.6)
    ax.axhline(100 * SUCCESS_ACCURACY, color="k", ls=":", lw=1)
    ax.set_xticks(range(1, len(rows) + 1), labels, rotation=20, ha="right", fontsize=7)
    ax.set_ylabel("LIF accuracy at best λ (%)")
    fig.tight_layout()
    files["accuracy_png"] = str(out / "study_accuracy.png")
    save_figure(fig, files["accuracy_png"])

    fig, ax = plt.subplots(figsize=(1.8 + 1.6 * len(rows), 3.2))
    ax.bar(range(len(rows)), [100 * r["success_rate"] for r in rows])
    ax.set_xticks(range(len(rows)), labels, rotation=20, ha="right", fontsize=7)
    ax.set_ylabel("nets converted (≥ 95 %) (%)")
    ax.set_ylim(0, 100)
    fig.tight_layout()
    files["success_png"] = str(out / "study_success.png")
    save_figure(fig, files["success_png"])

    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    for k, nets in enumerate(per_setting):
        color = f"C{k}"
        for n in nets:
            s = np.array(sorted(float(x) for x in n["accuracy_by_scale"]))
            a = [100 * n["accuracy_by_scale"][f"{x:g}"] for x in s]
            ax.plot(s, a, color=color, alpha=0.25, lw=0.8)
        ax.plot([], [], color=color, label=rows[k]["label"])
    ax.set_xlabel("s = 1/λ")
    ax.set_ylabel("LIF accuracy (%)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    files["curves_png"] = str(out / "study_accuracy_vs_scale.png")
    save_figure(fig, files["curves_png"])
    return files


def write_study_report(results: list, out, wall_time_s: float | None = None) -> dict:
    """Write ``study_results.json``, the plots and ``study.md`` into ``out``; return paths."""
    out = Path(out)
    rows = summarise(results)
    files = _plots(results, rows, out)
    atomic_write_text(out / "study_results.json",
                      json.dumps({"settings": rows, "nets": results}, indent=2, default=str) + "\n")
    lines = ["# rate2spike conversion study", ""]
    if wall_time_s is not None:
        lines.append(f"Wall time of this invocation: {wall_time_s:.0f} s.")
    lines += ["Success: LIF accuracy ≥ 95 % at the best λ (Kim et al. 2019). The success rate's "
              "interval is the 95 % Wilson interval over the nets; each net's accuracy is itself "
              "uncertain by the binomial error of its trials (see each net's sweep).", "",
              "| setting | nets | failed | rate nets trained | conversion success (95 % CI) | "
              "LIF accuracy (mean ± s.d.) | rate accuracy | median best s |",
              "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['label']} | {r['nets']} | {r['failed']} | {r['trained_fraction']:.0%} | "
                     f"{r['success_rate']:.0%} ({r['success_ci95'][0]:.0%}–{r['success_ci95'][1]:.0%}) | "
                     f"{100 * r['lif_accuracy_mean']:.1f} ± "
                     f"{100 * r['lif_accuracy_sd']:.1f} % | {100 * r['rate_accuracy_mean']:.1f} % | "
                     f"{r['best_scale_median']:g} |")
    lines += _fit_lines(rows)
    errors = [e for r in rows for e in r["errors"]]
    if errors:
        lines += ["", "## Failed nets", ""] + [f"- {e}" for e in errors]
    lines += ["", "![accuracy](study_accuracy.png)", "", "![success](study_success.png)", "",
              "![accuracy vs s](study_accuracy_vs_scale.png)", ""]
    atomic_write_text(out / "study.md", "\n".join(lines))
    files["report"] = str(out / "study.md")
    return files
