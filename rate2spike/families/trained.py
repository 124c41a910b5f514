"""What every directly trained family shares: obtaining the net (the user's file, the one a
previous run left in the folder, or a fresh training) and its evaluation in torch (float64) and
in Brian2 on the same trials, with the torch input-shift reference that tells a chaotic net from
a simulator mismatch."""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import torch

from ..artifacts import check_trained_with
from ..report.plots import decision_trace
from ..simulators import simulate_trained_brian
from ..src_models.network import task_inputs_to_steps
from ..src_models.training import score_src
from ..tasks import Task, TrialBatch, first_trial_per_condition, per_condition_accuracy

#: the input shift that tells a chaotic net from a simulator mismatch (:func:`perturbed_difference`)
INPUT_SHIFT = 1e-12


def timed(fn):
    """``(fn(), seconds it took)``."""
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def perturbed_difference(model, inputs, outputs: np.ndarray) -> float:
    """``max |o(u + INPUT_SHIFT) - o(u)|`` of a torch ``model`` whose ``outputs`` at ``inputs`` u are
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


def obtain_trained(family, source):
    """``family``'s net for ``source`` (a :class:`~rate2spike.families.base.NetSource`): the file
    the user gave (already loaded and checked), else ``source.out / family.name /
    family.model_file`` left by an earlier run in the same folder (if trained with the same
    options, else an :class:`~rate2spike.errors.ArtifactError`), else one trained there with
    the family's config."""
    net = source.given_network(family.name)
    if net is not None:
        return net
    path = source.out / family.name / family.model_file
    if path.is_file():
        check_trained_with(path, source.config(family))   # never a model of other options
    else:
        path = family.train_on_task(source.config(family), source.out / family.name, source.progress)
    return family.load(path, source.task)


def seeded(build, seed: int = 0):
    """``build()`` with torch's global generator seeded by ``seed`` (and restored after): a
    family's deterministic example net."""
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        return build()


def model_trainer(train_and_write):
    """A family's ``train_on_task`` from its ``train_and_write(cfg, out, progress) -> (result,
    files)``: train, write, return the model file's path."""
    def train_on_task(cfg, out, progress: bool = True):
        return Path(train_and_write(cfg, out, progress)[1]["model"])
    return train_on_task


def evaluate_on_trials(net, model, task: Task, batch: TrialBatch, device: str, mode: str,
                       step_s: float) -> tuple[dict, object]:
    """Run a directly trained ``net`` (its float64 torch ``model``) on ``batch`` in torch and in
    Brian2 (``device``) with steps of ``step_s`` seconds; score both by ``mode`` (``linear``: the
    task's rate rule on the one output; ``classify``: argmax of the class scores at the last
    step). Returns the summary fields every such family shares and the torch output (its
    ``outputs`` (trials, k, steps) and per-layer ``active_steps``)."""
    u = task_inputs_to_steps(batch.inputs, task.dt_s, step_s)
    with torch.no_grad():
        out_t, t_torch = timed(lambda: model(u))
    o_t = out_t.outputs.numpy()
    b = simulate_trained_brian(net, u, device=device)
    ok_t = score_src(task, o_t, batch, mode, step_s)
    ok_b = score_src(task, b.outputs, batch, mode, step_s)
    names = task.condition_names
    summary = {
        "simulator": "torch + Brian2", "accuracy": float(ok_t.mean()),
        "accuracy_brian2": float(ok_b.mean()), "verdicts_agree": float((ok_t == ok_b).mean()),
        "max_output_difference": float(np.abs(o_t - b.outputs).max()),
        "torch_input_shift_difference": perturbed_difference(model, u, o_t),
        "per_condition": per_condition_accuracy(ok_t, batch.conditions, names),
        "per_condition_brian2": per_condition_accuracy(ok_b, batch.conditions, names),
        "time_per_trial_s": {"torch": t_torch / len(batch),
                             f"Brian2 {device}": b.sim_time_s / len(batch)},
        "compile_s": b.build_time_s,
    }
    return summary, out_t


def example_traces(outputs: np.ndarray, batch: TrialBatch) -> np.ndarray:
    """The decision traces (:func:`~rate2spike.report.plots.decision_trace`) of the first trial
    of each condition, from outputs (trials, k, steps)."""
    return decision_trace(outputs[first_trial_per_condition(batch.conditions)])
