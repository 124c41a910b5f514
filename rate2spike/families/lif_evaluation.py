"""The evaluation of a net of the converted net's kind (:class:`~rate2spike.lif_models.LIFNetwork`:
Kim et al.'s LIF neuron, double-exponential synapses, refractory period, lambda = 1/s), shared by
the families whose nets are of that kind: the converted net (``lif``) and the same net trained
directly (``dlif``). It runs on the LIF simulator (Brian2 ``cpp_standalone`` by default, or the
device of the evaluation options) and is scored by the task's LIF rule."""
from __future__ import annotations

from ..lif_models import LIFNetwork
from ..report import energy
from ..simulators import simulate_lif
from ..tasks import Task, TrialBatch, first_trial_per_condition, per_condition_accuracy
from .base import Evaluation, EvaluationOptions


def evaluate_lif_network(lif: LIFNetwork, task: Task, batch: TrialBatch, options: EvaluationOptions,
                         label: str, training: dict) -> Evaluation:
    """``lif`` at its s on ``batch`` (device and noise seed from ``options``); ``label`` and
    ``training`` (updates, wall time in s) go into the summary as they are."""
    examples = first_trial_per_condition(batch.conditions)
    sim = simulate_lif(lif, batch.inputs, batch.dt_s, seed=options.seed, device=options.lif_device,
                       processes=options.processes, threads=options.threads,
                       torch_device=options.torch_device, torch_dtype=options.torch_dtype)
    simulator = {"torch": f"torch ({options.torch_device}, {options.torch_dtype})",
                 "reference": "NumPy reference"}.get(sim.device, f"Brian2 {sim.device}")
    run = sim.runs[lif.s]
    ok = task.score(run.outputs, batch.labels, sim.readout_dt_s, window="lif")
    duration = batch.inputs.shape[2] * batch.dt_s
    unit_rates = run.spike_counts.mean(axis=0) / duration
    r = lif.rate
    summary = {
        "label": label, "simulator": simulator, "accuracy": float(ok.mean()),
        "per_condition": per_condition_accuracy(ok, batch.conditions, task.condition_names),
        "time_per_trial_s": {simulator: run.sim_time_s / len(batch)},
        "compile_s": sim.build_time_s,
        "energy": energy.lif_energy(r.W_in, r.W_rec, r.W_out, unit_rates * task.duration_s,
                                    batch.inputs.shape[2]),
        "activity": {"Hz": float(unit_rates.mean()),
                     **dict(zip(("E Hz", "I Hz"),
                                run.mean_rates_hz(duration, lif.rate.dale_sign, float("nan"))))},
        "training": training,
    }
    return Evaluation(summary, run.outputs[examples], sim.readout_dt_s)
