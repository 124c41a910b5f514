"""``table.md`` and ``depth.png`` of a classifier study (De Geeter et al. 2023, Table 1 and Fig. 5)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..artifacts import atomic_write_text
from ..classifiers.paper import paper_accuracy, paper_dataset_note
from .plots import plt, save_figure


def _group(results: list) -> dict:
    """{(cell, encoding, layers): [finished summaries]} and the failed ones under key 'errors'."""
    groups, errors = {}, []
    for r in results:
        if "test_accuracy" in r:
            groups.setdefault((r["cell"], r["encoding"], r["layers"]), []).append(r)
        else:
            errors.append(r)
    return groups, errors


def _cell_text(runs: list, paper: float | None) -> str:
    if not runs:
        return "–"
    acc = 100 * np.array([r["test_accuracy"] for r in runs])
    text = f"{acc.mean():.2f}" + (f" ± {acc.std(ddof=1):.2f} (n={len(acc)})" if len(acc) > 1 else "")
    return text + ("" if paper is None else f" [paper {paper:.2f}]")


def depth_figure(groups: dict, path) -> Path:
    """Test accuracy and time per epoch against the number of layers, per cell and encoding."""
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.4))
    for (cell, enc) in sorted({(c, e) for c, e, _ in groups}):
        depths = sorted(k for c, e, k in groups if (c, e) == (cell, enc))
        acc = [100 * np.mean([r["test_accuracy"] for r in groups[(cell, enc, k)]]) for k in depths]
        ep = [np.mean([r["time_per_epoch_s"] for r in groups[(cell, enc, k)]]) for k in depths]
        style = "o-" if cell == "src" else "s--"
        a.plot(depths, acc, style, label=f"{cell.upper()} {enc}")
        b.plot(depths, ep, style, label=f"{cell.upper()} {enc}")
    a.set(xlabel="layers", ylabel="test accuracy (%)", title="accuracy vs depth")
    b.set(xlabel="layers", ylabel="s per epoch (2 cores shared)", title="time per epoch")
    a.legend(frameon=False, fontsize=8)
    return save_figure(fig, path)


def _per_sample(runs: list, key) -> float:
    return float(np.mean([key(r) for r in runs]))


def comparison_lines(groups: dict) -> list:
    """Accuracy, activity, energy and time per sample of every setting; a rate cell adds the row
    of its LIF conversion (converted vs directly trained on the same test samples)."""
    lines = ["", "## Converted vs directly trained, per test sample", "",
             "| net | encoding | layers | test accuracy (%) | spikes per neuron | energy (nJ) | "
             "time per sample (ms) |", "|---|---|---|---|---|---|---|"]
    for (cell, enc, layers), runs in sorted(groups.items()):
        acc = _per_sample(runs, lambda r: 100 * r["test_accuracy"])
        nj = _per_sample(runs, lambda r: 1e9 * r["energy"]["energy_J"])
        ms = _per_sample(runs, lambda r: 1e3 * r["time_per_sample_s"])
        spikes = "dense (rate units)" if cell == "rate" else \
            f"{_per_sample(runs, lambda r: np.mean(r['activity']) * r['steps']):.2f}"
        name = "rate RNN (torch)" if cell == "rate" else f"{cell.upper()} (torch)"
        lines.append(f"| {name} | {enc} | {layers} | {acc:.2f} | {spikes} | {nj:.1f} | {ms:.2f} |")
        conv = [r["converted"] for r in runs if r.get("converted")]
        if conv:
            s_best = ", ".join(f"{c['best_s']:g}" for c in conv)
            lines.append(
                f"| → converted LIF (Brian2, s = {s_best}) | {enc} | {layers} | "
                f"{_per_sample(conv, lambda c: 100 * c['test_accuracy']):.2f} | "
                f"{_per_sample(conv, lambda c: c['spikes_per_neuron']):.2f} | "
                f"{_per_sample(conv, lambda c: 1e9 * c['energy']['energy_J']):.1f} | "
                f"{_per_sample(conv, lambda c: 1e3 * c['sim_time_per_sample_s']):.0f} |")
    return lines + ["", "Spikes per neuron: mean over layers per sample; energy: the formulas "
                    "in each run's report (E_MAC 3.2 pJ, E_AC 0.1 pJ); time: torch inference, or "
                    "the Brian2 simulation of the converted net (compile excluded)."]


def _augment_note(results: list) -> list:
    """A line saying the training images were shifted (``augment_shift`` > 0), or nothing."""
    shifts = sorted({(r.get("config") or {}).get("augment_shift", 0) for r in results} - {0})
    return [f"Training images shifted by up to {', '.join(map(str, shifts))} pixel(s) along each "
            f"axis, a fresh draw per sample and epoch (`--augment-shift`, not in the paper).",
            ""] if shifts else []


def write_snn_study_report(results: list, dataset: str, out: Path) -> dict:
    """Write ``table.md``, ``depth.png`` and ``results.json``; returns their paths."""
    out = Path(out)
    groups, errors = _group(results)
    encodings = sorted({r["encoding"] for r in results})
    rows = sorted({(r["layers"], r["cell"]) for r in results})
    lines = [f"# Directly trained spiking classifiers on {dataset}", "",
             "Test accuracy (%), mean over seeds; De Geeter et al. (2023) Table 1 in brackets where "
             "the paper has the setting" + (f" ({paper_dataset_note(dataset)})."
                                            if paper_dataset_note(dataset) else "."), "",
             *_augment_note(results),
             "| layers | cell | " + " | ".join(encodings) + " | activity T(s), last layer | s per epoch |",
             "|---|---|" + "---|" * len(encodings) + "---|---|"]
    for layers, cell in rows:
        runs = [r for e in encodings for r in groups.get((cell, e, layers), [])]
        act = np.mean([r["activity"][-1] for r in runs]) if runs else float("nan")
        ep = np.mean([r["time_per_epoch_s"] for r in runs]) if runs else float("nan")
        lines.append(f"| {layers} | {cell.upper()} | " + " | ".join(
            _cell_text(groups.get((cell, e, layers), []), paper_accuracy(cell, dataset, e, layers))
            for e in encodings) + f" | {act:.4f} | {ep:.1f} |")
    if groups:
        lines += comparison_lines(groups)
    for r in errors:
        lines.append(f"\nNot finished: {r.get('key')}: {r.get('error', 'no result yet')}")
    files = {}
    if groups:
        files["depth_png"] = str(depth_figure(groups, out / "depth.png"))
        lines += ["", "![depth](depth.png)"]
    atomic_write_text(out / "table.md", "\n".join(lines) + "\n")
    atomic_write_text(out / "results.json", json.dumps(results, indent=2, default=str) + "\n")
    files.update(table=str(out / "table.md"), results=str(out / "results.json"))
    return files
