"""Figures and tables of one SRC neuron (:mod:`rate2spike.src_models.single_neuron`): the
paper's Fig. 6 (h and the two feedbacks, fixed vs variable z_s) and the f-I curve."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..artifacts import atomic_write_text
from .plots import plt, save_figure

STAT_LABELS = {"rate_per_step": "firing rate [pulses / step]", "mean_width": "pulse width [steps]",
               "mean_gap": "refractory gap [steps]"}


def fig6(traces: dict, segments: list, path) -> Path:
    """One column per neuron variant (``traces``: label -> NeuronTrace): the input x on top,
    h with the feedbacks r h (positive) and r_s h_s (negative) below; ``segments``:
    (start, stop, letter) spans shaded and lettered as in the paper."""
    fig, axes = plt.subplots(2, len(traces), figsize=(4.6 * len(traces), 5.2), sharex=True,
                             gridspec_kw={"height_ratios": [1, 3]}, squeeze=False)
    for col, (label, tr) in enumerate(traces.items()):
        t = np.arange(len(tr.x))
        axes[0, col].plot(t, tr.x, color="k", lw=1)
        axes[0, col].set_title(label, fontsize=10)
        ax = axes[1, col]
        ax.plot(t, tr.h, color="k", lw=1.4, label="h")
        ax.plot(t, tr.positive_feedback, color="tab:red", lw=1, label="r·h (positive)")
        ax.plot(t, tr.negative_feedback, color="tab:blue", lw=1, label="r_s·h_s (negative)")
        ax.axhline(0.5, color="grey", lw=0.6, ls=":")
        for a, b, letter in segments:
            ax.axvspan(a, b, color="0.92", zorder=0)
            ax.text((a + b) / 2, 0.96, letter, ha="center", va="top",
                    transform=ax.get_xaxis_transform())
        ax.set_xlabel("step")
    axes[0, 0].set_ylabel("input x")
    axes[1, 0].set_ylabel("h, feedbacks")
    handles, labels = axes[1, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=9, frameon=False)
    return save_figure(fig, path, rect=(0, 0.06, 1, 1))


def fi_figure(drives, curves: dict, path) -> Path:
    """Firing rate, pulse width and refractory gap against the constant input x."""
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    for ax, (stat, label) in zip(axes, STAT_LABELS.items()):
        for name, stats in curves.items():
            ax.plot(drives, [getattr(s, stat) for s in stats], marker="o", ms=3, label=name)
        ax.set_xlabel("constant input x")
        ax.set_ylabel(label)
    axes[0].legend(fontsize=8)
    return save_figure(fig, path)


def fi_table(drives, curves: dict) -> str:
    """Markdown: one row per drive, rate / width / gap per variant."""
    names = list(curves)
    head = "| x | " + " | ".join(f"{n}: rate, width, gap" for n in names) + " |"
    rows = [head, "|---" * (len(names) + 1) + "|"]
    for k, d in enumerate(drives):
        cells = []
        for n in names:
            s = curves[n][k]
            cells.append("silent" if s.n_pulses == 0 else
                         f"{s.rate_per_step:.3f}, {s.mean_width:.2f}, {s.mean_gap:.1f}")
        rows.append(f"| {d:g} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _finite(obj):
    """``obj`` with NaN (no pulse: no width or gap) as None, i.e. null in strict JSON."""
    if isinstance(obj, float):
        return None if obj != obj else obj
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


def write_src_neuron(out: Path, params: dict, traces: dict, segments: list, drives,
                     curves: dict) -> dict:
    """``fig6.png``, ``fi_curve.png``, ``src_neuron.json`` (every number) and ``report.md``."""
    out.mkdir(parents=True, exist_ok=True)
    files = {"fig6": str(fig6(traces, segments, out / "fig6.png")),
             "fi_curve": str(fi_figure(drives, curves, out / "fi_curve.png"))}
    data = {"params": params, "drives": [float(d) for d in drives],
            "curves": {n: [s._asdict() for s in stats] for n, stats in curves.items()},
            "fig6": {n: {k: np.asarray(v).tolist() for k, v in tr._asdict().items()}
                     for n, tr in traces.items()}}
    atomic_write_text(out / "src_neuron.json", json.dumps(_finite(data), indent=1))
    files["json"] = str(out / "src_neuron.json")
    md = ["# One SRC neuron: fixed vs variable z_s, and its f-I curve", "",
          f"Bias b_h = {params['b_h']}, fixed z_s = {params['zs_fixed']}; statistics over "
          f"{params['steps']} steps after {params['settle']} settling steps of constant input x. "
          "Rate in pulses per step, width and refractory gap in steps.", "",
          "![Fig. 6](fig6.png)", "", "![f-I](fi_curve.png)", "", fi_table(drives, curves), ""]
    atomic_write_text(out / "report.md", "\n".join(md))
    files["report"] = str(out / "report.md")
    return files
