"""What every discrete-time Brian2 model of a directly trained net shares (SRC, surrogate LIF,
adaptive LIF SRNN, a plug-in family's): each step of ``dt`` seconds is a sequence of
``run_regularly`` updates in the ``groups`` slot ordered by ``order`` (input at 0, layer l at
2 (l + 1), readout last), with graded or binary pulses carried by summed-variable synapses that
are evaluated before the group that reads them. A batch of B samples is simulated as B
independent copies (block-diagonal synapses): neuron ``j`` of sample ``b`` in a group of ``n``
units is index ``b * n + j``.

A family's builder calls :func:`input_source`, then :func:`layer_stack` (one
:class:`LayerSpec` per layer: its equations, per-step statements, per-neuron values and weights),
then :func:`readout_integrators`, and returns :func:`network_dict`.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

#: the readout integrators: v = readout_alpha v + readout_gain I_out, output o = v + b_out
READOUT_STEP = "v = readout_alpha * v + readout_gain * I_out"
READOUT_EQS = """
v : 1
I_out : 1
b_out : 1 (constant)
o = v + b_out : 1
"""


def block_synapses(b2, pre, post, W: np.ndarray, n_trials: int, target: str, name: str,
                   source: str = "s_pre"):
    """Synapses copying ``W`` (n_post, n_pre) into every trial: ``target += w * source`` (a
    presynaptic expression, by default the pulses ``s_pre``)."""
    n_post, n_pre = W.shape
    post_j, pre_k = np.nonzero(W)
    offs_pre = np.repeat(np.arange(n_trials) * n_pre, len(pre_k))
    offs_post = np.repeat(np.arange(n_trials) * n_post, len(post_j))
    syn = b2.Synapses(pre, post, model=f"w : 1 (constant)\n{target}_post = w * {source} : 1 (summed)",
                      name=name)
    syn.connect(i=np.tile(pre_k, n_trials) + offs_pre, j=np.tile(post_j, n_trials) + offs_post)
    syn.w = np.tile(W[post_j, pre_k], n_trials)
    return syn


def input_source(b2, inputs: np.ndarray, dt, prefix: str):
    """A group of B * n_in units whose ``s`` is the input (batch, n_in, T) at each step, set
    first in the step (order 0); returns (group, its TimedArray). Sets the default clock."""
    B, n_in, T = inputs.shape
    b2.defaultclock.dt = dt
    values = np.ascontiguousarray(np.transpose(inputs, (2, 0, 1)).reshape(T, B * n_in))
    u_in = b2.TimedArray(values, dt=dt, name=f"{prefix}_input_values")
    source = b2.NeuronGroup(B * n_in, "s : 1", dt=dt, order=0, name=f"{prefix}_input")
    source.run_regularly("s = u_in(t, i)", when="groups", order=0)
    return source, u_in


def readout_integrators(b2, last, W_out: np.ndarray, b_out: np.ndarray, B: int, dt, order: int, prefix: str):
    """Readout integrators fed by ``last``'s pulses (updated last in the step, at ``order``) and
    a monitor of their output o; returns (group, monitor, all objects)."""
    k = W_out.shape[0]
    R = b2.NeuronGroup(B * k, READOUT_EQS, dt=dt, order=order, name=f"{prefix}_readout")
    R.b_out = np.tile(b_out, B)
    R.run_regularly(READOUT_STEP, when="groups", order=order)
    out_mon = b2.StateMonitor(R, "o", record=True, when="end", name=f"{prefix}_output")
    return R, out_mon, [R, block_synapses(b2, last, R, W_out, B, "I_out", f"{prefix}_out"), out_mon]


def layer_group(b2, n: int, n_samples: int, equations: str, step: str, dt, layer: int, name: str):
    """The NeuronGroup of hidden layer ``layer`` (0-based): ``n`` neurons per sample for
    ``n_samples`` samples, variables ``equations``, updated by the statements ``step`` once per
    step at order 2 (layer + 1) (after its input synapses, before the next layer's)."""
    order = 2 * (layer + 1)
    group = b2.NeuronGroup(n_samples * n, equations, dt=dt, order=order, name=name)
    group.run_regularly(step, when="groups", order=order)
    return group


class LayerSpec(NamedTuple):
    """One hidden layer: ``n`` neurons with variables ``equations`` (including ``I_ff`` and, if
    ``W_rec`` is given, ``I_rec``), updated by ``step`` once per step; ``values``: name -> per-neuron
    array (n,) (copied into every sample) or a scalar; ``W_ff`` (n, n_prev) from the layer below
    (summed into ``I_ff`` in the same step), ``W_rec`` (n, n) or None (summed into ``I_rec`` from
    the previous step's pulses ``s``)."""

    n: int
    equations: str
    step: str
    values: dict
    W_ff: np.ndarray
    W_rec: np.ndarray | None = None


def layer_stack(b2, source, layers, n_samples: int, dt, prefix: str) -> tuple:
    """The groups and synapses of ``layers`` (:class:`LayerSpec`) fed by ``source``; returns
    (all objects, the layer groups)."""
    objs, groups, prev = [], [], source
    for l, spec in enumerate(layers):
        G = layer_group(b2, spec.n, n_samples, spec.equations, spec.step, dt, l, f"{prefix}_layer{l}")
        for name, value in spec.values.items():
            setattr(G, name, np.tile(value, n_samples) if np.ndim(value) else value)
        objs += [G, block_synapses(b2, prev, G, spec.W_ff, n_samples, "I_ff", f"{prefix}_ff{l}")]
        if spec.W_rec is not None:
            objs.append(block_synapses(b2, G, G, spec.W_rec, n_samples, "I_rec", f"{prefix}_rec{l}"))
        groups.append(G)
        prev = G
    return objs, groups


def network_dict(b2, objs: list, layers: list, readout, out_mon, record_pulses: bool, namespace: dict,
                 duration, prefix: str) -> dict:
    """What every builder returns: ``net`` (a ``brian2.Network`` of ``objs`` and, if
    ``record_pulses``, a monitor of each layer's ``s``), ``layers``, ``readout``, ``output`` (the
    readout monitor), ``pulses`` (monitors), ``namespace`` and ``duration``."""
    pulse_mons = [b2.StateMonitor(G, "s", record=True, when="end", name=f"{prefix}_pulses{l}")
                  for l, G in enumerate(layers)] if record_pulses else []
    return {"net": b2.Network(*objs, *pulse_mons), "layers": layers, "readout": readout,
            "output": out_mon, "pulses": pulse_mons, "namespace": namespace, "duration": duration}
