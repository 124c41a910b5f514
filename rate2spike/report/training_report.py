"""Files of a training run: the artifact, example trials and the training curve."""
from __future__ import annotations

from pathlib import Path

import torch

from ..seeds import stream_seed
from ..src_models.cell import SRCNet
from ..src_models.network import task_inputs_to_steps
from ..tasks import first_trial_per_condition
from . import plots


def write_training_report(result, out: Path) -> dict:
    """Save a trained rate net (``rate_model.npz``/``.json``) and its plots in ``out``."""
    net = result.network()
    stem = net.save(out / "rate_model")
    task = result.task
    batch = task.generate(200, stream_seed("example_trials", result.config.seed))
    idx = first_trial_per_condition(batch.conditions)
    with torch.no_grad():
        o = result.model(batch.inputs[idx], generator=torch.Generator().manual_seed(1)).cpu().numpy()
    return {
        "model": str(stem),
        "examples_png": str(plots.example_trials(task.dt_s, batch.conditions[idx],
                                                 {"rate output": (o, task.dt_s)},
                                                 batch.targets[idx], out / "train_examples.png")),
        "curve_png": str(plots.training_curve(result.history, result.config.stop_loss,
                                              out / "training_curve.png")),
    }


def write_src_training_report(result, out: Path) -> dict:
    """Save a trained SRC net (``src_model.npz``/``.json``) and its plots in ``out``."""
    net = result.network()
    stem = net.save(out / "src_model")
    task, step_s = result.task, result.config.step_s
    batch = task.generate(200, stream_seed("example_trials", result.config.seed))
    idx = first_trial_per_condition(batch.conditions)
    with torch.no_grad():
        o = SRCNet.from_network(net)(task_inputs_to_steps(batch.inputs[idx], task.dt_s, step_s))
    o = o.outputs.numpy()
    traces = {plots.output_label("SRC", o): (plots.decision_trace(o), step_s)}
    return {
        "model": str(stem),
        "examples_png": str(plots.example_trials(task.dt_s, batch.conditions[idx], traces,
                                                 batch.targets[idx], out / "src_train_examples.png")),
        "curve_png": str(plots.training_curve(result.history, None, out / "src_training_curve.png",
                                              reference=None, ylabel="eval loss")),
    }


def write_alif_task_report(result, out: Path) -> dict:
    """Save a trained adaptive LIF SRNN (``alif_model.npz``/``.json``), its example trials and
    training curve, and ``result.json`` in ``out``."""
    import json

    from ..artifacts import atomic_write_text
    from ..surrogate_models.alif import ALIFNet

    net = result.network()
    stem = net.save(out / "alif_model")
    task, step_s = result.task, result.config.step_s
    batch = task.generate(200, stream_seed("example_trials", result.config.seed))
    idx = first_trial_per_condition(batch.conditions)
    with torch.no_grad():
        o = ALIFNet.from_network(net)(task_inputs_to_steps(batch.inputs[idx], task.dt_s, step_s))
    o = o.outputs.numpy()
    files = {
        "model": str(stem),
        "examples_png": str(plots.example_trials(task.dt_s, batch.conditions[idx],
                                                 {plots.output_label("adaptive LIF", o):
                                                  (plots.decision_trace(o), step_s)},
                                                 batch.targets[idx], out / "alif_train_examples.png")),
        "curve_png": str(plots.training_curve(result.history, None, out / "alif_training_curve.png",
                                              reference=None, ylabel="eval loss (MSE or cross-entropy)")),
    }
    last = result.history[-1]
    atomic_write_text(out / "result.json", json.dumps(
        {"cell": "alif", "task": task.name, "accuracy": last["accuracy"], "loss": last["loss"],
         "activity": last["activity"], "updates": result.updates, "converged": result.converged,
         "train_time_s": result.wall_time_s, "files": files}, indent=2) + "\n")
    files["result"] = str(out / "result.json")
    return files
