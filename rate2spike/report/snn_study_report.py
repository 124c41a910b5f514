"""``table.md`` and ``depth.png`` of a classifier study (De Geeter et al. 2023, Table 1 and Fig. 5)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..artifacts import atomic_write_text
from ..classifiers.paper import paper_accuracy
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


def write_snn_study_report(results: list, dataset: str, out: Path) -> dict:
    """Write ``table.md``, ``depth.png`` and ``results.json``; returns their paths."""
    out = Path(out)
    groups, errors = _group(results)
    encodings = sorted({r["encoding"] for r in results})
    rows = sorted({(r["layers"], r["cell"]) for r in results})
    lines = [f"# Directly trained spiking classifiers on {dataset}", "",
             "Test accuracy (%), mean over seeds; De Geeter et al. (2023) Table 1 in brackets where "
             "the paper has the setting.", "",
             "| layers | cell | " + " | ".join(encodings) + " | activity T(s), last layer | s per epoch |",
             "|---|---|" + "---|" * len(encodings) + "---|---|"]
    for layers, cell in rows:
        runs = [r for e in encodings for r in groups.get((cell, e, layers), [])]
        act = np.mean([r["activity"][-1] for r in runs]) if runs else float("nan")
        ep = np.mean([r["time_per_epoch_s"] for r in runs]) if runs else float("nan")
        lines.append(f"| {layers} | {cell.upper()} | " + " | ".join(
            _cell_text(groups.get((cell, e, layers), []), paper_accuracy(cell, dataset, e, layers))
            for e in encodings) + f" | {act:.4f} | {ep:.1f} |")
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
