"""Small writers shared by the reports: number formatting, CSV/JSON tables, Markdown tables."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from ..artifacts import atomic_write_text


def fmt(x):
    """A number with 4 significant digits, anything else as it is."""
    return f"{x:.4g}" if isinstance(x, (int, float)) else x


def write_rows(rows: list, csv_path: Path, json_path: Path) -> dict:
    """Write a list of flat dicts as CSV (union of keys, in order of appearance) and JSON."""
    keys = list(dict.fromkeys(k for r in rows for k in r))
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=keys)
    w.writeheader()
    w.writerows(rows)
    atomic_write_text(csv_path, buf.getvalue())
    atomic_write_text(json_path, json.dumps(rows, indent=2) + "\n")
    return {"csv": str(csv_path), "json": str(json_path)}


def markdown_table(header: list, rows: list) -> list:
    """Lines of a Markdown table."""
    return (["| " + " | ".join(header) + " |", "|---" * len(header) + "|"]
            + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows])


def write_json(path: Path, data) -> str:
    atomic_write_text(path, json.dumps(data, indent=2, default=str) + "\n")
    return str(path)
