"""Files of a conversion: ``lambda_sweep.csv``/``.json``, the plots, ``report.md`` and
``convert_result.json`` (all from result objects; nothing is simulated here)."""
from __future__ import annotations

from dataclasses import asdict

from ..artifacts import atomic_write_text
from ..results import ConvertResult, SweepResult
from ..seeds import stream_seed
from ..simulators import COUNTER_NOISE_DEVICES
from ..tasks import Task, TrialBatch
from . import plots
from .tables import fmt, markdown_table, write_json, write_rows


def _plots(res: ConvertResult, task: Task, batch: TrialBatch, sweep: SweepResult, rate_o,
           rate_r) -> dict:
    out, rate = res.out_dir, res.lif_network.rate
    ex = sweep.examples[res.best_s]
    idx = ex.example_trials
    conds = batch.conditions[idx]
    first = ex.raster_trial == idx[0]
    readout_dt = res.lif_network.constants.readout_dt_s
    fit = sweep.best.readout_fit
    label = f", {fit} readout" if fit != "none" else ""
    return {
        "mse_png": str(plots.output_mse_vs_scale(sweep.results, res.best_s,
                                                 out / "output_mse_vs_scale.png")),
        "accuracy_png": str(plots.accuracy_vs_scale(sweep.results, task.condition_names,
                                                    res.best_s, res.rate_accuracy,
                                                    out / "accuracy_vs_scale.png")),
        "examples_png": str(plots.example_trials(
            task.dt_s, conds, {"rate output": (rate_o[idx], task.dt_s),
                               **({f"LIF, Kim readout (s={res.best_s:g})": (ex.raw_outputs,
                                                                           readout_dt)}
                                  if fit != "none" else {}),
                               f"LIF output (s={res.best_s:g}{label})": (ex.outputs, readout_dt)},
            batch.targets[idx], out / "example_trials.png")),
        "raster_png": str(plots.raster(ex.raster_units[first], ex.raster_times_s[first],
                                       rate.dale_sign, task.duration_s, out / "raster.png",
                                       title=f"trial {idx[0]} ({conds[0]}), s = {res.best_s:g}")),
        "rate_hist_png": str(plots.rate_histogram(ex.unit_rates_hz, rate.dale_sign,
                                                  out / "firing_rates.png")),
        "rate_vs_lif_png": str(plots.rate_vs_lif(rate_r.mean(axis=(0, 1)), ex.unit_rates_hz,
                                                 rate.dale_sign, out / "rate_vs_lif.png")),
    }


def _calibration_lines(best, res: ConvertResult) -> list:
    """The report's lines on the readout calibration (none without one)."""
    if best.readout_fit == "none":
        return ["- Readout: Kim et al.'s λ W_out (no calibration; `--readout-fit` to fit one).",
                f"- Output MSE to the target at the chosen s: {best.output_mse:.3g}."]
    info = res.lif_network.readout.info if res.lif_network.readout else {}
    kim = best.fits["none"]
    return [f"- **Readout calibrated** (`{best.readout_fit}`) at every s on "
            f"{info.get('calibration_trials')} calibration trials (trial seed "
            f"{info.get('calibration_seed')}, noise streams of their own; never the held-out "
            f"trials). At the chosen s: accuracy {best.accuracy:.1%} vs {kim['accuracy']:.1%} "
            f"with Kim et al.'s readout; output MSE to the target {best.output_mse:.3g} vs "
            f"{kim['output_mse']:.3g}."]


def write_convert_report(res: ConvertResult, task: Task, batch: TrialBatch, sweep: SweepResult,
                         rate_o, rate_r) -> dict:
    """Write every file of a conversion into ``res.out_dir``; returns their paths.
    rate_o (trials, steps), rate_r (trials, steps, N): the rate net on the same trials."""
    out, rate, c = res.out_dir, res.lif_network.rate, res.lif_network.constants
    tables = write_rows([r.as_row() for r in sweep.results], out / "lambda_sweep.csv",
                        out / "lambda_sweep.json")
    files = {"sweep_csv": tables["csv"], "sweep_json": tables["json"],
             **_plots(res, task, batch, sweep, rate_o, rate_r)}
    noise = ("counter-based draws" if res.device in COUNTER_NOISE_DEVICES
             else "the simulator’s own generator")
    lines = [
        f"# rate2spike conversion report: {task.name}", "",
        f"- Rate model: `{rate.meta.get('source')}` ({rate.n_units} units, {rate.act}, "
        f"trained to eval loss {fmt(rate.meta.get('final_eval_loss'))})",
        f"- **LIF accuracy {res.lif_accuracy:.1%}** at s = {res.best_s:g} "
        f"(λ = {1 / res.best_s:.4g}; 95 % Wilson interval "
        f"{sweep.best.accuracy_ci95[0]:.1%}–{sweep.best.accuracy_ci95[1]:.1%}) "
        f"on {res.trials} held-out trials ("
        + ("fresh trials and noise for every s, as the authors' lambda_grid_search.m"
           if sweep.batches else f"seed {stream_seed('sweep_trials', res.seed)}, the same trials "
                                  "and noise at every s")
        + "); "
        f"rate network on the same trials: {res.rate_accuracy:.1%}.",
        f"- Scoring: reference LIF rule, window from {task.lif_window_s} s "
        f"(rate net: rate rule, window from {task.rate_window_s} s).",
        f"- Device: `{res.device}`; compile {res.compile_time_s:.1f} s; "
        f"total wall time {res.wall_time_s:.1f} s.",
        "- W_rec and W_out divided by s; W_in and τ_d unchanged; **b_out dropped** "
        f"(it was {float(rate.b_out.ravel()[0]):.4g}).",
        "- Best s: highest accuracy; ties go to the middle of the tied values.",
        f"- LIF: dt = {c.dt_s * 1e3:g} ms, voltage noise {c.noise_mV:g} mV × N(0, 1) per step "
        f"({noise}), readout o(t) sampled every {c.readout_dt_s * 1e3:g} ms.",
    ]
    lines += _calibration_lines(sweep.best, res)
    if len({r.trials for r in sweep.results}) > 1:
        lines.append(f"- **Adaptive search**: {sweep.trials_simulated:,} (s, trial) pairs "
                     f"simulated in all (trials per s in the table), against "
                     f"{len(sweep.results) * res.trials:,} for {res.trials} trials at each of "
                     f"these s.")
    lines += [f"- **Warning:** {w}" for w in res.warnings]
    names = task.condition_names
    others = [f for f in sweep.best.fits if f != sweep.best.readout_fit]
    header = ["s", "λ", "trials", "accuracy", "95 % CI", *names, "output MSE",
              *(f"{k} ({f})" for f in others for k in ("accuracy", "MSE")),
              "E rate (Hz)", "I rate (Hz)", "spikes", "sim time (s)"]
    rows = [[f"{r.s:g}" + (" **←**" if r.s == res.best_s else ""), f"{1 / r.s:.4g}", r.trials,
             f"{r.accuracy:.2f}", "{:.2f}–{:.2f}".format(*r.accuracy_ci95),
             *(f"{r.per_condition.get(n, float('nan')):.2f}" for n in names),
             f"{r.output_mse:.3g}",
             *(cell for f in others for cell in (f"{r.fits[f]['accuracy']:.2f}",
                                                 f"{r.fits[f]['output_mse']:.3g}")),
             f"{r.rate_E_hz:.1f}", f"{r.rate_I_hz:.1f}", r.spike_count, f"{r.sim_time_s:.1f}"]
            for r in sweep.results]
    lines += ["", *markdown_table(header, rows)]
    lines += ["", "![accuracy vs s](accuracy_vs_scale.png)", "",
              "![output MSE vs s](output_mse_vs_scale.png)", "",
              "Example trials, rate and LIF output against the target:", "",
              "![examples](example_trials.png)", "", "![raster](raster.png)", "",
              "![firing rates](firing_rates.png) ![rate vs LIF](rate_vs_lif.png)", ""]
    atomic_write_text(out / "report.md", "\n".join(lines))
    files["report"] = str(out / "report.md")
    summary = {"task": task.name, "best_scale_s": res.best_s, "best_lambda": 1 / res.best_s,
               "lif_accuracy": res.lif_accuracy, "rate_accuracy": res.rate_accuracy,
               "device": res.device, "warnings": res.warnings, "wall_time_s": res.wall_time_s,
               "compile_time_s": res.compile_time_s, "best_row": sweep.best.as_row(),
               "lif_constants": asdict(c), "files": files}
    write_json(out / "convert_result.json", summary)
    return files
