"""``simulate``: run chosen trials of a converted LIF net, optionally with the reference's
artificial stimulation, and write spikes, recorded variables, outputs, figures and accuracy.

Data path: LIF artifact + task trials -> :func:`~rate2spike.simulators.simulate_lif` ->
:mod:`~rate2spike.report.simulate_report`.
"""
from __future__ import annotations

import time

import numpy as np

from ..errors import Rate2SpikeError
from ..lif_models import Lesion, LIFNetwork, Stimulation
from ..lif_models import lesion as apply_lesion
from ..locking import folder_lock
from ..report.simulate_report import write_simulation
from ..results import SimulationResult
from ..seeds import STREAMS, stream_seed
from ..simulators import DEVICES, TORCH_DTYPES, check_record, resolve_torch_device, simulate_lif
from ..tasks import first_trial_per_condition, get_task
from ..validation import check_choice, check_seed, check_trials
from .common import check_model_task, check_out_dir, check_trials_fit, default_out_dir

#: trial seed offset of simulate's trials (stream ``simulate_trials``, apart from the sweep's
#: and compare's)
SIMULATE_TRIAL_OFFSET = STREAMS["simulate_trials"]
RECORDABLE = ("v", "I_syn", "h", "r")


def _trials(task, n: int, condition: str | None, seed: int):
    """``n`` trials (all of ``condition`` if given), the first trial of each condition first."""
    if condition is not None and condition not in task.condition_names:
        raise Rate2SpikeError(f"--condition {condition!r} is not a condition of {task.name}; "
                              f"valid: {', '.join(task.condition_names)}")
    size = n
    while True:
        pool = task.generate(size, stream_seed("simulate_trials", seed))
        idx = (np.arange(len(pool)) if condition is None
               else np.flatnonzero(pool.conditions == condition))
        if len(idx) >= n:
            break
        size *= 2  # a condition's share is at least 1/4 on every task: a few doublings at most
    batch = pool.subset(idx[:n])
    first = first_trial_per_condition(batch.conditions)
    order = np.concatenate([first, np.setdiff1d(np.arange(len(batch)), first)])
    return batch.subset(order), np.arange(len(first))


#: the files simulate writes (it refuses a folder holding any of them unless forced)
SIMULATE_FILES = ("simulation.npz", "simulation.json", "report.md", "raster.png", "psth.png",
                  "outputs.png", "recorded.png")


def simulate(network, task: str | None = None, out=None, trials: int = 20,
             condition: str | None = None, stimulation: Stimulation | None = None, record=(),
             seed: int = 0, device: str = "cpp_standalone",
             progress: bool = True, force: bool = False,
             lesion: Lesion | None = None,
             torch_options: tuple = ("cpu", "float32")) -> SimulationResult:
    """Simulate ``trials`` trials of a converted net and write what happened.

    network : a :class:`~rate2spike.lif_models.LIFNetwork` or its artifact
        (``lif_network.npz`` from ``convert``); task : its task (default: the one it was
        trained on; another is an error); condition : only trials of this condition (e.g.
        ``go``); stimulation : a :class:`~rate2spike.lif_models.Stimulation` applied to every
        trial; record : variables among ``v``, ``I_syn``, ``h``, ``r`` recorded every readout
        interval (0.5 ms) for the first trial of each condition; seed : trials, noise and
        initial voltages; lesion : a :class:`~rate2spike.lif_models.Lesion` of the recurrent
        connections applied first (recorded in ``simulation.json``); torch_options : (torch
        device, dtype) of ``device="torch"``. Writes ``simulation.npz``
        (outputs, every spike, recordings), ``simulation.json``, ``report.md`` and figures
        (raster, PSTH of E and I units per condition, outputs, recordings) into ``out``
        (default ``runs/TASK-simulate-TIMESTAMP``). A folder that already holds any of these
        files (an earlier ``simulate``, or a ``convert`` folder's ``report.md``) is refused
        unless ``force``.

    Example
    -------
    >>> from rate2spike.lif_models import Stimulation
    >>> res = rate2spike.simulate("runs/gng-lif/lif_network.npz", trials=20,
    ...                           stimulation=Stimulation("inh", range(160, 200), (0.3, 0.6)),
    ...                           out="runs/gng-inh")                           # doctest: +SKIP
    >>> res.accuracy, res.per_condition, res.files["psth_png"]              # doctest: +SKIP
    """
    start = time.perf_counter()
    path = None
    if not isinstance(network, LIFNetwork):
        path, network = network, LIFNetwork.load(network)
    task_obj = get_task(task or network.rate.task)
    check_model_task(network.rate.task, network.rate.n_inputs, task_obj, path or "network",
                     "LIF network")
    trials = check_trials(trials, "--trials")
    check_seed(seed, "--seed")
    check_choice("--device", device, DEVICES)
    torch_device, torch_dtype = torch_options
    check_choice("--torch-dtype", torch_dtype, tuple(TORCH_DTYPES))
    if device == "torch":
        resolve_torch_device(torch_device)          # cuda without a GPU: refused before writing
    unknown = [v for v in record if v not in RECORDABLE]
    if unknown:
        raise Rate2SpikeError(f"--record {','.join(unknown)}: not a recordable variable; valid: "
                              f"{', '.join(RECORDABLE)}")
    if stimulation is not None:
        stimulation.check(network.n_units, task_obj.duration_s)
    if lesion is not None:
        network = apply_lesion(network, lesion)
    check_trials_fit(task_obj, trials, network.n_units, "simulate",
                     network.constants.readout_dt_s)
    batch, recorded = _trials(task_obj, trials, condition, seed)
    check_record(tuple(record), recorded, device, trials)
    out = check_out_dir(out if out else default_out_dir("simulate", task_obj.name))
    taken = [name for name in SIMULATE_FILES if (out / name).exists()]
    if taken and not force:
        raise Rate2SpikeError(f"--out {out} already holds {', '.join(taken)} (written by an earlier "
                              f"command); choose another --out, or pass --force to overwrite them")
    with folder_lock(out):
        sim = simulate_lif(network, batch.inputs, batch.dt_s, device=device, seed=seed,
                           raster_trials=range(trials), stimulation=stimulation,
                           record=tuple(record), record_trials=recorded,
                           progress=progress, torch_device=torch_device,
                           torch_dtype=torch_dtype)
        run = sim.runs[network.s]
        correct = task_obj.score(run.outputs, batch.labels, sim.readout_dt_s, "lif")
        result = SimulationResult(
            out, task_obj.name, network.s, trials, seed, sim.device, float(correct.mean()),
            {c: float(correct[batch.conditions == c].mean())
             for c in task_obj.condition_names if np.any(batch.conditions == c)},
            *run.mean_rates_hz(task_obj.duration_s, network.rate.dale_sign),
            stimulation.as_dict() if stimulation else None, run.sim_time_s, sim.build_time_s,
            lesion=network.meta.get("lesion"))
        result.files = write_simulation(result, network, task_obj, batch, run, correct,
                                        sim.readout_dt_s, stimulation, source=path)
        result.wall_time_s = time.perf_counter() - start
        return result
