"""The LIF net converted from the rate RNN (Kim et al. 2019): W_rec and W_out scaled by
lambda = 1/s, simulated equation-level in Brian2. ``compare`` gets it from the conversion
pipeline (the lambda search of ``convert``, or the given ``--scale``) and scores it by the task's
LIF rule."""
from __future__ import annotations

from ...lif_models import LIFNetwork
from ...report import energy
from ...simulators import simulate_lif
from ...tasks import Task, TrialBatch, first_trial_per_condition, per_condition_accuracy
from ..base import Evaluation, EvaluationOptions, Family, register


def evaluate_lif(lif: LIFNetwork, task: Task, batch: TrialBatch, options: EvaluationOptions) -> Evaluation:
    """The LIF net at its s on ``batch`` (device and noise seed from ``options``)."""
    examples = first_trial_per_condition(batch.conditions)
    sim = simulate_lif(lif, batch.inputs, batch.dt_s, seed=options.seed, device=options.lif_device,
                       processes=options.processes, threads=options.threads,
                       torch_device=options.torch_device, torch_dtype=options.torch_dtype)
    simulator = (f"torch ({options.torch_device}, {options.torch_dtype})" if sim.device == "torch"
                 else f"Brian2 {sim.device}")
    run = sim.runs[lif.s]
    ok = task.score(run.outputs, batch.labels, sim.readout_dt_s, window="lif")
    duration = batch.inputs.shape[2] * batch.dt_s
    unit_rates = run.spike_counts.mean(axis=0) / duration
    r = lif.rate
    summary = {
        "label": f"converted LIF (s = {lif.s:g}, λ = {1 / lif.s:.4g}"
                 + (f", {lif.readout.method} readout)" if lif.readout else ")"),
        "simulator": simulator, "accuracy": float(ok.mean()),
        "per_condition": per_condition_accuracy(ok, batch.conditions, task.condition_names),
        "time_per_trial_s": {simulator: run.sim_time_s / len(batch)},
        "compile_s": sim.build_time_s,
        "energy": energy.lif_energy(r.W_in, r.W_rec, r.W_out, unit_rates * task.duration_s,
                                    batch.inputs.shape[2]),
        "activity": {"Hz": float(unit_rates.mean()),
                     **dict(zip(("E Hz", "I Hz"),
                                run.mean_rates_hz(duration, lif.rate.dale_sign, float("nan"))))},
        "training": {"updates": 0, "wall_time_s": None},      # the lambda search only
    }
    return Evaluation(summary, run.outputs[examples], sim.readout_dt_s)


FAMILY = register(Family(
    name="lif", title="LIF", description="the rate net converted to LIF (Brian2), s searched or given",
    obtain=lambda source: source.converted_network(), evaluate=evaluate_lif,
    energy_formula=energy.FORMULAS["lif"]))
