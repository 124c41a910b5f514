"""Each family of net evaluated on shared trials: accuracy (overall and per condition),
activity, the energy estimate and simulation time per trial, as one summary dict per net."""
from __future__ import annotations

import time

import numpy as np
import torch

from ..classifiers.kim_tasks import task_output
from ..lif_models import LIFNetwork
from ..rate_models.network import RateNetwork
from ..report import energy
from ..simulators import simulate_lif, simulate_src_brian
from ..src_models.cell import SRCNet
from ..src_models.network import SRCNetwork, task_inputs_to_steps
from ..src_models.training import score_src
from ..surrogate_models.alif import ALIFNet
from ..surrogate_models.alif_network import ALIFNetwork
from ..tasks import Task, TrialBatch, first_trial_per_condition, per_condition_accuracy

#: the input shift that tells a chaotic net from a simulator mismatch (:func:`perturbed_difference`)
INPUT_SHIFT = 1e-12


def perturbed_difference(model, inputs, outputs: np.ndarray) -> float:
    """max |o(u + INPUT_SHIFT) - o(u)| of a torch ``model`` whose ``outputs`` at ``inputs`` u are
    known: how far float rounding alone can move this net's outputs. A Brian2-vs-torch
    difference of the same order is the net's sensitivity (chaos), not a mismatch.

    Example
    -------
    >>> from types import SimpleNamespace
    >>> summed = lambda u: SimpleNamespace(outputs=u.sum(dim=1, keepdim=True))   # o = u_0 + u_1
    >>> u = torch.zeros(1, 2, 3, dtype=torch.float64)
    >>> perturbed_difference(summed, u, summed(u).outputs.numpy())                 # 2 x 1e-12
    2e-12
    """
    with torch.no_grad():
        shifted = model(torch.as_tensor(inputs, dtype=torch.float64) + INPUT_SHIFT).outputs
    return float(np.abs(shifted.numpy() - outputs).max())


def _timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def evaluate_rate(rate: RateNetwork, task: Task, batch: TrialBatch, seed: int):
    """The rate net in torch; returns (summary, outputs (trials, steps))."""
    (rate_o, rate_r), t = _timed(lambda: rate.run(batch.inputs, seed))
    ok = task.score(rate_o, batch.labels, task.dt_s, window="rate")
    return {"label": f"rate RNN ({rate.n_units} units, {rate.act})", "simulator": "torch",
            "accuracy": float(ok.mean()),
            "per_condition": per_condition_accuracy(ok, batch.conditions, task.condition_names),
            "time_per_trial_s": {"torch": t / len(batch)},
            "energy": energy.rate_energy(rate.W_in, rate.W_rec, rate.W_out, batch.inputs.shape[2]),
            "activity": {"mean r": float(rate_r.mean())}}, rate_o


def evaluate_lif(lif: LIFNetwork, task: Task, batch: TrialBatch, seed: int, **sim_options):
    """The LIF net at its s; returns (summary, (example outputs, readout dt, example trials))."""
    examples = first_trial_per_condition(batch.conditions)
    sim = simulate_lif(lif, batch.inputs, batch.dt_s, seed=seed, **sim_options)
    run = sim.runs[lif.s]
    ok = task.score(run.outputs, batch.labels, sim.readout_dt_s, window="lif")
    duration = batch.inputs.shape[2] * batch.dt_s
    unit_rates = run.spike_counts.mean(axis=0) / duration
    exc = lif.rate.dale_sign > 0
    rates = run.spike_counts / duration
    r = lif.rate
    summary = {
        "label": f"converted LIF (s = {lif.s:g}, λ = {1 / lif.s:.4g}"
                 + (f", {lif.readout.method} readout)" if lif.readout else ")"),
        "simulator": f"Brian2 {sim.device}", "accuracy": float(ok.mean()),
        "per_condition": per_condition_accuracy(ok, batch.conditions, task.condition_names),
        "time_per_trial_s": {f"Brian2 {sim.device}": run.sim_time_s / len(batch)},
        "compile_s": sim.build_time_s,
        "energy": energy.lif_energy(r.W_in, r.W_rec, r.W_out, unit_rates * task.duration_s,
                                    batch.inputs.shape[2]),
        "activity": {"Hz": float(unit_rates.mean()),
                     "E Hz": float(rates[:, exc].mean()) if exc.any() else float("nan"),
                     "I Hz": float(rates[:, ~exc].mean()) if (~exc).any() else float("nan")},
    }
    return summary, (run.outputs[examples], sim.readout_dt_s, examples)


def evaluate_src(src: SRCNetwork, task: Task, batch: TrialBatch, device: str):
    """The SRC net in torch (float64) and in Brian2; returns (summary, torch outputs)."""
    step = src.constants.step_s
    u = task_inputs_to_steps(batch.inputs, task.dt_s, step)
    model = SRCNet.from_network(src, torch.float64)
    with torch.no_grad():
        out_t, t_torch = _timed(lambda: model(u))
    o_t = out_t.outputs.numpy()
    b = simulate_src_brian(src, u, device=device)
    ok_t = score_src(task, o_t, batch, src.readout, step)
    ok_b = score_src(task, b.outputs, batch, src.readout, step)
    n_steps = u.shape[2]
    active = [a.numpy().mean(axis=0) for a in out_t.active_steps]
    names = task.condition_names
    summary = {
        "label": f"SRC {'+'.join(map(str, src.sizes))} "
                 f"({'recurrent' if any(l.recurrent for l in src.layers) else 'feedforward'}, "
                 f"{src.readout} readout, {step * 1e3:g} ms steps)",
        "simulator": "torch + Brian2", "accuracy": float(ok_t.mean()),
        "accuracy_brian2": float(ok_b.mean()),
        "verdicts_agree": float((ok_t == ok_b).mean()),
        "max_output_difference": float(np.abs(o_t - b.outputs).max()),
        "torch_input_shift_difference": perturbed_difference(model, u, o_t),
        "per_condition": per_condition_accuracy(ok_t, batch.conditions, names),
        "per_condition_brian2": per_condition_accuracy(ok_b, batch.conditions, names),
        "time_per_trial_s": {"torch": t_torch / len(batch),
                             f"Brian2 {device}": b.sim_time_s / len(batch)},
        "compile_s": b.build_time_s,
        "energy": energy.src_energy(src, active, batch.inputs.shape[2]),
        "activity": {f"T(s) L{l}": float(a.mean()) / n_steps for l, a in enumerate(active)},
    }
    return summary, o_t


def evaluate_alif(net: ALIFNetwork, task: Task, batch: TrialBatch, device: str):
    """An adaptive (or plain) LIF SRNN in torch (float64) and in Brian2; returns (summary,
    torch outputs (trials, 1, steps))."""
    step = net.step_s
    u = task_inputs_to_steps(batch.inputs, task.dt_s, step)
    model = ALIFNet.from_network(net)
    with torch.no_grad():
        out_t, t_torch = _timed(lambda: model(u))
    o_t = out_t.outputs.numpy()
    b = simulate_src_brian(net, u, device=device)
    mode = task_output(net.n_outputs)
    ok_t = score_src(task, o_t, batch, mode, step)
    ok_b = score_src(task, b.outputs, batch, mode, step)
    spikes = [a.numpy().mean(axis=0) for a in out_t.active_steps]
    names = task.condition_names
    kind = "adaptive LIF" if net.beta > 0 else "LIF"
    summary = {
        "label": f"{kind} SRNN {'+'.join(map(str, net.sizes))} "
                 f"({'recurrent' if net.recurrent else 'feedforward'}, {mode} output, "
                 f"{step * 1e3:g} ms steps)",
        "simulator": "torch + Brian2", "accuracy": float(ok_t.mean()),
        "accuracy_brian2": float(ok_b.mean()), "verdicts_agree": float((ok_t == ok_b).mean()),
        "max_output_difference": float(np.abs(o_t - b.outputs).max()),
        "torch_input_shift_difference": perturbed_difference(model, u, o_t),
        "per_condition": per_condition_accuracy(ok_t, batch.conditions, names),
        "time_per_trial_s": {"torch": t_torch / len(batch), f"Brian2 {device}": b.sim_time_s / len(batch)},
        "compile_s": b.build_time_s,
        "energy": energy.alif_energy(net, spikes, batch.inputs.shape[2], u.shape[2]),
        "activity": {f"Hz L{l}": float(a.mean()) / task.duration_s for l, a in enumerate(spikes)},
    }
    return summary, o_t
