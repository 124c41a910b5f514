"""The surrogate-gradient LIF classifier of De Geeter et al. (2023) (their LIF baseline):
feedforward LIF layers and the frozen class readout, trained on datasets with
``rate2spike train-snn --cell lif`` (:mod:`rate2spike.surrogate_models.lif`) and run
equation-level in Brian2 (:mod:`rate2spike.brian_models.surrogate_lif`). It is not trained on
the Kim tasks: ``compare`` takes one only as a file (``--model slif=FILE``)."""
from __future__ import annotations

from ...brian_models.surrogate_lif import build_lif_classifier_network
from ...errors import Rate2SpikeError
from ...exporters.nir_trained import slif_to_nir
from ...report import energy
from ...surrogate_models.lif import LIFClassifier
from ...surrogate_models.network import SurrogateLIFNetwork
from ...tasks import Task, TrialBatch, check_model_task
from ..base import Evaluation, EvaluationOptions, Family, register
from ..trained import evaluate_on_trials, example_traces, seeded


def load_slif(path, task: Task) -> SurrogateLIFNetwork:
    """A LIF classifier artifact, checked against ``task``."""
    net = SurrogateLIFNetwork.load(path)
    check_model_task(net.meta.get("task", ""), net.n_inputs, task, path, "LIF classifier")
    return net


def obtain_slif(source) -> SurrogateLIFNetwork:
    net = source.given_network("slif")
    if net is None:
        raise Rate2SpikeError("the surrogate LIF classifier (slif) is not trained on the Kim tasks; "
                              "give a model file with --model slif=FILE or leave slif out")
    return net


def evaluate_slif(net: SurrogateLIFNetwork, task: Task, batch: TrialBatch,
                  options: EvaluationOptions) -> Evaluation:
    """The classifier in torch (float64) and in Brian2, scored by the argmax of its class
    integrators at the last step."""
    summary, out_t = evaluate_on_trials(net, LIFClassifier.from_network(net), task, batch,
                                        options.brian_device, "classify", net.step_s)
    spikes = [a.numpy().mean(axis=0) for a in out_t.active_steps]
    weights = [layer.W for layer in net.layers] + [net.W_out]
    e = energy.classifier_energy("lif", weights, None, spikes, batch.inputs.shape[2], True)
    summary = {"label": f"LIF classifier {'+'.join(map(str, net.sizes))} ({net.step_s * 1e3:g} ms steps)",
               **summary, "energy": e,
               "activity": {f"Hz L{l}": float(a.mean()) / task.duration_s for l, a in enumerate(spikes)}}
    return Evaluation(summary, example_traces(out_t.outputs.numpy(), batch), net.step_s)


FAMILY = register(Family(
    name="slif", title="LIF classifier", description="De Geeter et al.'s surrogate-gradient LIF "
    "classifier (from 'train-snn --cell lif'; a file only)", obtain=obtain_slif,
    evaluate=evaluate_slif, energy_formula=energy.CLASSIFIER_FORMULAS["input_graded"] + " + "
    + energy.CLASSIFIER_FORMULAS["lif"], model_file="model.npz", load=load_slif,
    network_type=SurrogateLIFNetwork, brian_build=build_lif_classifier_network,
    torch_model=LIFClassifier.from_network, artifact_kind="surrogate_lif_network", to_nir=slif_to_nir,
    example=lambda task: seeded(lambda: LIFClassifier(task.n_inputs, [4, 10 * task.n_classes],
                                                      task.n_classes).to_network({"task": task.name}))))
