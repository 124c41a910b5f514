"""
A tiny conversion study on a local Dask cluster
===============================================

``rate2spike study`` trains many rate nets per setting and converts each one, as units of work
on Dask. Here: 2 small nets per transfer function, briefly trained, on a local cluster of 2
worker processes. The same call takes ``scheduler="tcp://host:8786"`` to run on any Dask
cluster. Finished nets are kept, so a rerun with more nets only computes the new ones.

Dask starts its workers as new processes, which import the main script again: the work runs
under ``if __name__ == "__main__":``.
"""
import json
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt

from rate2spike.workflows.study import plan_jobs, run_study, write_study_report


def main():
    study_dir = Path(tempfile.mkdtemp()) / "study"
    jobs = plan_jobs("gonogo", ["sigmoid", "relu"], 2, units=[40])
    train = {"max_updates": 60, "eval_every": 20, "eval_trials": 20, "batch_size": 16}
    convert = {"trials": 20, "scales": [10.0, 20.0, 30.0], "device": "reference"}
    results = run_study(jobs, study_dir, train, convert, workers=2, progress=False)
    write_study_report(results, study_dir)
    for r in results:
        print(r["net"], "best s", r["best_scale_s"], "LIF accuracy", r["lif_accuracy"])

    # accuracy against s for every net (the study report draws the same, per setting)
    fig, ax = plt.subplots(figsize=(6, 3.2))
    for r in results:
        s = sorted(r["accuracy_by_scale"], key=float)
        ax.plot([float(x) for x in s], [r["accuracy_by_scale"][x] for x in s], "o-",
                label=r["net"])
    ax.set(xlabel="s = 1/λ", ylabel="LIF accuracy")
    ax.legend(fontsize=7)
    fig.tight_layout()

    # the summary per setting, as written to study_results.json
    for setting in json.loads((study_dir / "study_results.json").read_text())["settings"]:
        print({k: setting[k] for k in list(setting)[:5]})


if __name__ == "__main__":
    main()
