"""The converted net's own kind of spiking net trained directly (beyond the papers): Kim et
al.'s LIF units with double-exponential synapses, refractory period and Dale's principle,
trained from Kim et al.'s rate-net initialisation by surrogate-gradient BPTT
(:mod:`.training`), then run in Brian2 exactly as a converted net is. In ``compare`` beside
``lif``, it tells what conversion costs or gains against training the same dynamics directly.
Its options are the ``dlif:`` config section (:class:`.training.DaleLIFTrainConfig`)."""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from ...artifacts import atomic_write_text
from ...errors import ArtifactError
from ...lif_models import LIFNetwork
from ...locking import folder_lock
from ...report import energy, plots
from ...report.tables import write_json
from ...tasks import Task, TrialBatch, check_model_task
from ..base import Evaluation, EvaluationOptions, Family, register
from ..lif_evaluation import evaluate_lif_network
from ..trained import model_trainer, obtain_trained
from .training import DaleLIFTrainConfig, initial_network, train_dale_lif

MODEL_FILE = "dlif_model.npz"
#: the training state saved at every evaluation, for a resume
STATE_FILE = "dlif_state.pt"


def load_dlif(path, task: Task) -> LIFNetwork:
    """A trained Dale LIF net (a LIF-network artifact), checked against ``task``."""
    net = LIFNetwork.load(path)
    if net.meta.get("family") != "dlif":
        raise ArtifactError(f"{path} is a LIF network but not one trained directly (dlif); a "
                            f"converted net is compared as family 'lif'")
    check_model_task(net.rate.task, net.rate.n_inputs, task, path, "Dale LIF model")
    return net


def train_and_write(cfg: DaleLIFTrainConfig, out: Path, progress: bool = True) -> tuple:
    """Train a Dale LIF net on ``cfg.task`` into ``out`` (resumable from ``dlif_state.pt``,
    removed once the model is written); write ``dlif_model.npz``, ``dlif_training.json`` and
    ``dlif_training_curve.png``. Returns (training record, written files)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with folder_lock(out):
        net, record = train_dale_lif(cfg, out / STATE_FILE, progress)
        files = {"model": str(net.save(out / Path(MODEL_FILE).stem))}
        (out / STATE_FILE).unlink(missing_ok=True)
        files["json"] = write_json(out / "dlif_training.json", {
            "config": asdict(cfg), "updates": record.updates, "wall_time_s": record.wall_time_s,
            "history": record.history})
        if record.history:
            files["curve"] = str(plots.training_curve(record.history, None,
                                                      out / "dlif_training_curve.png",
                                                      reference=None, ylabel="MSE to the target"))
        last = record.history[-1] if record.history else {}
        atomic_write_text(out / "dlif_training.md", "\n".join([
            f"# Dale LIF net trained directly on {cfg.task}", "",
            f"- {cfg.units} units, s = {cfg.s:g}, {record.updates} updates of {cfg.batch_size} "
            f"trials at a {cfg.train_dt_s * 1e3:g} ms step, lr {cfg.lr:g} (relative), "
            f"{record.wall_time_s:.0f} s.",
            f"- Last torch evaluation ({cfg.eval_trials} trials, training step): accuracy "
            f"{last.get('accuracy', float('nan')):.1%}, MSE {last.get('loss', float('nan')):.4f}.",
            "- The accuracy that counts is measured in Brian2 at 0.05 ms (`rate2spike compare "
            "--families dlif ...`)."]) + "\n")
    return record, files


def evaluate_dlif(net: LIFNetwork, task: Task, batch: TrialBatch, options: EvaluationOptions) -> Evaluation:
    """The trained net on ``batch``, simulated as a converted net is (:mod:`..lif_evaluation`)."""
    label = f"Dale LIF trained directly ({net.n_units} units, s = {net.s:g})"
    return evaluate_lif_network(net, task, batch, options, label,
                                {"updates": net.meta.get("updates"),
                                 "wall_time_s": net.meta.get("train_wall_time_s")})


FAMILY = register(Family(
    name="dlif", title="Dale LIF", description="the converted net's LIF neuron and double-"
    "exponential synapses with Dale's principle, trained directly (surrogate BPTT) with the "
    "'dlif:' section", obtain=lambda source: obtain_trained(FAMILY, source),
    evaluate=evaluate_dlif, energy_formula=energy.FORMULAS["lif"], model_file=MODEL_FILE,
    load=load_dlif, train_on_task=model_trainer(train_and_write), config_section="dlif",
    config_class=DaleLIFTrainConfig,
    example=lambda task: initial_network(DaleLIFTrainConfig(task=task.name, units=8))))
