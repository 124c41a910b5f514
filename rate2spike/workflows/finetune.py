"""``finetune``: train a converted LIF net further as a spiking net, and measure it back at the
model's own time step before and after (:mod:`rate2spike.converters.finetune`)."""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass

from ..converters.finetune import FinetuneConfig, check_train_step
from ..converters.finetune_training import finetune
from ..errors import Rate2SpikeError
from ..lif_models import LIFNetwork
from ..locking import folder_lock
from ..report.finetune_report import write_finetune_report
from ..seeds import stream_seed
from ..simulators import DEVICES, simulate_lif
from ..statistics import wilson_interval
from ..tasks import get_task, per_condition_accuracy
from ..validation import check_choice, check_scale, check_trials
from .common import check_out_dir, check_training_fits, check_trials_fit, default_out_dir

#: what finetune writes (a folder holding its summary is refused unless resumed)
SUMMARY = "finetune.json"
STATE = "finetune_state.pt"


@dataclass
class FinetuneResult:
    """Before and after, measured at the model's step on the same held-out trials: each a dict
    of accuracy, its 95 % Wilson interval, per-condition accuracy and the mean E / I rates (Hz);
    the training (updates, wall time, torch accuracies) and the written files."""

    out_dir: object
    s: float
    trials: int
    device: str
    before: dict
    after: dict
    training: dict
    files: dict
    wall_time_s: float


def measure(lif: LIFNetwork, task, batch, device: str, seed: int) -> dict:
    """Accuracy (with its Wilson interval) and mean E / I rates of ``lif`` on ``batch``."""
    sim = simulate_lif(lif, batch.inputs, batch.dt_s, device=device, seed=seed)
    run = sim.runs[lif.s]
    ok = task.score(run.outputs, batch.labels, sim.readout_dt_s, "lif")
    rate_e, rate_i = run.mean_rates_hz(task.duration_s, lif.rate.dale_sign)
    low, high = wilson_interval(int(ok.sum()), len(ok))
    return {"accuracy": float(ok.mean()), "ci95": [low, high],
            "per_condition": per_condition_accuracy(ok, batch.conditions, task.condition_names),
            "rate_E_hz": rate_e, "rate_I_hz": rate_i, "device": sim.device}


def finetune_net(network, out=None, config: FinetuneConfig | None = None, scale=None,
                 trials: int = 200, device: str = "cpp_standalone", resume: bool = False,
                 progress: bool = True) -> FinetuneResult:
    """Fine-tune a converted net (a :class:`~rate2spike.lif_models.LIFNetwork` or its
    ``lif_network.npz``), at its own s or at ``scale`` (its rate net converted there), with
    ``config``; measure it before and after on ``trials`` held-out trials on ``device`` (the
    model's own 0.05 ms step); write the tuned ``lif_network.npz``, ``finetune.json``,
    ``finetune.md`` and ``finetune_loss.png`` into ``out``. ``resume`` continues an
    interrupted run in ``out`` (same options).

    Example
    -------
    >>> res = rate2spike.finetune_net("runs/gng/lif_network.npz", "runs/gng-ft", scale=45,
    ...                               config=rate2spike.FinetuneConfig(updates=40))  # doctest: +SKIP
    >>> res.before["accuracy"], res.after["accuracy"]                          # doctest: +SKIP
    """
    start = time.perf_counter()
    cfg = (config or FinetuneConfig()).validate()
    if not isinstance(network, LIFNetwork):
        network = LIFNetwork.load(network)
    if scale is not None:
        network = LIFNetwork(network.rate, check_scale(scale, "--scale"), network.constants,
                             network.meta)
    task = get_task(network.rate.task)
    check_train_step(cfg.train_dt_s, task)
    trials = check_trials(trials, "--trials")
    check_choice("--device", device, DEVICES)
    check_trials_fit(task, trials, network.n_units, "finetune", network.constants.readout_dt_s)
    n, steps = network.n_units, task.n_steps * int(round(task.dt_s / cfg.train_dt_s))
    # BPTT keeps ~22 float32 tensors of N per trial and step (measured: 2.8 GB for 16 trials of
    # 10,000 steps at N = 200), i.e. two float64 "states" of N in the shared estimate
    check_training_fits(f"finetune with --batch-size {cfg.batch_size:,} at a "
                        f"{cfg.train_dt_s * 1e3:g} ms step", n * (n + network.rate.n_inputs + 1),
                        cfg.batch_size, steps, 2 * n)
    out = check_out_dir(out if out else default_out_dir("finetune", task.name))
    if (out / SUMMARY).exists() or ((out / STATE).exists() and not resume):
        raise Rate2SpikeError(f"--out {out} already holds a fine-tuning run; choose another --out"
                              + ("" if (out / SUMMARY).exists() else ", or pass --resume"))
    if resume and not (out / STATE).exists():
        raise Rate2SpikeError(f"--resume: {out} holds no interrupted fine-tuning ({STATE})")
    with folder_lock(out):
        batch = task.generate(trials, stream_seed("finetune_evaluation", cfg.seed))
        before = measure(network, task, batch, device, cfg.seed)
        tuned, record = finetune(network, task, cfg, out / STATE, progress)
        after = measure(tuned, task, batch, device, cfg.seed)
        training = {"config": asdict(cfg), "updates": record.updates,
                    "converged": record.converged, "wall_time_s": record.wall_time_s,
                    "history": record.history}
        result = FinetuneResult(out, network.s, trials, after["device"], before, after, training,
                                {}, time.perf_counter() - start)
        result.files = write_finetune_report(result, tuned, task.name)
        (out / STATE).unlink(missing_ok=True)
        return result
