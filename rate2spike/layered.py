"""The one time loop of every directly trained layered net (SRC, surrogate LIF, adaptive LIF
SRNN; a plug-in family may use it too), in the style of Norse's ``SNN`` base: pure per-layer step
functions over NamedTuple states, and one output type.

Per step t: the input column u[:, :, t] goes through layer 0, 1, ..., each step function taking
the layer's input pulses x and its state and returning its new state and its own pulses (which
feed the next layer); the readout then maps the last layer's pulses to the output o[t].

Example
-------
>>> import torch
>>> u = torch.ones(1, 1, 3)
>>> integrate = lambda x, v: (v + x, v + x)            # one "layer" that sums its input
>>> out = run_layered(u, [integrate], [torch.zeros(1, 1)], [1], lambda s, t: 2 * s)
>>> out.outputs.flatten().tolist(), out.active_steps[0].item()
([2.0, 4.0, 6.0], 3.0)
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import torch


class LayeredOutput(NamedTuple):
    """outputs (batch, k, T): the readout per step; active_steps: per layer (batch, n) the number
    of steps with a pulse > 0 (spike counts of spiking layers); pulses: per layer (batch, n, T)
    if recorded, else None."""

    outputs: torch.Tensor
    active_steps: list
    pulses: list | None


def run_layered(u: torch.Tensor, layer_steps: list, states: list, sizes: list,
                readout: Callable[[torch.Tensor, int], torch.Tensor],
                record_pulses: bool = False) -> LayeredOutput:
    """Run the layers over u (batch, n_in, T). ``layer_steps[l](x, state) -> (state, pulses)``;
    ``states``: the initial state of each layer; ``sizes``: neurons per layer; ``readout(pulses
    of the last layer, t) -> o[t]`` (batch, k) (it keeps its own state)."""
    batch, _, T = u.shape
    active = [u.new_zeros((batch, n)) for n in sizes]
    pulses = [[] for _ in sizes] if record_pulses else None
    states = list(states)
    outs = []
    for t in range(T):
        x = u[:, :, t]
        for l, step in enumerate(layer_steps):
            states[l], x = step(x, states[l])
            active[l] = active[l] + (x.detach() > 0)
            if record_pulses:
                pulses[l].append(x)
        outs.append(readout(x, t))
    return LayeredOutput(torch.stack(outs, dim=-1), active,
                         [torch.stack(p, dim=-1) for p in pulses] if record_pulses else None)
