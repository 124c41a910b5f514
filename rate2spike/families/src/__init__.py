"""The Spiking Recurrent Cell net of De Geeter et al. (2023), trained directly on a task with
BPTT in torch (:mod:`rate2spike.src_models`) and run equation-level in Brian2
(:mod:`rate2spike.brian_models.src`). Its options are the ``src:`` config section
(:class:`~rate2spike.src_models.training.SRCTrainConfig`)."""
from __future__ import annotations

from pathlib import Path

from ...brian_models.src import build_src_network
from ...exporters.nir_trained import src_to_nir
from ...locking import folder_lock
from ...report import energy
from ...report.training_report import write_src_training_report
from ...src_models.cell import SRCNet
from ...src_models.network import SRCNetwork
from ...src_models.training import SRCTrainConfig, train_src_model
from ...tasks import Task, TrialBatch, check_model_task
from ..base import Evaluation, EvaluationOptions, Family, register
from ..trained import evaluate_on_trials, example_traces, model_trainer, obtain_trained, seeded


def load_src(path, task: Task) -> SRCNetwork:
    """An SRC artifact, checked against ``task``."""
    net = SRCNetwork.load(path)
    check_model_task(net.task, net.n_inputs, task, path, "SRC model")
    return net


def train_and_write(cfg: SRCTrainConfig, out: Path, progress: bool = True) -> tuple:
    """Train an SRC net on ``cfg.task``; write ``src_model.npz`` and its plots into ``out``.
    Returns (training result, written files)."""
    result = train_src_model(cfg, progress=progress)
    with folder_lock(out):
        return result, write_src_training_report(result, out)


def evaluate_src(src: SRCNetwork, task: Task, batch: TrialBatch, options: EvaluationOptions) -> Evaluation:
    """The SRC net in torch (float64) and in Brian2 (``options.brian_device``)."""
    step = src.constants.step_s
    model = SRCNet.from_network(src)
    summary, out_t = evaluate_on_trials(src, model, task, batch, options.brian_device, src.readout, step)
    n_steps = out_t.outputs.shape[2]
    active = [a.numpy().mean(axis=0) for a in out_t.active_steps]
    summary = {
        "label": f"SRC {'+'.join(map(str, src.sizes))} "
                 f"({'recurrent' if any(l.recurrent for l in src.layers) else 'feedforward'}, "
                 f"{src.readout} readout, {step * 1e3:g} ms steps)",
        **summary,
        "energy": energy.src_energy(src, active, batch.inputs.shape[2]),
        "activity": {f"T(s) L{l}": float(a.mean()) / n_steps for l, a in enumerate(active)},
    }
    return Evaluation(summary, example_traces(out_t.outputs.numpy(), batch), step)


FAMILY = register(Family(
    name="src", title="SRC", description="Spiking Recurrent Cell net (De Geeter et al. 2023), trained "
    "directly with the 'src:' section", obtain=lambda source: obtain_trained(FAMILY, source),
    evaluate=evaluate_src, energy_formula=energy.FORMULAS["src"], model_file="src_model.npz",
    load=load_src, train_on_task=model_trainer(train_and_write),
    config_section="src", config_class=SRCTrainConfig, network_type=SRCNetwork,
    brian_build=build_src_network, torch_model=SRCNet.from_network, artifact_kind="src_network",
    to_nir=src_to_nir,
    example=lambda task: seeded(lambda: SRCNet(task.n_inputs, [6]).to_network({"task": task.name}))))
