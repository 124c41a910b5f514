"""The directly trained LIF classifier as an equation-level Brian2 model (discrete time).

The forward pass of :mod:`rate2spike.surrogate_models.lif` (the surrogate gradient only exists
in the backward pass), written as Brian2 statements run once per step of ``step_s`` seconds:

    V = alpha_V V + I_ff + b;   s = int(V > V_th);   V = V (1 - s)  (zero)  or  V - s V_th  (subtract)

Spikes travel as summed variables on every step; a batch is simulated as independent copies
(block-diagonal synapses), and the order within a step is that of the SRC model
(:mod:`.src`): input, then layer 0, layer 1, ..., then the readout integrators.
"""
from __future__ import annotations

import numpy as np

from ..surrogate_models.network import SurrogateLIFNetwork
from .src import block_synapses, input_source, network_dict, readout_integrators

RESET_STATEMENTS = {"zero": "v = v * (1 - s)", "subtract": "v = v - s * threshold"}

LAYER_STEP = """
v = alpha_v * v + I_ff + b
s = int(v > threshold)
{reset}
n_active += s
"""

LAYER_EQS = """
v : 1
s : 1
I_ff : 1
n_active : 1
b : 1 (constant)
alpha_v : 1 (constant, shared)
threshold : 1 (constant, shared)
"""


def build_lif_classifier_network(b2, net: SurrogateLIFNetwork, inputs: np.ndarray,
                                 record_pulses: bool = False) -> dict:
    """Brian2 objects for ``net`` driven by ``inputs`` (batch, n_in, T); the same dict as
    :func:`~rate2spike.brian_models.src.build_src_network`."""
    B, T = inputs.shape[0], inputs.shape[2]
    dt = net.step_s * b2.second
    source, u_in = input_source(b2, inputs, dt, "lifc")
    objs, layers, prev = [source], [], source
    step = LAYER_STEP.format(reset=RESET_STATEMENTS[net.reset])
    for l, layer in enumerate(net.layers):
        order = 2 * (l + 1)
        G = b2.NeuronGroup(B * layer.size, LAYER_EQS, dt=dt, order=order, name=f"lifc_layer{l}")
        G.b = np.tile(layer.b, B)
        G.alpha_v = layer.alpha_v
        G.threshold = layer.threshold
        G.run_regularly(step, when="groups", order=order)
        objs += [G, block_synapses(b2, prev, G, layer.W, B, "I_ff", f"lifc_ff{l}")]
        layers.append(G)
        prev = G
    R, out_mon, readout_objs = readout_integrators(b2, prev, net.W_out, net.b_out, B, dt,
                                                   2 * (len(net.layers) + 1), "lifc")
    objs += readout_objs
    namespace = {"u_in": u_in, "readout_alpha": net.readout_alpha, "readout_gain": 1.0}
    return network_dict(b2, objs, layers, R, out_mon, record_pulses, namespace, T * dt, "lifc")
