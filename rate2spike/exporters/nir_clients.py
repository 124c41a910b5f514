"""Run a portable NIR graph (:mod:`.nir_portable`) in the tools users run: Norse and snnTorch,
each through its own NIR importer, and in rate2spike's own NumPy version of the same steps.

Norse and snnTorch are optional (``pip install "rate2spike[nir-clients]"``); each is imported
only when asked for. Every runner takes the graph and its input (steps, trials, channels:
:func:`~.nir_portable.portable_inputs`) and returns the spikes (steps, trials, N) as 0/1.
"""
from __future__ import annotations

import contextlib
import io
import logging
import warnings

import numpy as np

from ..errors import Rate2SpikeError
from .nir_portable import PORTABLE_DT_S

#: the simulators a portable graph can be run in
CLIENTS = ("rate2spike", "norse", "snntorch")


def _require(module: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise Rate2SpikeError(f"{module.split('.')[0]} is not installed ({exc}); install the NIR "
                              f"clients with: pip install \"rate2spike[nir-clients]\"") from None


def _step_through(model, inputs: np.ndarray) -> np.ndarray:
    torch = _require("torch")
    x = torch.as_tensor(inputs, dtype=torch.float32)
    state, spikes = None, []
    with torch.no_grad():
        for step in range(x.shape[0]):
            out, state = model(x[step], state)
            spikes.append(out.detach().numpy().copy())
    return np.stack(spikes)


def run_norse(graph, inputs: np.ndarray) -> np.ndarray:
    """Spikes of ``graph`` in Norse (``norse.torch.from_nir`` at the graph's step)."""
    norse = _require("norse.torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = norse.from_nir(graph, dt=float(graph.metadata["dt_s"]))
    return _step_through(model, inputs)


def run_snntorch(graph, inputs: np.ndarray) -> np.ndarray:
    """Spikes of ``graph`` in snnTorch (``snntorch.import_nir.import_from_nir``, whose 1.0.0
    release simulates every graph at 0.1 ms; other steps are refused)."""
    importer = _require("snntorch.import_nir")
    utils = _require("snntorch.utils")
    dt_s = float(graph.metadata["dt_s"])
    if not np.isclose(dt_s, PORTABLE_DT_S, rtol=1e-9, atol=0):
        raise Rate2SpikeError(f"snnTorch's NIR importer simulates at {PORTABLE_DT_S} s per step; "
                              f"this graph was written for {dt_s} s (export it with the default step)")
    quiet = logging.getLogger().manager.disable
    logging.disable(logging.WARNING)
    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = importer.import_from_nir(graph)     # it prints its progress
    finally:
        logging.disable(quiet)
    utils.reset(model)                                  # the neurons keep their state inside
    return _step_through(model, inputs)


def run_numpy(graph, inputs: np.ndarray) -> np.ndarray:
    """Spikes of ``graph`` by rate2spike's NumPy version of the consumers' step (the equations
    of :mod:`.nir_portable`), in float64: J <- (1 - dt/tau_syn) J + (dt w_in / tau_syn) x,
    v <- v + dt/tau_mem (-v + r J), spike if v > v_threshold, then v <- 0."""
    nodes, dt_s = graph.nodes, float(graph.metadata["dt_s"])
    lif = nodes["lif"]
    w_in = np.asarray(nodes["input_linear"].weight, float)
    w_loop = np.asarray(nodes["recurrent_relay"].weight, float) @ np.asarray(
        nodes["recurrent_linear"].weight, float)
    syn, mem = dt_s / np.asarray(lif.tau_syn, float), dt_s / np.asarray(lif.tau_mem, float)
    gain_in, r, threshold = np.asarray(lif.w_in, float), np.asarray(lif.r, float), \
        np.asarray(lif.v_threshold, float)
    n_steps, n_trials, _ = inputs.shape
    n = len(syn)
    current, v, z = np.zeros((n_trials, n)), np.zeros((n_trials, n)), np.zeros((n_trials, n))
    spikes = np.zeros((n_steps, n_trials, n), dtype=np.float32)
    for step in range(n_steps):
        x = np.asarray(inputs[step], float) @ w_in.T + z @ w_loop.T
        current = current + syn * (gain_in * x - current)
        v = v + mem * (r * current - v)
        z = (v > threshold).astype(float)
        v = np.where(z > 0, 0.0, v)
        spikes[step] = z
    return spikes


RUNNERS = {"rate2spike": run_numpy, "norse": run_norse, "snntorch": run_snntorch}

#: the module each client needs
CLIENT_MODULES = {"norse": "norse.torch", "snntorch": "snntorch.import_nir"}


def require_clients(clients) -> None:
    """Refuse an unknown client, or one whose library is not installed, before any work."""
    for client in clients:
        if client not in RUNNERS:
            raise Rate2SpikeError(f"unknown NIR client {client!r}; valid: {', '.join(CLIENTS)}")
        if client in CLIENT_MODULES:
            _require(CLIENT_MODULES[client])


def run_in(client: str, graph, inputs: np.ndarray) -> np.ndarray:
    """Spikes (steps, trials, N) of ``graph`` on ``inputs`` simulated by ``client``."""
    if client not in RUNNERS:
        raise Rate2SpikeError(f"unknown NIR client {client!r}; valid: {', '.join(CLIENTS)}")
    check_portable(graph, inputs)
    return RUNNERS[client](graph, inputs)


PORTABLE_NODES = {"input": "Input", "input_linear": "Linear", "lif": "CubaLIF",
                  "recurrent_linear": "Linear", "recurrent_relay": "Linear", "output": "Output"}


def check_portable(graph, inputs=None) -> None:
    """Refuse a graph that is not a portable rate2spike graph (other nodes or node types), or
    whose shapes do not chain (input -> N units -> N x N loop), naming what is wrong."""
    if "profile" not in graph.metadata:
        raise Rate2SpikeError("this is not a portable rate2spike NIR graph (no 'profile' in its "
                              "metadata); export it with --nir-profile portable")
    found = {name: type(node).__name__ for name, node in graph.nodes.items()}
    if found != PORTABLE_NODES:
        raise Rate2SpikeError(f"the portable graph must have the nodes {PORTABLE_NODES}; this one "
                              f"has {found}")
    n = len(np.atleast_1d(graph.nodes["lif"].tau_syn))
    w_in = np.shape(graph.nodes["input_linear"].weight)
    problems = [f"{name} is {np.shape(graph.nodes[name].weight)}, not ({n}, {n})"
                for name in ("recurrent_linear", "recurrent_relay")
                if np.shape(graph.nodes[name].weight) != (n, n)]
    if len(w_in) != 2 or w_in[0] != n:
        problems.append(f"input_linear is {w_in}, not ({n}, channels)")
    if inputs is not None and len(w_in) == 2 and np.shape(inputs)[-1] != w_in[1]:
        problems.append(f"the input has {np.shape(inputs)[-1]} channels, input_linear takes {w_in[1]}")
    if problems:
        raise Rate2SpikeError(f"the graph's shapes do not chain for {n} units: {'; '.join(problems)}")
