"""``nir-run``: simulate a recurrent LIF/CubaLIF NIR graph from another tool (e.g. snnTorch's
``export_to_nir`` of an ``RSynaptic`` net) in Brian2 on the user's input, and write the spikes
and outputs.

Data path: graph file -> :func:`~rate2spike.exporters.nir_import.read_nir` (plain-data
population) -> input array (steps, trials, channels) -> Brian2 (discrete time, float64) ->
``nir_run.npz`` (spikes (steps, trials, N) as 0/1, outputs (steps, trials, K)) and
``nir_run.json`` (what was run, rates, wall time), both written atomically.
"""
from __future__ import annotations

import io
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..artifacts import atomic_write_bytes, check_numeric
from ..errors import Rate2SpikeError
from ..report.tables import write_json
from ..resources import check_memory
from .common import check_out_dir

FILES = ("nir_run.npz", "nir_run.json")


@dataclass
class NIRRun:
    """What ``nir-run`` produced: spikes (steps, trials, N) 0/1, outputs (steps, trials, K),
    the mean firing rate (Hz), the wall time (s) and the files written."""

    spikes: np.ndarray
    outputs: np.ndarray
    rate_hz: float
    wall_time_s: float
    files: dict


def _read_inputs(path, n_inputs: int) -> np.ndarray:
    path = Path(path)
    if not path.is_file():
        raise Rate2SpikeError(f"--input {path} does not exist; give a .npy array (steps, trials, "
                              f"{n_inputs})")
    try:
        inputs = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise Rate2SpikeError(f"--input {path} cannot be read as a .npy array: {exc}") from None
    check_numeric(inputs, f"--input {path}", "input value")
    if inputs.ndim == 2:
        inputs = inputs[:, None, :]
    if inputs.ndim != 3 or inputs.shape[2] != n_inputs or 0 in inputs.shape:
        raise Rate2SpikeError(f"--input {path} is {inputs.shape}; the graph takes (steps, trials, "
                              f"{n_inputs}) or (steps, {n_inputs})")
    return inputs.astype(float)


def nir_run(graph_path, input_path, out, dt_s: float | None = None, device: str = "cpp_standalone",
            force: bool = False) -> NIRRun:
    """Simulate the graph at ``graph_path`` on the input at ``input_path`` in Brian2 and write
    :data:`FILES` into ``out`` (refused if they exist, unless ``force``).

    Example
    -------
    >>> run = nir_run("snntorch_net.nir", "inputs.npy", "runs/imported")   # doctest: +SKIP
    >>> run.spikes.shape                                                   # doctest: +SKIP
    (300, 4, 20)
    """
    from ..exporters.nir_import import read_nir, simulate_nir

    out = check_out_dir(out)
    taken = [f for f in FILES if (out / f).exists()]
    if taken and not force:
        raise Rate2SpikeError(f"{out} already holds {', '.join(taken)}; choose another --out, or "
                              f"pass --force to overwrite")
    net = read_nir(graph_path, dt_s)
    inputs = _read_inputs(input_path, net.n_inputs)
    steps, trials, _ = inputs.shape
    per_trial = 8 * 4 * steps * (net.n_units + net.n_outputs + net.n_inputs)   # ~4 float64 copies
    check_memory(per_trial * trials, f"nir-run of {trials} trials x {steps} steps", per_trial)
    start = time.perf_counter()
    spikes, outputs, result = simulate_nir(net, np.transpose(inputs, (1, 2, 0)), device)
    wall = time.perf_counter() - start
    spikes = np.transpose(spikes, (2, 0, 1)).astype(np.uint8)
    outputs = np.transpose(outputs, (2, 0, 1))
    rate = float(spikes.mean() / net.dt_s)
    out.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, spikes=spikes, outputs=outputs)
    files = {"arrays": out / FILES[0], "summary": out / FILES[1]}
    atomic_write_bytes(files["arrays"], buffer.getvalue())
    summary = {"graph": str(graph_path), "input": str(input_path), "units": net.n_units,
               "neuron": "CubaLIF" if net.current_based else "LIF", "dt_s": net.dt_s,
               "steps": steps, "trials": trials, "mean_rate_hz": rate, "spikes": int(spikes.sum()),
               "device": device, "wall_time_s": wall, "build_time_s": result.build_time_s}
    write_json(files["summary"], summary)
    return NIRRun(spikes, outputs, rate, wall, files)
