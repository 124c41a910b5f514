"""Does fine-tuning rescue failed conversions? Every net of a finished study whose conversion
failed (accuracy < 95 % at its best s, ``result.json``) is fine-tuned at that s
(``rate2spike.finetune_net``, default options unless given) and measured before and after on
``--trials`` held-out trials in Brian2 at the model's 0.05 ms step. Prints, per setting:
conversion success without and with fine-tuning (Wilson 95 % intervals), the failed nets'
accuracy before -> after, and the fine-tuning time.

Each net's run goes to ``<study>/finetune/<setting>/net_<k>/`` (the ``finetune`` command's
files); a rerun skips the finished ones and resumes an interrupted one. The table is also
written to ``<study>/finetune/summary_<TEXT><I>of<N>.json`` (``--only TEXT``, ``--part I/N``).

    python benchmarks/finetune_rescue.py --study runs/tf-default [--updates 100] [--trials 200]

A success "with fine-tuning" is a net that converted (study) or that scored < 95 % before and
>= 95 % after fine-tuning on the held-out trials. A failed net that already scores >= 95 % on
the held-out trials before fine-tuning (the sweep's 100 trials per s are noisy) is counted as
"borderline", not as rescued.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from rate2spike.artifacts import atomic_write_text
from rate2spike.converters.finetune import FinetuneConfig
from rate2spike.report.study_report import SUCCESS_ACCURACY as THRESHOLD
from rate2spike.statistics import wilson_interval
from rate2spike.workflows.finetune import STATE, SUMMARY, finetune_net


def rescue_net(net: Path, out: Path, cfg: FinetuneConfig, trials: int) -> dict:
    """The fine-tuning summary of one failed net (run now, resumed, or read back)."""
    if not (out / SUMMARY).is_file():
        finetune_net(net / "lif_network.npz", out, cfg, trials=trials,
                     resume=(out / STATE).is_file(), progress=False)
    return json.loads((out / SUMMARY).read_text())


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--study", required=True, help="a finished study folder")
    p.add_argument("--updates", type=int, default=FinetuneConfig.updates)
    p.add_argument("--trials", type=int, default=200, help="held-out trials per measurement")
    p.add_argument("--keep-best", action="store_true", dest="keep_best",
                   help="fine-tune with keep_best (the best torch evaluation's weights), into "
                        "<study>/finetune-best/")
    p.add_argument("--only", default="", metavar="TEXT",
                   help="only the settings whose name holds TEXT (e.g. relu: one process per "
                        "transfer function, each with OMP_NUM_THREADS=1)")
    p.add_argument("--first-net", type=int, default=0, metavar="K", dest="first_net",
                   help="only the nets whose index is >= K (to extend a rescue run of nets "
                        "0..K-1 made on the same nets in another study folder)")
    p.add_argument("--part", default="0/1", metavar="I/N",
                   help="only the nets whose index is I modulo N (N processes side by side)")
    args = p.parse_args()
    part, parts = (int(x) for x in args.part.split("/"))
    study = Path(args.study)
    cfg = FinetuneConfig(updates=args.updates, keep_best=args.keep_best)
    folder = study / ("finetune-best" if args.keep_best else "finetune")
    table = {}
    for setting in sorted(s for s in (study / "nets").iterdir() if args.only in s.name):
        rows = []
        for net in sorted(setting.glob("net_*")):
            index = int(net.name.split("_")[1])
            if index % parts != part or index < args.first_net or not (net / "result.json").is_file():
                continue
            res = json.loads((net / "result.json").read_text())
            row = {"net": net.name, "converted": res["lif_accuracy"] >= THRESHOLD,
                   "sweep_accuracy": res["lif_accuracy"], "best_s": res["best_scale_s"]}
            if not row["converted"]:
                ft = rescue_net(net, folder / setting.name / net.name, cfg, args.trials)
                before, after = ft["before"]["accuracy"], ft["after"]["accuracy"]
                row.update(before=before, after=after, borderline=before >= THRESHOLD,
                           rescued=before < THRESHOLD <= after,
                           finetune_s=ft["training"]["wall_time_s"])
                print(f"{setting.name} {net.name}: s = {row['best_s']:g}, {row['before']:.1%} -> "
                      f"{row['after']:.1%} ({row['finetune_s']:.0f} s)", flush=True)
            rows.append(row)
        n = len(rows)
        if not n:
            continue
        without = sum(r["converted"] for r in rows)
        with_ft = without + sum(r.get("rescued", False) for r in rows)
        failed = [r for r in rows if not r["converted"]]
        table[setting.name] = {
            "nets": n, "success_without": without, "ci_without": wilson_interval(without, n),
            "success_with": with_ft, "ci_with": wilson_interval(with_ft, n),
            "borderline": sum(r.get("borderline", False) for r in rows),
            "failed_before": [r["before"] for r in failed], "failed_after": [r["after"] for r in failed],
            "finetune_s": sum(r["finetune_s"] for r in failed), "nets_detail": rows}
    folder.mkdir(exist_ok=True)
    name = (f"summary_{args.only}{args.part.replace('/', 'of')}"
            f"{f'_from{args.first_net}' if args.first_net else ''}.json")
    atomic_write_text(folder / name, json.dumps(table, indent=1))
    print("\n| setting | nets | converted | with fine-tuning | failed nets: before -> after (mean) "
          "| failed, yet >= 95 % before | fine-tuning time |\n|---|---|---|---|---|---|---|")
    for name, t in table.items():
        pct = lambda k, ci: f"{k / t['nets']:.0%} ({k}/{t['nets']}; {ci[0]:.0%}-{ci[1]:.0%})"  # noqa: E731
        b, a = t["failed_before"], t["failed_after"]
        mean = (f"{sum(b) / len(b):.1%} -> {sum(a) / len(a):.1%}") if b else "-"
        print(f"| {name} | {t['nets']} | {pct(t['success_without'], t['ci_without'])} | "
              f"{pct(t['success_with'], t['ci_with'])} | {mean} | {t['borderline']} | "
              f"{t['finetune_s']:.0f} s |")


if __name__ == "__main__":
    main()
