"""The Spiking Recurrent Cell as an equation-level Brian2 model (discrete time).

The same cell as :mod:`rate2spike.src_models.cell` (equations 3a-3f of De Geeter et al.
2023), written as Brian2 statements executed once per step of ``step_s`` seconds. Graded
pulses travel through ``Synapses`` as summed variables on every step. A batch of trials is
simulated as independent copies of the network (block-diagonal synapses); neuron ``j`` of
trial ``b`` in a group of ``n`` units is index ``b * n + j``.

Order within a step (Brian2 ``groups`` slot, by ``order``), which reproduces the torch
forward pass exactly:

0. the input group sets its pulses to the task input u(t) (a ``TimedArray``);
1. layer 0's synapses sum W_s s_in[t] (just set) and W_r s_out[t-1] (not yet updated);
2. layer 0 updates i, h, h_s, s; then layer 1's synapses sum, layer 1 updates, ...;
last. the readout integrators sum the last layer's pulses s_L[t] and update.
"""
from __future__ import annotations

import numpy as np

from ..src_models.network import SRCNetwork

#: per-step update of an SRC layer: i_syn is the paper's integrator i (``i`` is reserved in
#: Brian2); z_s switches on ``{gate}``: h_new (h[t], eq. 3c) or h (h[t-1], the older reading);
#: zs and h_new are temporaries
LAYER_STEP = """
i_syn = alpha * i_syn + I_ff + I_rec
h_new = tanh(rho * tanh(i_syn / rho) + r * h + r_s * hs + b_h)
zs = zs_hyp + (zs_dep - zs_hyp) * int({gate} > 0.5)
hs = zs * hs + (1 - zs) * h
h = h_new
s = h * int(h > 0)
n_active += int(h > 0)
"""

LAYER_EQS = """
i_syn : 1
h : 1
hs : 1
s : 1
I_ff : 1
I_rec : 1
n_active : 1
b_h : 1 (constant)
"""

#: the Brian2 variable that z_s reads, per :data:`~rate2spike.src_models.constants.ZS_GATES`
ZS_GATE_VARIABLE = {"new_h": "h_new", "previous_h": "h"}

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


def build_src_network(b2, net: SRCNetwork, inputs: np.ndarray, record_pulses: bool = False) -> dict:
    """Brian2 objects for ``net`` driven by ``inputs`` (batch, n_in, T on the SRC grid).
    Returns a dict with ``net`` (a ``brian2.Network``), ``layers``, ``readout`` and monitors."""
    c = net.constants
    B, T = inputs.shape[0], inputs.shape[2]
    dt = c.step_s * b2.second
    source, u_in = input_source(b2, inputs, dt, "src")
    objs, layers, prev = [source], [], source
    for l, layer in enumerate(net.layers):
        order = 2 * (l + 1)
        G = b2.NeuronGroup(B * layer.size, LAYER_EQS, dt=dt, order=order, name=f"src_layer{l}")
        G.b_h = np.tile(layer.b_h, B)
        G.run_regularly(LAYER_STEP.format(gate=ZS_GATE_VARIABLE[c.zs_gate]), when="groups",
                        order=order)
        objs += [G, block_synapses(b2, prev, G, layer.W_s, B, "I_ff", f"src_ff{l}")]
        if layer.W_r is not None:
            objs.append(block_synapses(b2, G, G, layer.W_r, B, "I_rec", f"src_rec{l}"))
        layers.append(G)
        prev = G
    R, out_mon, readout_objs = readout_integrators(b2, prev, net.W_out, net.b_out, B, dt,
                                             2 * (len(net.layers) + 1), "src")
    objs += readout_objs
    namespace = {"u_in": u_in, "readout_alpha": c.readout_alpha, "readout_gain": net.readout_gain,
                 **{k: getattr(c, k) for k in ("alpha", "rho", "r", "r_s", "zs_hyp", "zs_dep")}}
    return network_dict(b2, objs, layers, R, out_mon, record_pulses, namespace, T * dt, "src")


def network_dict(b2, objs: list, layers: list, readout, out_mon, record_pulses: bool, namespace: dict,
                 duration, prefix: str) -> dict:
    """What every builder returns: ``net`` (a ``brian2.Network`` of ``objs`` and, if
    ``record_pulses``, a monitor of each layer's ``s``), ``layers``, ``readout``, ``output`` (the
    readout monitor), ``pulses`` (monitors), ``namespace`` and ``duration``."""
    pulse_mons = [b2.StateMonitor(G, "s", record=True, when="end", name=f"{prefix}_pulses{l}")
                  for l, G in enumerate(layers)] if record_pulses else []
    return {"net": b2.Network(*objs, *pulse_mons), "layers": layers, "readout": readout,
            "output": out_mon, "pulses": pulse_mons, "namespace": namespace, "duration": duration}
