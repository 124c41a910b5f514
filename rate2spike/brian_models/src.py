"""The Spiking Recurrent Cell as an equation-level Brian2 model (discrete time).

The same cell as :mod:`rate2spike.src_models.cell` (equations 3a-3f of De Geeter et al.
2023), written as Brian2 statements executed once per step of ``step_s`` seconds. Graded
pulses travel through ``Synapses`` as summed variables on every step. A batch of trials is
simulated as independent copies of the network (block-diagonal synapses); neuron ``j`` of
trial ``b`` in a group of ``n`` units is index ``b * n + j``.

The shared discrete-time machinery (input group, block synapses, readout integrators) is in
:mod:`.discrete`. Order within a step (Brian2 ``groups`` slot, by ``order``), which reproduces
the torch forward pass exactly:

0. the input group sets its pulses to the task input u(t) (a ``TimedArray``);
1. layer 0's synapses sum W_s s_in[t] (just set) and W_r s_out[t-1] (not yet updated);
2. layer 0 updates i, h, h_s, s; then layer 1's synapses sum, layer 1 updates, ...;
last. the readout integrators sum the last layer's pulses s_L[t] and update.
"""
from __future__ import annotations

import numpy as np

from ..src_models.network import SRCNetwork
from .discrete import LayerSpec, input_source, layer_stack, network_dict, readout_integrators

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


def build_src_network(b2, net: SRCNetwork, inputs: np.ndarray, record_pulses: bool = False) -> dict:
    """Brian2 objects for ``net`` driven by ``inputs`` (batch, n_in, T on the SRC grid).
    Returns a dict with ``net`` (a ``brian2.Network``), ``layers``, ``readout`` and monitors."""
    c = net.constants
    B, T = inputs.shape[0], inputs.shape[2]
    dt = c.step_s * b2.second
    source, u_in = input_source(b2, inputs, dt, "src")
    step = LAYER_STEP.format(gate=ZS_GATE_VARIABLE[c.zs_gate])
    specs = [LayerSpec(layer.size, LAYER_EQS, step, {"b_h": layer.b_h}, layer.W_s, layer.W_r)
             for layer in net.layers]
    objs, layers = layer_stack(b2, source, specs, B, dt, "src")
    objs.insert(0, source)
    R, out_mon, readout_objs = readout_integrators(b2, layers[-1], net.W_out, net.b_out, B, dt,
                                             2 * (len(net.layers) + 1), "src")
    objs += readout_objs
    namespace = {"u_in": u_in, "readout_alpha": c.readout_alpha, "readout_gain": net.readout_gain,
                 **{k: getattr(c, k) for k in ("alpha", "rho", "r", "r_s", "zs_hyp", "zs_dep")}}
    return network_dict(b2, objs, layers, R, out_mon, record_pulses, namespace, T * dt, "src")
