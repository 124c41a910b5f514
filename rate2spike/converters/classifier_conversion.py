"""Convert a rate-RNN classifier to LIF (Kim et al. 2019) and choose lambda by its accuracy.

The mapping is Kim et al.'s: W_in and tau_d unchanged, W_rec and W_out divided by s = 1/lambda,
the LIF constants of :class:`~rate2spike.lif_models.LIFConstants`. A classifier has one readout
per class, ``o_k(t) = lambda W_out[k] . r(t)`` (r: each unit's spike train through its
double-exponential synapse, Hz): the simulator runs the net once per sample and the K class
traces are rebuilt from all its spikes (:func:`~rate2spike.lif_models.readout.readout_traces`,
sampled every rate step ``dt_s``). The class scores are the time averages of o_k over the
sample and the decision is their argmax, as for the rate net (:mod:`rate2spike.rate_models.
classifier`); lambda > 0 scales every score alike, so only W_rec's scaling matters.

Every s of the grid is scored on the same search samples with the same noise (common random
numbers); the best s (ties: the one nearest their median) then scores the test samples.

Example
-------
>>> res = convert_classifier(net, x_val, y_val, x_test, y_test, [20, 30, 40])  # doctest: +SKIP
>>> res["best_s"], res["test_accuracy"]                                         # doctest: +SKIP
(30.0, 0.95)
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from tqdm.auto import tqdm

from ..lif_models import LIFConstants, LIFNetwork
from ..lif_models.readout import readout_traces
from ..rate_models.classifier import RateClassifierNetwork
from ..rate_models.network import RateNetwork
from ..simulators import LIFSimulator, plan_runs
from ..validation import check_scales
from .conversion import default_scales
from .sweep import choose_best_s


def lif_view(net: RateClassifierNetwork, s: float, constants: LIFConstants | None = None) -> LIFNetwork:
    """The converted net as the simulator's :class:`LIFNetwork`. Its single built-in readout
    (class 0's weights) is not used: every class's output is rebuilt from the spikes."""
    rate = RateNetwork(net.W_rec, net.W_in, net.W_out[:1], np.zeros(1), net.tau_d_s, net.dale_sign,
                       task="classify", act=net.act, dt_s=net.dt_s, tau_min_s=net.tau_min_s,
                       tau_max_s=net.tau_max_s, noise_std=net.noise_std, dale=net.dale)
    return LIFNetwork(rate, s, constants or LIFConstants())


def class_scores(chunk, net: RateClassifierNetwork, constants: LIFConstants, n_steps: int) -> np.ndarray:
    """(trials, K) time-averaged outputs ``lambda W_out . r`` of the trials of one run chunk,
    r sampled every ``dt_s`` (the rate step) from the chunk's spikes."""
    every = max(1, int(round(net.dt_s / constants.readout_dt_s)))
    units = [chunk.rasters[int(t)][0] for t in chunk.trials]
    times = [chunk.rasters[int(t)][1] for t in chunk.trials]
    traces = readout_traces(units, times, net.n_units, net.tau_d_s, constants, n_steps, every)
    return np.einsum("kn,tn->tk", net.W_out, traces.mean(axis=2)) / chunk.s


def _run(sim, net, inputs, scales, constants, bar) -> dict:
    """{s: (scores (n, K), spike counts (n, N), simulation seconds)} of ``inputs`` at each s."""
    n, steps = len(inputs), inputs.shape[2]
    runs, _ = plan_runs(scales, n, sim.backend.model.n_copies, sim.concurrency)
    out = {s: [np.zeros((n, net.n_outputs)), np.zeros((n, net.n_units)), 0.0] for s in scales}
    for chunk in sim.run(inputs, runs, np.arange(n), range(n)):
        acc = out[chunk.s]
        acc[0][chunk.trials] = class_scores(chunk, net, constants, steps)
        acc[1][chunk.trials] = chunk.spike_counts
        acc[2] += chunk.sim_time_s
        bar.update(len(chunk.trials))
    return out


class ScaleScore(NamedTuple):
    """Accuracy at one s, in the shape :func:`~.sweep.choose_best_s` reads."""

    s: float
    accuracy: float


def convert_classifier(net: RateClassifierNetwork, search_inputs, search_labels, test_inputs,
                       test_labels, scales=None, device: str = "cpp_standalone", seed: int = 0,
                       constants: LIFConstants | None = None, progress: bool = True) -> dict:
    """Search s on (``search_inputs`` (n, channels, steps), ``search_labels``), then score
    ``test_inputs`` at the best s. Inputs are on the rate net's grid (one column per ``dt_s``).

    Returns scales, search_accuracy and search_rate_hz (mean firing rate) per s, best_s,
    test_accuracy, test_predictions (n_test,), spikes_per_unit (N,) mean spikes per test
    sample, firing_rate_hz, sim_time_per_sample_s (test samples, compile excluded),
    build_time_s, device and warnings.
    """
    c = constants or LIFConstants()
    scales = sorted(set(check_scales(list(scales) if scales else default_scales(net.act))))
    search_inputs, test_inputs = np.asarray(search_inputs, float), np.asarray(test_inputs, float)
    steps = search_inputs.shape[2]
    if test_inputs.shape[1:] != search_inputs.shape[1:]:
        raise ValueError(f"search inputs {search_inputs.shape[1:]} and test inputs "
                         f"{test_inputs.shape[1:]} differ in channels or steps")
    duration = steps * net.dt_s
    n_runs = len(scales) * len(search_inputs) + len(test_inputs)
    copies = min(200, max(len(search_inputs), len(test_inputs)))
    bar = tqdm(total=n_runs, desc=f"lambda search ({len(scales)} scales)", unit="sample",
               disable=not progress, dynamic_ncols=True)
    with LIFSimulator(lif_view(net, scales[0], c), steps, net.dt_s, copies, device, seed) as sim:
        found = _run(sim, net, search_inputs, scales, c, bar)
        accuracy = [float((found[s][0].argmax(1) == search_labels).mean()) for s in scales]
        best = choose_best_s([ScaleScore(s, a) for s, a in zip(scales, accuracy)], "middle")
        bar.set_description(f"test at s = {best:g}")
        test = _run(sim, net, test_inputs, [best], c, bar)[best]
        device_used, warnings, build = sim.device, sim.warnings, sim.build_time_s
    bar.close()
    predictions = test[0].argmax(1)
    return {"scales": scales, "search_accuracy": accuracy, "n_search": int(len(search_inputs)),
            "search_rate_hz": [float(found[s][1].mean() / duration) for s in scales],
            "best_s": float(best), "test_accuracy": float((predictions == test_labels).mean()),
            "n_test": int(len(test_inputs)), "test_predictions": predictions,
            "spikes_per_unit": test[1].mean(axis=0), "firing_rate_hz": float(test[1].mean() / duration),
            "sim_time_per_sample_s": test[2] / len(test_inputs), "build_time_s": float(build),
            "device": device_used, "warnings": warnings}
