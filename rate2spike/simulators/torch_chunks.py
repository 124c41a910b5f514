"""Chunks of K steps of the torch LIF simulator as one unit over fixed buffers, captured as a
CUDA graph on a GPU.

On a GPU a step of :func:`.torch_lif.lif_step` is a few dozen small kernels, and at N = 200 the
time goes to launching them (measured on an H200: 0.27 ms a step for 40 copies, 0.59 ms for
1,000; with the chunks below, 0.07 and 0.09 ms).
A CUDA graph launches a recorded sequence of kernels at once, but replays it on the same
buffers with the same constants. So K consecutive steps (K a multiple of the stimulus sample
and of the readout stride) run in a frame of their own, the steps numbered 0 ... K-1:

- ``last_spike`` is stored relative to the chunk's first step (shifted by K after each chunk),
  so refractoriness is computed on the same integers as in the plain loop;
- the stimulus columns the chunk reads are copied into a window buffer before each replay,
  and the chunk's voltage noise (the counter-based draws of its absolute steps) into a noise
  buffer;
- the readouts and spikes of the K steps land in output buffers, read after each replay.

Only steps after the start hold and runs without stimulation are chunked (the rest run step by
step), and only where a chunk's noise buffer stays within :data:`MAX_CHUNK_ELEMENTS`. Off a
GPU the same chunk runs directly (no capture), which is how the equivalence with the plain loop
is tested: spike for spike in float64. Should capture fail, the chunks run uncaptured.
"""
from __future__ import annotations

import math
import warnings

import torch

from .torch_lif import LIFParameters, LIFState, StepConstants, lif_step, readout, recurrent_dense

#: fewest steps per chunk (rounded up to a multiple of the stimulus sample and readout stride)
MIN_CHUNK_STEPS = 100
#: most noise values a chunk's buffer holds (steps x copies x units; 2**26: 512 MB in float64);
#: a larger run is simulated step by step
MAX_CHUNK_ELEMENTS = 1 << 26
#: most noise values drawn at once into that buffer (the draw's int64 temporaries: 128 MB each)
NOISE_SLICE_ELEMENTS = 1 << 24


def chunk_steps(k: StepConstants, stride: int) -> int:
    """Steps per chunk: the smallest multiple of lcm(stimulus sample, readout stride) that is
    at least :data:`MIN_CHUNK_STEPS`."""
    base = math.lcm(k.per_stim, stride)
    return base * -(-MIN_CHUNK_STEPS // base)


def chunkable(k: StepConstants, stride: int, stimulation, copies: int, units: int) -> bool:
    """Whether the steps of this run can be chunked: no stimulation, input lead >= 0, and a
    chunk's noise buffer within :data:`MAX_CHUNK_ELEMENTS`."""
    return (stimulation is None and k.lead_steps >= 0
            and chunk_steps(k, stride) * copies * units <= MAX_CHUNK_ELEMENTS)


class ChunkRunner:
    """Runs steps n0 ... n0+K-1 (n0 a multiple of K) of every copy as one unit; holds the
    fixed buffers and, on a GPU, the captured graph."""

    def __init__(self, p: LIFParameters, k: StepConstants, state: LIFState, stride: int,
                 capture: bool):
        self.K, self.stride, self.full = chunk_steps(k, stride), stride, p
        self.k = k._replace(hold_steps=0)                 # chunks start after the hold
        self.columns = (self.K - 1 + k.lead_steps) // k.per_stim + 1
        drive = torch.empty((self.columns,) + p.drive.shape[1:], dtype=p.drive.dtype,
                            device=p.drive.device)
        self.p = p._replace(drive=drive)
        self.state = LIFState(*(t.clone() for t in state))
        v = state.v
        self.noise = (torch.empty((self.K,) + v.shape, dtype=v.dtype, device=v.device)
                      if k.noise_mV > 0 else None)
        self.outputs = torch.empty((v.shape[0], self.K // stride), dtype=v.dtype, device=v.device)
        self.spikes = torch.empty((self.K,) + v.shape, dtype=torch.bool, device=v.device)
        self.graph = None
        if capture:
            try:
                self.graph = self._capture()
            except RuntimeError as exc:       # a driver or build without graph capture
                warnings.warn(f"CUDA graph capture failed ({exc}); the chunks run uncaptured")
                torch.cuda.synchronize()

    def _body(self) -> None:
        """The K steps on the buffers (recorded once on a GPU)."""
        s = self.state
        for i in range(self.K):
            if i % self.stride == 0:
                self.outputs[:, i // self.stride] = readout(s, self.p)
            s, spikes = lif_step(s, self.p, self.k, i, recurrent=recurrent_dense,
                                 noise=None if self.noise is None else self.noise[i])
            self.spikes[i] = spikes > 0
        for buffer, new in zip(self.state, s):
            buffer.copy_(new)
        self.state.last_spike.sub_(self.K)                # the next chunk's frame

    def _capture(self):
        kept = [t.clone() for t in self.state]
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):                     # warm-up, as CUDA graphs require
            self._body()
        torch.cuda.current_stream().wait_stream(side)
        for buffer, value in zip(self.state, kept):
            buffer.copy_(value)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            self._body()
        return graph

    def load(self, state: LIFState, n0: int) -> None:
        """Take the plain loop's state at step n0 (last_spike made relative to n0)."""
        for buffer, value in zip(self.state, state):
            buffer.copy_(value)
        self.state.last_spike.sub_(n0)

    def unload(self, n: int) -> LIFState:
        """The state at step n (after the last chunk) in the plain loop's absolute frame."""
        state = LIFState(*(t.clone() for t in self.state))
        return state._replace(last_spike=state.last_spike + n)

    def run(self, n0: int, draw_noise) -> None:
        """Steps n0 ... n0+K-1; ``draw_noise(first_step, n_steps)`` gives the voltage noise of
        those steps (n_steps, copies, N), called for at most :data:`NOISE_SLICE_ELEMENTS`
        values at once."""
        last = self.full.drive.shape[0] - 1
        first = n0 // self.k.per_stim
        index = [min(first + j, last) for j in range(self.columns)]
        self.p.drive.copy_(self.full.drive[index])
        if self.noise is not None:
            steps_per_draw = max(1, NOISE_SLICE_ELEMENTS // self.noise[0].numel())
            for a in range(0, self.K, steps_per_draw):
                b = min(self.K, a + steps_per_draw)
                self.noise[a:b].copy_(draw_noise(n0 + a, b - a))
        if self.graph is not None:
            self.graph.replay()
        else:
            self._body()
