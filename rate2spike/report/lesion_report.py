"""The files of a lesion study: ``lesion.json`` (every point), ``lesion.md`` (accuracy per kind
and fraction with 95 % Wilson intervals) and ``lesion.png`` (accuracy against the fraction
removed, one line per kind, the intervals as bands)."""
from __future__ import annotations

from pathlib import Path

from ..artifacts import atomic_write_text
from .plots import plt, save_figure
from .tables import markdown_table, write_json

KIND_NAMES = {"all": "all connections", "EE": "E → E", "EI": "E → I", "IE": "I → E",
              "II": "I → I", "none": "intact"}


def accuracy_table(points: list) -> dict:
    """{kind: [(fraction, accuracy, (low, high)), ...]} by fraction, the intact net (fraction
    0, kind ``none``) first in every kind."""
    base = [(p["fraction"], p["accuracy"], tuple(p["interval"])) for p in points if p["kind"] == "none"]
    table = {}
    for p in sorted((p for p in points if p["kind"] != "none"), key=lambda p: p["fraction"]):
        table.setdefault(p["kind"], list(base)).append((p["fraction"], p["accuracy"],
                                                        tuple(p["interval"])))
    return table or {"none": base}


def lesion_plot(points: list, path, title: str = "") -> Path:
    fig, ax = plt.subplots(figsize=(6.0, 4.0))
    for kind, rows in accuracy_table(points).items():
        x = [r[0] for r in rows]
        line, = ax.plot(x, [100 * r[1] for r in rows], "o-", label=KIND_NAMES.get(kind, kind))
        ax.fill_between(x, [100 * r[2][0] for r in rows], [100 * r[2][1] for r in rows],
                        color=line.get_color(), alpha=0.15, linewidth=0)
    ax.set_xlabel("fraction of the connections of the kind removed")
    ax.set_ylabel("accuracy (%), 95 % Wilson band")
    ax.set_ylim(-2, 102)
    ax.set_title(title)
    ax.legend(fontsize=8)
    return save_figure(fig, path)


def write_lesion_report(out: Path, points: list, options: dict, task: str, s: float) -> dict:
    """Write ``lesion.json``, ``lesion.md`` and ``lesion.png`` into ``out``; returns their paths."""
    out = Path(out)
    title = f"{task}, s = {s:g}: accuracy after lesions"
    files = {"json": write_json(out / "lesion.json", {"options": options, "points": points}),
             "png": str(lesion_plot(points, out / "lesion.png", title))}
    rows = [[KIND_NAMES.get(kind, kind), f"{f:g}", f"{a:.1%}", f"{lo:.1%}–{hi:.1%}"]
            for kind, table in accuracy_table(points).items() for f, a, (lo, hi) in table]
    verb = "removed" if options["factor"] == 0 else f"scaled by {options['factor']:g}"
    lines = [f"# rate2spike lesion study: {task}", "",
             f"Connections of each kind {verb} at random (seed {options['seed']}; a larger "
             f"fraction hits a superset), {options['trials']} held-out trials per point, the same "
             f"trials and noise at every point.", "",
             *markdown_table(["kind", "fraction", "accuracy", "95 % Wilson interval"], rows), "",
             "![accuracy after lesions](lesion.png)", ""]
    atomic_write_text(out / "lesion.md", "\n".join(lines))
    files["report"] = str(out / "lesion.md")
    return files
