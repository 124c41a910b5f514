"""Files of a ``simulate`` run: ``simulation.npz`` (outputs, every spike, recordings),
``simulation.json`` (summary), ``report.md`` and the figures. Nothing is simulated here.

``simulation.npz`` arrays (units in brackets):

- ``outputs`` (trials, samples): readout o(t) [1], sample k at t = k * ``readout_dt_s``;
- ``targets`` (trials, steps) on the task grid ``task_dt_s``; ``inputs`` (trials, n_in, steps);
- ``labels``, ``conditions`` (trials,), ``correct`` (trials,) bool;
- ``spike_trial``, ``spike_unit``, ``spike_time_s`` (spikes,): every spike [s];
- ``spike_counts`` (trials, N);
- per recorded variable X: ``X`` (recorded trials, N, samples) every ``readout_dt_s``
  (``v``, ``I_syn`` in mV, ``h`` in mV/s, ``r`` in Hz) and ``recorded_trials``.
"""
from __future__ import annotations

import io

import numpy as np

from ..artifacts import atomic_write_bytes, atomic_write_text
from ..tasks import Task, TrialBatch, first_trial_per_condition
from . import plots
from .tables import markdown_table, write_json

#: SI -> reported units of the recordable variables
RECORD_UNITS = {"v": ("mV", 1e3), "I_syn": ("mV", 1e3), "h": ("mV/s", 1e3), "r": ("Hz", 1.0)}


def _arrays(run, batch: TrialBatch, correct, readout_dt_s, task: Task) -> dict:
    trials = sorted(run.rasters)
    units = [run.rasters[t][0] for t in trials]
    times = [run.rasters[t][1] for t in trials]
    arrays = {
        "outputs": run.outputs, "targets": batch.targets, "inputs": batch.inputs,
        "labels": batch.labels, "conditions": batch.conditions.astype(str), "correct": correct,
        "spike_counts": run.spike_counts,
        "spike_trial": np.concatenate([np.full(len(u), t) for t, u in zip(trials, units)]),
        "spike_unit": np.concatenate(units) if units else np.zeros(0, int),
        "spike_time_s": np.concatenate(times) if times else np.zeros(0),
        "readout_dt_s": readout_dt_s, "task_dt_s": task.dt_s,
    }
    recorded = sorted(run.states)
    if recorded:
        arrays["recorded_trials"] = np.array(recorded)
        for name in run.states[recorded[0]]:
            scale = RECORD_UNITS[name][1]
            arrays[name] = np.stack([run.states[t][name] for t in recorded]) * scale
    return arrays


def _figures(out, network, task: Task, batch: TrialBatch, run, readout_dt_s, window) -> dict:
    sign = network.rate.dale_sign
    first = first_trial_per_condition(batch.conditions)
    label = f"s = {network.s:g}" + (", stimulated" if window else "")
    t0 = int(first[0])
    files = {
        "raster_png": plots.raster(*run.rasters[t0], sign, task.duration_s, out / "raster.png",
                                   title=f"trial {t0} ({batch.conditions[t0]}), {label}"),
        "psth_png": plots.psth(
            {c: ([run.rasters[t][0] for t in np.flatnonzero(batch.conditions == c)],
                 [run.rasters[t][1] for t in np.flatnonzero(batch.conditions == c)])
             for c in task.condition_names if np.any(batch.conditions == c)},
            sign, task.duration_s, out / "psth.png", window_s=window),
        "outputs_png": plots.example_trials(
            task.dt_s, batch.conditions[first], {f"LIF output ({label})": (run.outputs[first],
                                                                        readout_dt_s)},
            batch.targets[first], out / "outputs.png"),
    }
    if run.states:
        states = run.states[t0]
        traces = {f"{n} ({RECORD_UNITS[n][0]})": states[n] * RECORD_UNITS[n][1] for n in states}
        shown = [0, int(np.argmin(sign))] if sign.min() < 0 else [0]
        files["recorded_png"] = plots.state_traces(traces, readout_dt_s, out / "recorded.png",
                                                   shown, window, f"trial {t0}, {label}")
    return {k: str(v) for k, v in files.items()}


def write_simulation(res, network, task: Task, batch: TrialBatch, run, correct, readout_dt_s,
                     stimulation, source=None) -> dict:
    """Write every file of a simulation into ``res.out_dir``; returns their paths."""
    out = res.out_dir
    out.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    np.savez_compressed(buf, **_arrays(run, batch, correct, readout_dt_s, task))
    atomic_write_bytes(out / "simulation.npz", buf.getvalue())
    window = tuple(stimulation.window_s) if stimulation else None
    files = {"arrays": str(out / "simulation.npz"),
             **_figures(out, network, task, batch, run, readout_dt_s, window)}
    summary = {"task": res.task, "scale_s": res.s, "lambda": 1 / res.s, "trials": res.trials,
               "seed": res.seed, "device": res.device, "accuracy": res.accuracy,
               "per_condition": res.per_condition, "rate_E_hz": res.rate_E_hz,
               "rate_I_hz": res.rate_I_hz, "stimulation": res.stimulation, "lesion": res.lesion,
               "sim_time_s": res.sim_time_s, "build_time_s": res.build_time_s,
               "network": str(source) if source else None, "files": files}
    files["json"] = write_json(out / "simulation.json", summary)
    stim = "none" if not stimulation else (
        f"{stimulation.mode} on {len(stimulation.units)} units, {window[0]:g}-{window[1]:g} s, "
        f"±{stimulation.kick_mV} mV with p = {stimulation.probability} per step")
    rows = [[c, f"{a:.1%}"] for c, a in res.per_condition.items()]
    lines = [f"# rate2spike simulation: {res.task}", "",
             f"- Network: `{source or 'from Python'}`, {network.n_units} units, s = {res.s:g}",
             f"- {res.trials} trials (seed {res.seed}), device {res.device}; stimulation: {stim}",
             f"- **Accuracy {res.accuracy:.1%}**; mean rates E {res.rate_E_hz:.1f} Hz, "
             f"I {res.rate_I_hz:.1f} Hz", "",
             *markdown_table(["condition", "accuracy"], rows), "",
             *[f"![{k}]({k.removesuffix('_png')}.png)" for k in files if k.endswith("_png")
               and k != "recorded_png"]]
    if "recorded_png" in files:
        lines.append("![recorded](recorded.png)")
    atomic_write_text(out / "report.md", "\n".join(lines) + "\n")
    files["report"] = str(out / "report.md")
    return files
