"""PNG figures for training and conversion reports (matplotlib, Agg backend).

Each function takes plain arrays, writes one PNG atomically, and returns its path.
Times on axes are in seconds; firing rates in Hz.
"""
from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ..artifacts import atomic_write_bytes  # noqa: E402

E_COLOR, I_COLOR = "tab:red", "tab:blue"


def save_figure(fig, path, rect=None) -> Path:
    """Write ``fig`` as a PNG atomically (a temporary file and a rename) and close it;
    ``rect``: the (left, bottom, right, top) figure fraction the axes are laid out in (room
    for a figure legend)."""
    buf = io.BytesIO()
    fig.tight_layout(rect=rect)
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    atomic_write_bytes(path, buf.getvalue())
    return Path(path)


def training_curve(history: list, stop_loss: float | None, path, reference: float | None = 7.0,
                   ylabel: str = "L2 loss per trial") -> Path:
    """Evaluation loss (log) and accuracy vs training trials seen; optional horizontal lines
    at the stopping loss and at the reference rule's loss."""
    fig, ax = plt.subplots(figsize=(6.5, 3.5))
    trials = [h["trials_seen"] for h in history]
    ax.semilogy(trials, [h["loss"] for h in history], "k-", label="eval loss")
    if stop_loss is not None:
        ax.axhline(stop_loss, color="k", ls=":", lw=1, label=f"stop loss {stop_loss:g}")
    if reference is not None:
        ax.axhline(reference, color="gray", ls="--", lw=1, label=f"reference rule ({reference:g})")
    ax.set_xlabel("training trials seen")
    ax.set_ylabel(ylabel)
    ax2 = ax.twinx()
    ax2.plot(trials, [h["accuracy"] for h in history], color="tab:green", label="accuracy")
    ax2.set_ylim(-0.02, 1.02)
    ax2.set_ylabel("accuracy", color="tab:green")
    ax.legend(loc="center right", fontsize=8)
    return save_figure(fig, path)


def example_trials(dt_s: float, conditions, traces: dict, targets, path, title="") -> Path:
    """One panel per condition; ``traces`` maps a label to (k, T_label) arrays and its dt:
    ``{label: (array, dt_s)}``; ``targets`` is (k, T) on the task grid ``dt_s``."""
    k = len(conditions)
    fig, axes = plt.subplots(1, k, figsize=(4.2 * k, 3.2), squeeze=False)
    styles = {"target": dict(color="k", ls="--", lw=1.2)}
    for j, ax in enumerate(axes[0]):
        t = np.arange(targets.shape[1]) * dt_s
        ax.plot(t, targets[j], label="target", **styles["target"])
        for label, (arr, adt) in traces.items():
            ax.plot(np.arange(arr.shape[1]) * adt, arr[j], label=label, lw=1.2)
        ax.set_title(f"{title}{conditions[j]}")
        ax.set_xlabel("time (s)")
    axes[0][0].set_ylabel("output o(t)")
    axes[0][0].legend(fontsize=8)
    return save_figure(fig, path)


#: one colour per readout calibration (none = Kim et al.'s readout)
FIT_COLORS = {"none": "tab:gray", "scale": "tab:purple", "affine": "tab:brown", "lstsq": "tab:cyan"}


def accuracy_vs_scale(results: list, condition_names, best_s: float, rate_accuracy: float,
                      path) -> Path:
    """LIF accuracy (overall with its 95 % Wilson band, and per condition) of each ScaleResult
    against s = 1/lambda; with a calibrated readout also the accuracy of every other readout
    scored (thin lines)."""
    s = np.array([r.s for r in results])
    fig, ax = plt.subplots(figsize=(6.5, 3.5))
    fit = results[0].readout_fit
    ax.plot(s, [r.accuracy for r in results], "ko-", lw=2,
            label="LIF, all trials" + (f" ({fit} readout)" if fit != "none" else ""))
    band = np.array([r.accuracy_ci95 for r in results])
    ax.fill_between(s, band[:, 0], band[:, 1], color="k", alpha=0.12, lw=0, label="95 % CI")
    for other in results[0].fits:
        if other != fit and all(other in r.fits for r in results):
            ax.plot(s, [r.fits[other]["accuracy"] for r in results], "-", lw=0.9, alpha=0.8,
                    color=FIT_COLORS.get(other), label=f"{other} readout")
    for c in condition_names:
        if all(c in r.per_condition for r in results):
            ax.plot(s, [r.per_condition[c] for r in results], ".--", lw=1, label=f"LIF, {c}")
    ax.axhline(rate_accuracy, color="tab:green", ls=":", label=f"rate net ({rate_accuracy:.0%})")
    ax.axhline(0.95, color="gray", lw=0.8, ls="--")
    ax.axvline(best_s, color="tab:orange", lw=1, label=f"chosen s = {best_s:g}")
    ax.set_xlabel("s = 1/λ")
    ax.set_ylabel("accuracy")
    ax.set_ylim(-0.02, 1.05)
    ax.legend(fontsize=7, ncol=2)
    return save_figure(fig, path)


def output_mse_vs_scale(results: list, best_s: float, path) -> Path:
    """Mean squared error of the LIF output to the task target against s, one line per
    readout scored (log scale)."""
    s = np.array([r.s for r in results])
    fig, ax = plt.subplots(figsize=(6.5, 3.0))
    for name in results[0].fits or {results[0].readout_fit: None}:
        mse = [r.fits[name]["output_mse"] if r.fits else r.output_mse for r in results]
        ax.semilogy(s, mse, "o-", ms=3, color=FIT_COLORS.get(name), label=f"{name} readout")
    ax.axvline(best_s, color="tab:orange", lw=1, label=f"chosen s = {best_s:g}")
    ax.set_xlabel("s = 1/λ")
    ax.set_ylabel("output MSE to target")
    ax.legend(fontsize=7)
    return save_figure(fig, path)


def raster(units, times_s, dale_sign, duration_s, path, title="") -> Path:
    """Spike raster of one trial, excitatory units red, inhibitory blue (I units on top)."""
    order = np.argsort(-np.asarray(dale_sign), kind="stable")  # E first, then I
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    fig, ax = plt.subplots(figsize=(6.5, 3.5))
    exc = np.asarray(dale_sign)[units] > 0
    ax.scatter(times_s[exc], rank[units[exc]], s=1, c=E_COLOR, marker="|", label="E")
    ax.scatter(times_s[~exc], rank[units[~exc]], s=1, c=I_COLOR, marker="|", label="I")
    ax.set_xlim(0, duration_s)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("unit (E then I)")
    ax.set_title(title)
    ax.legend(loc="upper right", markerscale=8, fontsize=8)
    return save_figure(fig, path)


def rate_histogram(unit_rates_hz, dale_sign, path) -> Path:
    """Histogram of per-unit mean LIF firing rates, E and I separately."""
    fig, ax = plt.subplots(figsize=(5, 3.2))
    exc = np.asarray(dale_sign) > 0
    bins = np.linspace(0, max(1.0, float(np.max(unit_rates_hz))) * 1.02, 30)
    ax.hist(unit_rates_hz[exc], bins=bins, color=E_COLOR, alpha=0.6, label="E")
    ax.hist(unit_rates_hz[~exc], bins=bins, color=I_COLOR, alpha=0.6, label="I")
    ax.set_xlabel("mean firing rate (Hz)")
    ax.set_ylabel("units")
    ax.legend(fontsize=8)
    return save_figure(fig, path)


def rate_vs_lif(rate_activity, unit_rates_hz, dale_sign, path) -> Path:
    """Per-unit mean LIF firing rate against the rate model's mean activity r = phi(x)."""
    fig, ax = plt.subplots(figsize=(4.5, 4))
    exc = np.asarray(dale_sign) > 0
    ax.scatter(rate_activity[exc], unit_rates_hz[exc], s=8, c=E_COLOR, label="E")
    ax.scatter(rate_activity[~exc], unit_rates_hz[~exc], s=8, c=I_COLOR, label="I")
    r = np.corrcoef(rate_activity, unit_rates_hz)[0, 1] if np.std(unit_rates_hz) > 0 else np.nan
    ax.set_title(f"per unit, Pearson r = {r:.2f}")
    ax.set_xlabel("rate model: mean r = φ(x)")
    ax.set_ylabel("LIF: mean firing rate (Hz)")
    ax.legend(fontsize=8)
    return save_figure(fig, path)


def comparison_summary(nets: dict, condition_names, path) -> Path:
    """Four panels for ``rate2spike compare``: accuracy per condition, activity, energy per
    trial (log) and simulation time per trial per simulator (log). ``nets``: name -> summary
    dict with ``accuracy``, ``per_condition``, ``activity``, ``energy``, ``time_per_trial_s``."""
    fig, axes = plt.subplots(1, 4, figsize=(16, 3.6))
    names = list(nets)
    cats = ["all", *condition_names]
    width = 0.8 / len(names)
    for k, name in enumerate(names):
        vals = [nets[name]["accuracy"], *(nets[name]["per_condition"].get(c, np.nan)
                                          for c in condition_names)]
        axes[0].bar(np.arange(len(cats)) + k * width, vals, width, label=name)
    axes[0].set_xticks(np.arange(len(cats)) + width * (len(names) - 1) / 2, cats)
    axes[0].axhline(0.95, color="gray", ls="--", lw=0.8)
    axes[0].set_ylim(0, 1.05)
    axes[0].set_ylabel("accuracy")
    axes[0].legend(fontsize=8)
    labels, values = [], []
    for name in names:
        for key, v in nets[name]["activity"].items():
            labels.append(f"{name}\n{key}")
            values.append(v)
    axes[1].bar(range(len(values)), values, color="tab:purple")
    axes[1].set_xticks(range(len(values)), labels, fontsize=7)
    axes[1].set_yscale("log")
    axes[1].set_title("activity (own units)", fontsize=9)
    axes[2].bar(names, [nets[n]["energy"]["energy_J"] * 1e9 for n in names], color="tab:olive")
    axes[2].set_yscale("log")
    axes[2].set_ylabel("energy per trial (nJ)")
    labels, values = [], []
    for name in names:
        for sim, v in nets[name]["time_per_trial_s"].items():
            labels.append(f"{name}\n{sim}")
            values.append(v * 1e3)
    axes[3].bar(range(len(values)), values, color="tab:gray")
    axes[3].set_xticks(range(len(values)), labels, fontsize=7)
    axes[3].set_yscale("log")
    axes[3].set_ylabel("simulation time per trial (ms)")
    return save_figure(fig, path)


def psth(spikes_by_condition: dict, dale_sign, duration_s: float, path, bin_s: float = 0.02,
         window_s=None, title="") -> Path:
    """Peri-stimulus time histograms: mean firing rate (Hz per unit) of the E and of the I units
    in bins of ``bin_s`` seconds, one panel per condition. ``spikes_by_condition`` maps a
    condition to (list of unit-index arrays, list of spike-time arrays [s]), one pair per trial;
    ``window_s`` shades a stimulation window."""
    sign = np.asarray(dale_sign)
    n_e, n_i = int(np.sum(sign > 0)), int(np.sum(sign < 0))
    edges = np.arange(0.0, duration_s + bin_s / 2, bin_s)
    k = len(spikes_by_condition)
    fig, axes = plt.subplots(1, k, figsize=(4.2 * k, 3.0), squeeze=False, sharey=True)
    for ax, (cond, (units, times)) in zip(axes[0], spikes_by_condition.items()):
        for kind, n, color in (("E", n_e, E_COLOR), ("I", n_i, I_COLOR)):
            if n == 0:
                continue
            pick = [t[(sign[u] > 0) == (kind == "E")] for u, t in zip(units, times)]
            counts = np.histogram(np.concatenate(pick) if pick else [], edges)[0]
            ax.step(edges[:-1], counts / (bin_s * n * max(len(units), 1)), where="post",
                    color=color, label=f"{kind} ({n} units)")
        if window_s is not None:
            ax.axvspan(*window_s, color="gold", alpha=0.3, label="stimulation")
        ax.set_title(f"{title}{cond} ({len(units)} trials)")
        ax.set_xlabel("time (s)")
    axes[0][0].set_ylabel("rate (Hz per unit)")
    axes[0][0].legend(fontsize=7)
    return save_figure(fig, path)


def state_traces(traces: dict, dt_s: float, path, units=(0,), window_s=None, title="") -> Path:
    """Recorded variables of a few units over time: ``traces`` maps a name (with its unit in
    the label, e.g. ``"v (mV)"``) to an (N, samples) array sampled every ``dt_s`` s."""
    k = len(traces)
    fig, axes = plt.subplots(k, 1, figsize=(6.5, 2.2 * k), squeeze=False, sharex=True)
    for ax, (name, values) in zip(axes[:, 0], traces.items()):
        t = np.arange(values.shape[1]) * dt_s
        for u in units:
            ax.plot(t, values[u], lw=0.8, label=f"unit {u}")
        if window_s is not None:
            ax.axvspan(*window_s, color="gold", alpha=0.3)
        ax.set_ylabel(name)
    axes[0, 0].set_title(title)
    axes[0, 0].legend(fontsize=7, ncol=len(units))
    axes[-1, 0].set_xlabel("time (s)")
    return save_figure(fig, path)


def decision_trace(outputs: np.ndarray) -> np.ndarray:
    """(trials, steps) trace of (trials, k, steps) outputs: the one output, or with a class
    readout (k = 2) the score of class 1 (Go, +1) minus that of class 0 (> 0: responds +1)."""
    return outputs[:, 1] - outputs[:, 0] if outputs.shape[1] == 2 else outputs[:, 0]


def output_label(family: str, outputs: np.ndarray) -> str:
    """Legend label of a family's :func:`decision_trace`."""
    return f"{family} class 1 − class 0" if outputs.shape[1] == 2 else f"{family} output"
