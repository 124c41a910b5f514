"""The converted LIF network simulated by torch (backend ``torch``), on the CPU or a GPU.

The step is :func:`.torch_lif.lif_step`; this module runs it over a batch of copies with no
gradient and collects what a :class:`~rate2spike.brian_models.lif.RunResult` holds. The noise
is the compiled model's counter-based draw with the same streams (seed, trial id), so in
float64 a trial gives the spikes of ``cpp_standalone`` (tested spike for spike); in float32
the rounding differs and the runs agree statistically (tested on a sweep table).

On the CPU the recurrent input of a step is added spike by spike (a handful of units spike in a
step); on a GPU it is one dense product, and the steps run in chunks captured as CUDA graphs
(:mod:`.torch_chunks`; 4-7x faster on an H200). Spikes are gathered every ``SPIKE_BLOCK`` steps
(or chunk), so a GPU run synchronises with the host rarely.

Example
-------
>>> from rate2spike import LIFNetwork, RateNetwork, simulate_lif, tasks   # doctest: +SKIP
>>> lif = LIFNetwork(RateNetwork.load("tests/data/gonogo_n200.npz"), s=25)  # doctest: +SKIP
>>> batch = tasks.get_task("gonogo").generate(20, seed=1)                 # doctest: +SKIP
>>> sim = simulate_lif(lif, batch.inputs, batch.dt_s, device="torch",     # doctest: +SKIP
...                    torch_device="cuda", torch_dtype="float32")
"""
from __future__ import annotations

import os
import time

import numpy as np
import torch

from ..brian_models.lif import RunResult, synaptic_lambda
from ..brian_models.noise import stream_ids
from ..errors import ConfigError
from ..rate_models.training import TORCH_DEVICES, TORCH_DTYPES
from ..rate_models.training import torch_device as resolve_torch_device
from .base import Backend
from .torch_chunks import ChunkRunner, chunk_steps, chunkable
from .torch_lif import (
    initial_state,
    lif_parameters,
    lif_step,
    noise_block,
    readout,
    recurrent_dense,
    step_constants,
)

#: steps whose spikes are gathered to the host at once
SPIKE_BLOCK = 200
#: the voltage noise of several steps is drawn at once, up to this many draws
NOISE_BLOCK_ELEMENTS = 1 << 18


def _recurrent_sparse(state, spikes, p, single: bool):
    """Add this step's spikes to h (or I_syn) spike by spike, in place (CPU, no gradient)."""
    cs, ns = torch.nonzero(spikes, as_tuple=True)
    if len(cs):
        target = state.i_syn if single else state.h
        target.index_put_((cs,), p.lam[cs] * p.w_kick[ns], accumulate=True)


@torch.no_grad()
def simulate_torch(w_rec, w_in, w_out, tau_d_s, inputs, stim_dt_s: float, lam, v0_mV,
                   constants, noise_streams, stimulation=None, device="cpu",
                   dtype: str = "float64", dense: bool | None = None,
                   chunked: bool | None = None) -> RunResult:
    """Simulate copies of one network with the torch step; arguments as
    :func:`~.numpy_reference.simulate_reference` with its ``noise_streams`` (copies,), plus the
    torch ``device`` and ``dtype`` ("float64" or "float32"); ``dense``: the recurrent input
    as one product per step (default on a GPU) rather than spike by spike (default on the CPU);
    ``chunked``: dense steps in chunks (:mod:`.torch_chunks`), captured as CUDA graphs on a GPU
    (default: on a GPU, unless ``RATE2SPIKE_CUDA_GRAPHS=off``). Returns a RunResult."""
    device = torch.device(device)
    inputs = np.asarray(inputs, float)
    n_copies, n_units = inputs.shape[0], np.asarray(w_rec).shape[0]
    k = step_constants(constants, stim_dt_s, stimulation)
    p = lif_parameters(w_rec, w_in, w_out, tau_d_s, inputs, lam, noise_streams, k,
                       constants.tau_r_s, stimulation, device=device, dtype=TORCH_DTYPES[dtype])
    v0 = torch.as_tensor(np.asarray(v0_mV, float).reshape(n_copies, n_units),
                         dtype=p.w_kick.dtype, device=device)
    state = initial_state(v0, k)
    stride, n_steps = constants.readout_stride, inputs.shape[2] * k.per_stim
    dense = device.type != "cpu" if dense is None else dense
    outputs = torch.empty((n_copies, -(-n_steps // stride)), dtype=v0.dtype, device=device)
    block = torch.zeros((SPIKE_BLOCK, n_copies, n_units), dtype=torch.bool, device=device)
    found = []
    start = time.perf_counter()
    ahead = max(1, min(SPIKE_BLOCK, NOISE_BLOCK_ELEMENTS // (n_copies * n_units)))
    chunks = _chunk_plan(k, stride, n_steps, stimulation, n_copies, n_units,
                         dense and (_graphs_wanted(device) if chunked is None else chunked))
    noise, noise_from, pending_from, n = None, 0, 0, 0
    while n < n_steps:
        if chunks and n == chunks[0]:
            if n > pending_from:                   # the steps before the chunks
                found.append(_block_spikes(block[:n - pending_from], pending_from))
            runner = ChunkRunner(p, k, state, stride, capture=device.type == "cuda")
            runner.load(state, n)
            for n in chunks:
                runner.run(n, lambda first, count: noise_block(p, k, first, count))
                outputs[:, n // stride:(n + runner.K) // stride] = runner.outputs
                found.append(_block_spikes(runner.spikes, n))
            n = pending_from = chunks[-1] + runner.K
            state, noise, chunks = runner.unload(n), None, []
            continue
        if n % stride == 0:
            outputs[:, n // stride] = readout(state, p)
        if noise is None or n - noise_from >= ahead:
            noise, noise_from = noise_block(p, k, n, min(ahead, n_steps - n)), n
        state, spikes = lif_step(state, p, k, n, recurrent=recurrent_dense if dense else None,
                                 noise=None if noise is None else noise[n - noise_from])
        if not dense:
            _recurrent_sparse(state, spikes, p, k.single)
        block[n - pending_from] = spikes > 0
        if n - pending_from == SPIKE_BLOCK - 1 or n == n_steps - 1:
            found.append(_block_spikes(block[:n - pending_from + 1], pending_from))
            pending_from = n + 1
        n += 1
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    sim = time.perf_counter() - start
    steps, cs, ns = (np.concatenate(parts) for parts in zip(*found)) if found else \
        (np.zeros(0, int),) * 3
    order = np.lexsort((cs * n_units + ns, steps))           # time order, then neuron index
    steps, cs, ns = steps[order], cs[order], ns[order]
    counts = np.zeros((n_copies, n_units), int)
    np.add.at(counts, (cs, ns), 1)
    return RunResult(outputs.double().cpu().numpy(), counts, [], [], k.dt_s, n_steps * k.dt_s,
                     sim, stride * k.dt_s, 0.0, {}, cs * n_units + ns, steps * k.dt_s)


def _graphs_wanted(device: torch.device) -> bool:
    """Chunks with CUDA graphs by default on a GPU; ``RATE2SPIKE_CUDA_GRAPHS=off`` turns them
    off (to compare, or should a driver refuse graph capture)."""
    return device.type == "cuda" and os.environ.get("RATE2SPIKE_CUDA_GRAPHS", "on") != "off"


def _chunk_plan(k, stride: int, n_steps: int, stimulation, copies: int, units: int,
                wanted: bool) -> list:
    """First steps of the chunks of a run (:mod:`.torch_chunks`): whole chunks after the
    start hold; none if not ``wanted`` or not chunkable."""
    if not wanted or not chunkable(k, stride, stimulation, copies, units):
        return []
    size = chunk_steps(k, stride)
    first = -(-k.hold_steps // size) * size
    return list(range(first, n_steps - size + 1, size))


def _block_spikes(block: torch.Tensor, first_step: int) -> tuple:
    """(steps, copies, units) of the spikes in a block of steps, as NumPy arrays."""
    idx = torch.nonzero(block).cpu().numpy()
    return idx[:, 0] + first_step, idx[:, 1], idx[:, 2]


class TorchBackend(Backend):
    """The torch simulator behind the backend interface: same initial voltages, stimulus and
    counter-based noise streams (seed, trial id) as the Brian2 backends. ``torch_device``: a
    name of :data:`TORCH_DEVICES`; ``dtype``: "float64" (spike for spike with
    ``cpp_standalone``) or "float32"."""

    device = "torch"

    def __init__(self, model, seed: int = 0, torch_device: str = "cpu", dtype: str = "float32"):
        super().__init__(model, seed)
        if dtype not in TORCH_DTYPES or torch_device not in TORCH_DEVICES:
            raise ConfigError(f"torch device {torch_device!r} / dtype {dtype!r}: valid are "
                              f"{', '.join(TORCH_DEVICES)} / {', '.join(TORCH_DTYPES)}")
        self.torch_device, self.dtype = resolve_torch_device(torch_device), dtype

    def run_many(self, batches) -> list:
        out, m = [], self.model
        for batch in batches:
            m.checked_inputs(batch.inputs)      # the Brian2 backends' argument check
            v0, ids, s = self.checked(batch)
            out.append(simulate_torch(m.w_rec, m.w_in, m.w_out, m.tau_d_s, batch.inputs,
                                      m.stim_dt_s, synaptic_lambda(s), v0, m.c,
                                      stream_ids(self.seed, ids), m.stimulation,
                                      self.torch_device, self.dtype))
        return out
