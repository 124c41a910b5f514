"""``lesion``: how a converted net's accuracy falls as its recurrent connections are removed,
by kind (E->E, E->I, I->E, I->I, or all) and fraction, on the same held-out trials and noise
at every point (paired), with 95 % Wilson intervals.

Data path: LIF artifact -> :func:`~rate2spike.lif_models.lesion` per (kind, fraction) ->
:func:`~rate2spike.simulators.simulate_lif` (one compiled program for every point: the
lesioned nets share the shape) -> task scorer -> ``points/*.json`` (one file per point,
written atomically: a rerun of the same command skips the points done) -> ``lesion.json``,
``lesion.md``, ``lesion.png``.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from ..artifacts import atomic_write_text
from ..errors import Rate2SpikeError
from ..lif_models import CONNECTION_KINDS, Lesion, LIFNetwork, lesion
from ..locking import folder_lock
from ..report.lesion_report import write_lesion_report
from ..seeds import stream_seed
from ..simulators import simulate_lif
from ..statistics import wilson_interval
from ..tasks import get_task
from ..validation import check_seed, check_trials
from .common import check_out_dir, check_trials_fit, default_out_dir

DEFAULT_FRACTIONS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.8)


@dataclass
class LesionStudy:
    """The points (dicts: kind, fraction, accuracy, interval, rates, connections hit), the
    folder and the files written."""

    out_dir: Path
    points: list
    files: dict


def _check(kinds, fractions, factor):
    if not kinds or any(k not in CONNECTION_KINDS for k in kinds):
        raise Rate2SpikeError(f"--kinds {','.join(kinds) or '(none)'}: valid kinds are "
                              f"{', '.join(CONNECTION_KINDS)} (presynaptic type first)")
    if not fractions:
        raise Rate2SpikeError("--fractions is empty; give fractions in 0 ... 1, e.g. 0,0.2,0.5")
    for f in fractions:
        Lesion("all", f, factor)                         # its own range checks


def lesion_study(network, kinds=CONNECTION_KINDS, fractions=DEFAULT_FRACTIONS, trials: int = 100,
                 factor: float = 0.0, seed: int = 0, out=None, device: str = "cpp_standalone",
                 progress: bool = True) -> LesionStudy:
    """Score ``network`` (a :class:`~rate2spike.lif_models.LIFNetwork` or its ``.npz``) with
    each ``fraction`` of each kind of connection multiplied by ``factor`` (0: removed), on
    ``trials`` held-out trials (``simulate``'s trials of ``seed``; the same trials, noise and
    initial voltages at every point; lesion ``seed`` too). Fraction 0 is scored once.

    Example
    -------
    >>> res = lesion_study("runs/gng-lif/lif_network.npz", kinds=["IE", "EI"],
    ...                    fractions=[0, 0.2, 0.5], out="runs/gng-lesion")   # doctest: +SKIP
    >>> [(p["kind"], p["fraction"], p["accuracy"]) for p in res.points]      # doctest: +SKIP
    """
    kinds, fractions = list(kinds), sorted({float(f) for f in fractions})
    _check(kinds, fractions, factor)
    check_seed(seed, "--seed")
    trials = check_trials(trials, "--trials")
    source = None
    if not isinstance(network, LIFNetwork):
        source, network = str(network), LIFNetwork.load(network)
    task = get_task(network.rate.task)
    check_trials_fit(task, trials, network.n_units, "lesion", network.constants.readout_dt_s)
    out = check_out_dir(out if out else default_out_dir("lesion", task.name))
    options = {"network": source, "network_sha256": _fingerprint(network), "kinds": kinds,
               "fractions": fractions, "trials": trials, "factor": float(factor), "seed": seed,
               "device": device}
    batch = task.generate(trials, stream_seed("simulate_trials", seed))
    wanted = [("none", 0.0)] * (0.0 in fractions) + [(k, f) for k in kinds for f in fractions if f > 0]
    with folder_lock(out):
        _check_manifest(out, options)
        points = []
        for kind, fraction in tqdm(wanted, desc="lesions", unit="point", disable=not progress):
            path = out / "points" / f"{kind}_{fraction!r}.json"
            if path.is_file():
                points.append(json.loads(path.read_text()))
                continue
            spec = Lesion("all" if kind == "none" else kind, fraction, factor,
                          stream_seed("lesion_connections", seed))
            net = lesion(network, spec)
            run = simulate_lif(net, batch.inputs, batch.dt_s, device=device, seed=seed)
            sim = run.runs[net.s]
            correct = task.score(sim.outputs, batch.labels, run.readout_dt_s, "lif")
            rate_e, rate_i = sim.mean_rates_hz(task.duration_s, net.rate.dale_sign)
            point = {"kind": kind, "fraction": fraction, "factor": float(factor),
                     "connections_hit": net.meta["lesion"]["connections_hit"],
                     "accuracy": float(correct.mean()), "correct": int(correct.sum()),
                     "trials": trials, "interval": list(wilson_interval(int(correct.sum()), trials)),
                     "rate_E_hz": rate_e, "rate_I_hz": rate_i}
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(path, json.dumps(point, indent=2) + "\n")
            points.append(point)
        files = write_lesion_report(out, points, options, task.name, network.s)
    return LesionStudy(out, points, files)


def _fingerprint(network: LIFNetwork) -> str:
    """sha256 of what the points depend on: the weights, tau_d, s, constants and readout."""
    digest = hashlib.sha256()
    rate = network.rate
    for array in (rate.W_rec, rate.W_in, rate.W_out, rate.tau_d_s, rate.dale_sign,
                  network.readout_weights_s):
        digest.update(np.ascontiguousarray(array, dtype=float).tobytes())
    digest.update(repr((network.s, network.readout_offset, asdict(network.constants))).encode())
    return digest.hexdigest()


def _check_manifest(out: Path, options: dict) -> None:
    path = out / "lesion_options.json"
    if path.is_file():
        old = json.loads(path.read_text())
        ignore = {"network"}                            # the same net by another path is fine
        new = {k: v for k, v in json.loads(json.dumps(options)).items() if k not in ignore}
        if {k: v for k, v in old.items() if k not in ignore} != new:
            changed = sorted(k for k in new if old.get(k) != new[k])
            raise Rate2SpikeError(f"{out} holds a lesion study with other options ({', '.join(changed)}"
                                  f" differ); rerun it with the same options, or use another --out")
        return
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(options, indent=2) + "\n")


__all__ = ["lesion_study", "LesionStudy", "DEFAULT_FRACTIONS"]
