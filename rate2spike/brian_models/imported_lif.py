"""A recurrent LIF/CubaLIF population read from NIR (:mod:`rate2spike.lif_models.imported`) as
an equation-level Brian2 model (discrete time).

Each step of ``dt_s`` seconds runs, in this order (the shared machinery of :mod:`.discrete`):
the input group sets u_n; the population's synapses sum W_in u_n into ``I_ff`` and the
previous step's spikes W_rec z_{n-1} into ``I_rec``; the population runs :data:`CUBA_STEP`
(or :data:`LIF_STEP`); the readout sums W_out z_n (``readout_alpha = 0``: no memory, so
o_n = W_out z_n + b_out).
"""
from __future__ import annotations

import numpy as np

from ..lif_models.imported import ImportedLIFNetwork
from .discrete import LayerSpec, input_source, layer_stack, network_dict, readout_integrators

#: CubaLIF: the synaptic current first, then the membrane with the new current
CUBA_STEP = """
I_syn = I_syn + syn_rate * (w_in * (I_ff + I_rec + b) - I_syn)
v = v + mem_rate * (v_leak - v + r * I_syn)
s = int(v > v_threshold)
v = v * (1 - s) + v_reset * s
n_active += s
"""

#: LIF: the membrane driven by the summed input directly
LIF_STEP = """
v = v + mem_rate * (v_leak - v + r * (I_ff + I_rec + b))
s = int(v > v_threshold)
v = v * (1 - s) + v_reset * s
n_active += s
"""

UNIT_EQS = """
v : 1
s : 1
I_ff : 1
I_rec : 1
n_active : 1
b : 1 (constant)
mem_rate : 1 (constant)
r : 1 (constant)
v_leak : 1 (constant)
v_threshold : 1 (constant)
v_reset : 1 (constant)
"""

CUBA_EQS = UNIT_EQS + """
I_syn : 1
syn_rate : 1 (constant)
w_in : 1 (constant)
"""


def build_imported_network(b2, net: ImportedLIFNetwork, inputs: np.ndarray,
                           record_pulses: bool = False) -> dict:
    """Brian2 objects for ``net`` driven by ``inputs`` (batch, n_inputs, steps); the same dict
    as :func:`~rate2spike.brian_models.src.build_src_network`. Every unit starts at v = 0 and
    I_syn = 0 (as Norse and snnTorch start)."""
    B, T = inputs.shape[0], inputs.shape[2]
    dt = net.dt_s * b2.second
    source, u_in = input_source(b2, inputs, dt, "nir")
    values = {"b": net.b, "mem_rate": net.dt_s / net.tau_mem_s, "r": net.r, "v_leak": net.v_leak,
              "v_threshold": net.v_threshold, "v_reset": net.v_reset}
    if net.current_based:
        values.update(syn_rate=net.dt_s / net.tau_syn_s, w_in=net.w_in)
    spec = LayerSpec(net.n_units, CUBA_EQS if net.current_based else UNIT_EQS,
                     CUBA_STEP if net.current_based else LIF_STEP, values, net.W_in,
                     net.W_rec if np.any(net.W_rec) else None)     # no loop: I_rec stays 0
    objs, layers = layer_stack(b2, source, [spec], B, dt, "nir")
    objs.insert(0, source)
    R, out_mon, readout_objs = readout_integrators(b2, layers[-1], net.W_out, net.b_out, B, dt, 4, "nir")
    objs += readout_objs
    namespace = {"u_in": u_in, "readout_alpha": 0.0, "readout_gain": 1.0}
    return network_dict(b2, objs, layers, R, out_mon, record_pulses, namespace, T * dt, "nir")
