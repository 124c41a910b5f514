"""The adaptive LIF SRNN of Yin, Corradi & Bohté (2020) (``alif``) and its plain-LIF variant
with no threshold adaptation, beta = 0 (``plif``), trained directly on a task with surrogate
gradients in torch (:mod:`rate2spike.surrogate_models.alif`) and run equation-level in Brian2
(:mod:`rate2spike.brian_models.alif`). Both read the ``alif:`` config section
(:class:`~rate2spike.classifiers.kim_tasks.ALIFTaskConfig`); ``plif`` sets ``adaptive`` off."""
from __future__ import annotations

from pathlib import Path

from ...brian_models.alif import build_alif_network
from ...classifiers.kim_tasks import ALIFTaskConfig, task_output, train_alif_task
from ...exporters.nir_trained import alif_to_nir
from ...locking import folder_lock
from ...report import energy
from ...report.training_report import write_alif_task_report
from ...surrogate_models.alif import ALIFNet
from ...surrogate_models.alif_network import ALIFNetwork
from ...tasks import Task, TrialBatch, check_model_task
from ..base import Evaluation, EvaluationOptions, Family, register
from ..trained import evaluate_on_trials, example_traces, model_trainer, obtain_trained, seeded


def load_alif(path, task: Task) -> ALIFNetwork:
    """An adaptive (or plain) LIF SRNN artifact, checked against ``task``."""
    net = ALIFNetwork.load(path)
    check_model_task(net.meta.get("task", ""), net.n_inputs, task, path, "LIF SRNN model")
    return net


def train_and_write(cfg: ALIFTaskConfig, out: Path, progress: bool = True) -> tuple:
    """Train an adaptive (or plain) LIF SRNN on ``cfg.task``; write ``alif_model.npz``, its plots
    and ``result.json`` into ``out``. Returns (training result, written files)."""
    result = train_alif_task(cfg.validate(), progress=progress)
    with folder_lock(out):
        return result, write_alif_task_report(result, out)


def evaluate_alif(net: ALIFNetwork, task: Task, batch: TrialBatch, options: EvaluationOptions) -> Evaluation:
    """An adaptive (or plain) LIF SRNN in torch (float64) and in Brian2 (``options.brian_device``)."""
    step = net.step_s
    mode = task_output(net.n_outputs)
    summary, out_t = evaluate_on_trials(net, ALIFNet.from_network(net), task, batch,
                                        options.brian_device, mode, step)
    spikes = [a.numpy().mean(axis=0) for a in out_t.active_steps]
    kind = "adaptive LIF" if net.beta > 0 else "LIF"
    summary = {
        "label": f"{kind} SRNN {'+'.join(map(str, net.sizes))} "
                 f"({'recurrent' if net.recurrent else 'feedforward'}, {mode} output, "
                 f"{step * 1e3:g} ms steps)",
        **summary,
        "energy": energy.alif_energy(net, spikes, batch.inputs.shape[2], out_t.outputs.shape[2]),
        "activity": {f"Hz L{l}": float(a.mean()) / task.duration_s for l, a in enumerate(spikes)},
    }
    return Evaluation(summary, example_traces(out_t.outputs.numpy(), batch), step)


def _family(name: str, title: str, adaptive: bool, description: str) -> Family:
    family = None

    def obtain(source):
        return obtain_trained(family, source)

    family = Family(
        name=name, title=title, description=description, obtain=obtain, evaluate=evaluate_alif,
        energy_formula=energy.FORMULAS["alif"], model_file="alif_model.npz", load=load_alif,
        train_on_task=model_trainer(train_and_write),
        config_section="alif", config_class=ALIFTaskConfig, config_overrides={"adaptive": adaptive},
        network_type=ALIFNetwork, brian_build=build_alif_network, torch_model=ALIFNet.from_network,
        artifact_kind="alif_network", to_nir=alif_to_nir,
        example=lambda task: seeded(lambda: ALIFNet(task.n_inputs, [6], 1, adaptive=adaptive).to_network(
            {"task": task.name})))
    return register(family)


ALIF = _family("alif", "adaptive LIF", True, "Yin et al.'s adaptive LIF SRNN, trained directly "
               "with the 'alif:' section")
PLIF = _family("plif", "LIF SRNN", False, "the same SRNN with beta = 0 (plain LIF), 'alif:' section")
