"""The rate RNN of Kim, Li & Sejnowski (2019), trained in torch: the source of every converted
net. ``compare`` gets it from the conversion pipeline (the file given with ``--rate-model``, a
``.npz`` of ``rate2spike train`` or the authors' ``.mat``, or one trained with the ``train:``
section) and runs it in torch on the shared trials."""
from __future__ import annotations

from pathlib import Path

from ...rate_models.authors_mat import load_authors_mat
from ...rate_models.network import RateNetwork
from ...report import energy
from ...tasks import Task, TrialBatch, check_model_task, first_trial_per_condition, per_condition_accuracy
from ..base import Evaluation, EvaluationOptions, Family, register
from ..trained import timed


def load_rate(path, task: Task) -> RateNetwork:
    """A rate model checked against ``task``: this project's ``.npz`` artifact or, for a ``.mat``
    file, a model saved by the authors' TensorFlow code
    (:func:`~rate2spike.rate_models.authors_mat.load_authors_mat`). Its path is recorded as
    ``meta['source']``."""
    if Path(path).suffix.lower() == ".mat":
        net = load_authors_mat(path, task.name)
    else:
        net = RateNetwork.load(path)
    check_model_task(net.task, net.n_inputs, task, path)
    net.meta.setdefault("source", str(path))
    return net


def evaluate_rate(rate: RateNetwork, task: Task, batch: TrialBatch, options: EvaluationOptions) -> Evaluation:
    """The rate net in torch on ``batch`` (its noise seeded by ``options.seed``), scored by the
    task's rate rule."""
    (rate_o, rate_r), t = timed(lambda: rate.run(batch.inputs, options.seed))
    ok = task.score(rate_o, batch.labels, task.dt_s, window="rate")
    summary = {"label": f"rate RNN ({rate.n_units} units, {rate.act})", "simulator": "torch",
               "accuracy": float(ok.mean()),
               "per_condition": per_condition_accuracy(ok, batch.conditions, task.condition_names),
               "time_per_trial_s": {"torch": t / len(batch)},
               "energy": energy.rate_energy(rate.W_in, rate.W_rec, rate.W_out, batch.inputs.shape[2]),
               "activity": {"mean r": float(rate_r.mean())}}
    return Evaluation(summary, rate_o[first_trial_per_condition(batch.conditions)], task.dt_s)


FAMILY = register(Family(
    name="rate", title="rate", description="Kim et al.'s rate RNN (torch), the converted nets' source",
    obtain=lambda source: source.rate_network(), evaluate=evaluate_rate,
    energy_formula=energy.FORMULAS["rate"], model_file="rate_model.npz", load=load_rate))
