"""``nir-check``: run a portable NIR graph inside Norse and snnTorch (through their own NIR
importers) and in rate2spike, on the same held-out trials of the graph's task, and score each
with the task's scorer; optionally beside the original LIF net simulated in Brian2.

Data path: graph file -> ``nir.read`` -> task trials (seeded) -> each client's spikes ->
readout from the spikes (:func:`~rate2spike.exporters.nir_portable.readout_from_spikes`) ->
task scorer -> accuracy with a Wilson interval.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..errors import Rate2SpikeError
from ..exporters.nir_clients import CLIENTS, check_portable, require_clients, run_in
from ..exporters.nir_export import read_graph
from ..exporters.nir_portable import portable_inputs, readout_from_spikes
from ..seeds import stream_seed
from ..statistics import wilson_interval
from ..tasks import get_task
from ..validation import check_seed

#: trials simulated at once (bounds the memory: spikes of 10 Go/NoGo trials are ~80 MB)
CHUNK_TRIALS = 10


@dataclass
class ClientScore:
    """One simulator's result on the shared trials: accuracy with its 95 % Wilson interval,
    mean spikes per trial and wall time (s, loading included)."""

    client: str
    accuracy: float
    interval: tuple
    spikes_per_trial: float
    seconds: float


def _read_graph(path):
    graph = read_graph(path, "give a graph written by 'rate2spike export LIF_NETWORK --format nir'")
    if "profile" not in graph.metadata or "task" not in graph.metadata:
        raise Rate2SpikeError(f"{path} is not a portable rate2spike graph; export it with "
                              f"--nir-profile portable (the default)")
    check_portable(graph)
    return graph


def nir_check(graph_path, clients=("rate2spike", "norse", "snntorch"), trials: int = 100,
              seed: int = 0, network=None, progress: bool = False) -> list:
    """Score the portable graph at ``graph_path`` in each of ``clients`` on ``trials`` held-out
    trials (stream ``nir_check_trials`` of ``seed``); with ``network`` (the LIF net or its
    ``.npz``) also rate2spike's Brian2 simulation of it (noise, refractory period and all) on
    the same trials, as client ``brian2``. Returns one :class:`ClientScore` per client.

    Example
    -------
    >>> for s in nir_check("gonogo_lif.nir", ["norse", "snntorch"]):      # doctest: +SKIP
    ...     print(s.client, f"{s.accuracy:.0%}")
    norse 100%
    snntorch 100%
    """
    check_seed(seed, "--seed")
    if isinstance(trials, bool) or not isinstance(trials, int) or not 1 <= trials <= 100_000:
        raise Rate2SpikeError(f"--trials must be a whole number in 1 ... 100000, got {trials!r}")
    unknown = [c for c in clients if c not in CLIENTS]
    if unknown or not clients:
        raise Rate2SpikeError(f"--with {','.join(unknown) or '(none)'}: valid clients are "
                              f"{', '.join(CLIENTS)}")
    graph = _read_graph(graph_path)
    meta = graph.metadata
    task = get_task(str(meta["task"]))
    require_clients(clients)                          # a missing library before any work
    if network is not None:
        network = _matching_net(network, meta, task)
    batch = task.generate(trials, stream_seed("nir_check_trials", seed))
    dt_s = float(meta["dt_s"])
    hold = int(round(batch.dt_s / dt_s))
    if not np.isclose(hold * dt_s, batch.dt_s):
        raise Rate2SpikeError(f"the graph's step {dt_s} s does not divide the task's {batch.dt_s} s")
    stride = max(1, int(round(float(meta["readout"].get("sample_every_s", 5e-4)) / dt_s)))
    scores = []
    for client in clients:
        start, correct, spikes = time.perf_counter(), [], 0.0
        for first in range(0, trials, CHUNK_TRIALS):
            part = slice(first, min(first + CHUNK_TRIALS, trials))
            inputs = portable_inputs(np.repeat(batch.inputs[part], hold, axis=2))
            chunk = run_in(client, graph, inputs)
            outputs = readout_from_spikes(chunk, meta, stride)
            correct.append(task.score(outputs, batch.labels[part], stride * dt_s, window="lif"))
            spikes += float(chunk.sum())
        correct = np.concatenate(correct)
        scores.append(ClientScore(client, float(correct.mean()),
                                  wilson_interval(int(correct.sum()), trials),
                                  spikes / trials, time.perf_counter() - start))
    if network is not None:
        scores.append(_brian2_score(network, task, batch, seed, progress))
    return scores


def _matching_net(network, meta: dict, task):
    from ..lif_models import LIFNetwork

    if not isinstance(network, LIFNetwork):
        network = LIFNetwork.load(network)
    if network.rate.task != task.name:
        raise Rate2SpikeError(f"--net is a {network.rate.task} net but the graph's task is "
                              f"{task.name}")
    n_graph = len(np.asarray(meta["readout"]["tau_d_s"]))
    if network.n_units != n_graph or not np.isclose(network.s, float(meta["scale_s"])):
        raise Rate2SpikeError(f"--net has {network.n_units} units at s = {network.s:g}, the graph "
                              f"{n_graph} units at s = {float(meta['scale_s']):g}: not the net it was "
                              f"exported from")
    return network


def _brian2_score(network, task, batch, seed: int, progress: bool) -> ClientScore:
    from ..simulators.lif import simulate_lif

    start = time.perf_counter()
    sim = simulate_lif(network, batch.inputs, batch.dt_s, seed=seed, progress=progress)
    run = sim.runs[network.s]
    correct = task.score(run.outputs, batch.labels, sim.readout_dt_s, window="lif")
    return ClientScore("brian2", float(correct.mean()), wilson_interval(int(correct.sum()), len(batch)),
                       float(run.spike_counts.sum() / len(batch)), time.perf_counter() - start)
