"""Files of a ``train-snn`` run: the artifact, ``report.md``, ``result.json`` and figures."""
from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import numpy as np

from ..artifacts import atomic_write_text
from ..classifiers.paper import paper_accuracy, paper_dataset_note
from ..statistics import accuracy_interval
from . import classifier_plots

N_RASTERS = 4


def classifier_summary(record, test_eval: dict, energy: dict, time_per_sample_s: float) -> dict:
    """The numbers of a run as plain JSON-ready data (accuracies as fractions, times in s)."""
    cfg, last = record.config, record.history[-1]
    n_test = len(test_eval["labels"])
    lo, hi = accuracy_interval(test_eval["accuracy"], n_test)
    paper = paper_accuracy(cfg.cell, cfg.dataset, cfg.encoding, cfg.layers)
    return {
        "cell": cfg.cell, "dataset": cfg.dataset, "encoding": cfg.encoding, "layers": cfg.layers,
        "hidden": cfg.hidden, "steps": cfg.steps, "epochs": len(record.history), "seed": cfg.seed,
        "test_accuracy": test_eval["accuracy"], "test_interval": [lo, hi], "n_test": n_test,
        "test_loss": test_eval["loss"], "validation_accuracy": last["accuracy"],
        "train_accuracy": last["train_accuracy"], "activity": test_eval["activity"],
        "energy": energy, "train_time_s": record.wall_time_s,
        "time_per_epoch_s": float(np.mean([h["epoch_time_s"] for h in record.history])),
        "time_per_sample_s": time_per_sample_s, "n_train": int(len(record.split["train"])),
        "n_validation": int(len(record.split["validation"])),
        "paper_accuracy": None if paper is None else paper / 100, "config": asdict(cfg),
    }


def brian_row(b: dict | None) -> str:
    """The report's line on the Brian2 re-run of test samples (or that it was skipped)."""
    if not b:
        return "| Brian2 (equation level) | not run (brian_samples = 0) |"
    return (f"| Brian2 (equation level, {b['device']}) vs torch, {b['samples']} test samples | "
            f"same predictions {100 * b['same_predictions']:.0f} %, identical spike counts "
            f"{'yes' if b['same_spikes'] else 'NO'}, max |Δ output| {b['max_output_diff']:.1e}, "
            f"max |Δ pulse| {b['max_pulse_diff']:.1e}; {1e3 * b['brian_time_per_sample_s']:.0f} ms "
            f"per sample |")


def converted_rows(c: dict) -> list:
    """The report's lines on the rate net converted to LIF."""
    lo, hi = c["test_interval"]
    return [f"| converted LIF (Kim et al.), Brian2 {c['device']} | **{100 * c['test_accuracy']:.2f} %** "
            f"(95 % Wilson {100 * lo:.1f}–{100 * hi:.1f} %) at s = {c['best_s']:g} (λ = "
            f"{1 / c['best_s']:.3g}), chosen on {c['n_search']} validation samples |",
            f"| converted LIF activity | {c['firing_rate_hz']:.1f} Hz, {c['spikes_per_neuron']:.1f} "
            f"spikes per neuron and sample |",
            f"| converted LIF energy per sample | {c['energy']['energy_J'] * 1e9:.3f} nJ "
            f"({c['energy']['MAC']:.3g} MAC, {c['energy']['AC']:.3g} AC); {c['energy']['formula']} |",
            f"| converted LIF simulation per sample | {1e3 * c['sim_time_per_sample_s']:.0f} ms "
            f"(compile {c['build_time_s']:.1f} s) |"]


def write_classifier_report(record, net, test_set, test_eval: dict, examples, summary: dict,
                            out: Path) -> dict:
    """Save ``net`` (``model.npz``/``.json``) and write the report, figures and result.json.
    ``examples``: (inputs (n, channels, steps), labels (n,)) of a few test samples."""
    out = Path(out)
    cfg = record.config
    files = {"model": str(net.save(out / "model"))}
    files["curves_png"] = str(classifier_plots.learning_curves(record.history, out / "learning_curves.png"))
    files["confusion_png"] = str(classifier_plots.confusion_matrix(
        test_eval["labels"], test_eval["predictions"], test_set.classes, out / "confusion.png"))
    files["activity_png"] = str(classifier_plots.activity_per_layer(summary["activity"],
                                                                    out / "activity.png", cfg.cell))
    files["inputs_png"] = str(classifier_plots.input_rasters(examples[0], examples[1], test_set.classes,
                                                             out / "input_examples.png", cfg.encoding))
    if "converted" in summary:
        files["lambda_png"] = str(classifier_plots.lambda_search(
            summary["converted"], summary["test_accuracy"], out / "lambda_search.png"))
    s = summary
    lo, hi = s["test_interval"]
    paper = "not in the paper" if s["paper_accuracy"] is None else f"{100 * s['paper_accuracy']:.2f} %"
    if s["paper_accuracy"] is not None and paper_dataset_note(cfg.dataset):
        paper += f" ({paper_dataset_note(cfg.dataset)})"
    lines = [
        f"# {cfg.cell.upper()} classifier on {cfg.dataset} ({cfg.encoding} coding, {cfg.layers} "
        f"layer{'s' if cfg.layers > 1 else ''})", "",
        "| quantity | value |", "|---|---|",
        f"| test accuracy | **{100 * s['test_accuracy']:.2f} %** (95 % Wilson {100 * lo:.1f}–"
        f"{100 * hi:.1f} %, {s['n_test']} samples) |",
        f"| De Geeter et al. (2023), Table 1 | {paper} |",
        f"| validation / training-batch accuracy (last epoch) | {100 * s['validation_accuracy']:.2f} % / "
        f"{100 * s['train_accuracy']:.2f} % |",
        f"| samples train / validation / test | {s['n_train']} / {s['n_validation']} / {s['n_test']} |",
        *([f"| training images shifted (not in the paper) | up to {cfg.augment_shift} pixel(s) along "
           f"each axis, a fresh draw per sample and epoch |"] if cfg.augment_shift else []),
        f"| layers (neurons) | {', '.join(map(str, net.sizes))} |",
        f"| activity T(s) per layer (test) | {', '.join(f'{a:.4f}' for a in s['activity'])} |",
        f"| energy per sample | {s['energy']['energy_J'] * 1e9:.3f} nJ ({s['energy']['MAC']:.3g} MAC, "
        f"{s['energy']['AC']:.3g} AC) |",
        f"| energy formula | {s['energy']['formula']}; E_MAC 3.2 pJ, E_AC 0.1 pJ |",
        f"| epochs, time per epoch | {s['epochs']}, {s['time_per_epoch_s']:.1f} s |",
        f"| torch inference per sample | {1e3 * s['time_per_sample_s']:.2f} ms |",
        *(converted_rows(s["converted"]) if "converted" in s else [brian_row(s.get("brian2"))]), "",
        *(["![lambda search](lambda_search.png)", ""] if "converted" in s else []),
        "![learning curves](learning_curves.png)", "", "![confusion](confusion.png)", "",
        "![activity](activity.png)", "", "![inputs](input_examples.png)", "",
        "Config: `" + json.dumps(s["config"]) + "`", ""]
    atomic_write_text(out / "report.md", "\n".join(lines))
    files["report"] = str(out / "report.md")
    atomic_write_text(out / "result.json", json.dumps({**s, "files": files}, indent=2) + "\n")
    files["result"] = str(out / "result.json")
    return files
