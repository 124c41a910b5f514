"""The LIF net converted from the rate RNN (Kim et al. 2019): W_rec and W_out scaled by
lambda = 1/s, simulated equation-level in Brian2. ``compare`` gets it from the conversion
pipeline (the lambda search of ``convert``, or the given ``--scale``) and scores it by the task's
LIF rule."""
from __future__ import annotations

from ...lif_models import LIFNetwork
from ...report import energy
from ...tasks import Task, TrialBatch
from ..base import Evaluation, EvaluationOptions, Family, register
from ..lif_evaluation import evaluate_lif_network


def evaluate_lif(lif: LIFNetwork, task: Task, batch: TrialBatch, options: EvaluationOptions) -> Evaluation:
    """The LIF net at its s on ``batch`` (device and noise seed from ``options``)."""
    label = (f"converted LIF (s = {lif.s:g}, λ = {1 / lif.s:.4g}"
             + (f", {lif.readout.method} readout)" if lif.readout else ")"))
    return evaluate_lif_network(lif, task, batch, options, label,
                                {"updates": 0, "wall_time_s": None})     # the lambda search only


FAMILY = register(Family(
    name="lif", title="LIF", description="the rate net converted to LIF (Brian2), s searched or given",
    obtain=lambda source: source.converted_network(), evaluate=evaluate_lif,
    energy_formula=energy.FORMULAS["lif"]))
