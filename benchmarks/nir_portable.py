"""What the portable NIR graph costs, measured on the nets of conversion studies.

For every net of each ``--study`` folder (``rate2spike study`` output): the net converted at its
best s with the study's LIF constants, exported as a portable NIR graph, and simulated on the
same held-out trials (``nir-check``'s, seed 0) by rate2spike's Brian2 model of the original net
and by the given NIR clients (rate2spike's NumPy version of the graph's steps by default; add
norse and snntorch with ``--with``). Prints one row per net and a summary per study: the
study's own conversion success (best-s accuracy >= 95 %), and the accuracies of the net and of
its graph on the shared trials.

Usage::

    python benchmarks/nir_portable.py --study runs/exact-default runs/exact-exact \
        --with rate2spike,norse,snntorch --trials 100
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rate2spike import RateNetwork  # noqa: E402
from rate2spike.config import ConvertConfig  # noqa: E402
from rate2spike.converters import convert  # noqa: E402
from rate2spike.exporters.nir_export import write_nir  # noqa: E402
from rate2spike.workflows.nir_check import nir_check  # noqa: E402


def constants_of(study: Path):
    """The LIF constants the study converted with (its manifest's convert options)."""
    given = json.loads((study / "study.json").read_text())["options"].get("convert") or {}
    base = ConvertConfig().lif
    return type(base)(**{**base.__dict__, **{k: v for k, v in given.items() if k in base.__dict__}})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--study", nargs="+", required=True, help="study folders")
    ap.add_argument("--with", dest="clients", default="rate2spike")
    ap.add_argument("--trials", type=int, default=100)
    args = ap.parse_args()
    clients = args.clients.split(",")
    for folder in map(Path, args.study):
        constants = constants_of(folder)
        rows = []
        for result_file in sorted(folder.glob("nets/*/net_*/result.json")):
            result = json.loads(result_file.read_text())
            rate_file = result_file.parent / "rate_model.npz"
            if not rate_file.exists():               # a --nets-from study: the nets live there
                source = json.loads((folder / "study.json").read_text())["options"].get("nets_from")
                rate_file = Path(source) / result_file.relative_to(folder).parent / "rate_model.npz"
            lif = convert(RateNetwork.load(rate_file), result["best_scale_s"], constants)
            with tempfile.TemporaryDirectory() as tmp:
                graph = write_nir(lif, Path(tmp) / "g.nir", "portable")
                scores = {s.client: s for s in nir_check(graph, clients, args.trials, 0, lif)}
            rows.append((result_file.parent.name, result["best_scale_s"], result["lif_accuracy"],
                         scores))
            print(f"{folder.name} {rows[-1][0]}: s = {rows[-1][1]:g}, study best "
                  f"{rows[-1][2]:.1%}; " + ", ".join(f"{c} {s.accuracy:.1%} ({s.spikes_per_trial:.0f} "
                                                       f"spikes/trial)" for c, s in scores.items()),
                  flush=True)
        success = sum(r[2] >= 0.95 for r in rows)
        summary = {c: np.mean([r[3][c].accuracy for r in rows]) for c in [*clients, "brian2"]}
        print(f"== {folder.name}: {len(rows)} nets, conversion success {success}/{len(rows)}; "
              "mean accuracy on the shared trials: "
              + ", ".join(f"{c} {a:.1%}" for c, a in summary.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
