"""Files of a comparison: ``compare.md``, ``compare.json`` and the two figures, for any set of
families (each net's summary and traces come in keyed by family name)."""
from __future__ import annotations

import json

from ..artifacts import atomic_write_text
from ..results import CompareResult
from ..seeds import STREAMS
from ..tasks import first_trial_per_condition
from . import plots

#: trial seed offset of the comparison trials (the lambda sweep uses its own stream)
COMPARE_TRIAL_OFFSET = STREAMS["compare_trials"]


def training_text(t: dict | None) -> str:
    """Updates and wall time of a net's training (the converted LIF: converted, not trained)."""
    if not t or t.get("updates") is None:
        return "–"
    if t["updates"] == 0:
        return "converted (λ search)"
    wall = t.get("wall_time_s")
    return f"{t['updates']:,} updates" + ("" if wall is None else f", {wall:.0f} s")


def write_compare_report(res: CompareResult, task, batch, traces: dict, formulas: dict) -> dict:
    """Write the comparison files into ``res.out_dir``. ``traces``: per family name (its title,
    the decision traces of the first trial of each condition (n_conditions, samples), seconds
    per sample); ``formulas``: per family name its energy formula."""
    out = res.out_dir
    out.mkdir(parents=True, exist_ok=True)
    idx = first_trial_per_condition(batch.conditions)
    files = {
        "examples_png": str(plots.example_trials(task.dt_s, batch.conditions[idx],
                                                 {title: (trace, dt) for title, trace, dt in traces.values()},
                                                 batch.targets[idx], out / "compare_examples.png")),
        "summary_png": str(plots.comparison_summary(res.nets, task.condition_names,
                                                    out / "compare_summary.png")),
    }
    n = res.nets
    lines = [f"# rate2spike comparison: {task.name}", "",
             f"{res.trials} shared trials (seed offset {COMPARE_TRIAL_OFFSET}, held out from training "
             f"and from the λ search). Total wall time {res.wall_time_s:.1f} s.", "",
             "| net | simulator | accuracy | " + " | ".join(task.condition_names) +
             " | activity | energy / trial | sim time / trial | training |",
             "|---" * (7 + len(task.condition_names)) + "|"]
    for key, r in n.items():
        act = "; ".join(f"{k} {v:.3g}" for k, v in r["activity"].items())
        times = "; ".join(f"{k} {v * 1e3:.3g} ms" for k, v in r["time_per_trial_s"].items())
        lines.append(f"| {r['label']} | {r['simulator']} | {r['accuracy']:.1%} | " +
                     " | ".join(f"{r['per_condition'].get(c, float('nan')):.1%}"
                                for c in task.condition_names) +
                     f" | {act} | {r['energy']['energy_J'] * 1e9:.3g} nJ | {times} | "
                     f"{training_text(r.get('training'))} |")
    lines += [""] + [f"- {traces[key][0]} in Brian2: accuracy {r['accuracy_brian2']:.1%} (torch "
                     f"{r['accuracy']:.1%}); the two verdicts agree on {r['verdicts_agree']:.1%} "
                     f"of trials; largest output difference {r['max_output_difference']:.2g} "
                     f"(torch against itself with the input shifted by 1e-12: "
                     f"{r['torch_input_shift_difference']:.2g})."
                     for key, r in n.items() if "accuracy_brian2" in r]
    compiled = [f"{traces[key][0]} {r['compile_s']:.1f} s" for key, r in n.items() if "compile_s" in r]
    lines += [f"- Scoring: the rate net and one-output nets by the rate rule (window from "
              f"{task.rate_window_s} s), LIF by the LIF rule (window from {task.lif_window_s} s), "
              f"nets with a class output (SRC classify readout, SRNN class output) by the argmax "
              f"of their class scores at the last step."]
    lines += [f"- Compile times (not in sim time): {', '.join(compiled)}."] if compiled else []
    lines += ["", "Energy per trial (E_MAC = 3.2 pJ, E_AC = 0.1 pJ; nnz = nonzero weights, T_task = "
              f"{task.n_steps} steps of {task.dt_s * 1e3:g} ms):", ""]
    for key, r in n.items():
        e = r["energy"]
        lines.append(f"- {key}: {formulas[key]} = {e['MAC']:.3g} MAC + {e['AC']:.3g} AC "
                     f"= {e['energy_J'] * 1e9:.3g} nJ")
    lines += ["", "![summary](compare_summary.png)", "", "![examples](compare_examples.png)", ""]
    atomic_write_text(out / "compare.md", "\n".join(lines))
    files["report"] = str(out / "compare.md")
    atomic_write_text(out / "compare.json", json.dumps(
        {"task": task.name, "trials": res.trials, "wall_time_s": res.wall_time_s,
         "nets": n, "energy_formulas": formulas, "files": {**res.files, **files}},
        indent=2) + "\n")
    files["json"] = str(out / "compare.json")
    return files
