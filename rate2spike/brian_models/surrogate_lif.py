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
from .discrete import LayerSpec, input_source, layer_stack, network_dict, readout_integrators

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
    step = LAYER_STEP.format(reset=RESET_STATEMENTS[net.reset])
    specs = [LayerSpec(layer.size, LAYER_EQS, step, {"b": layer.b, "alpha_v": layer.alpha_v,
                                                     "threshold": layer.threshold}, layer.W)
             for layer in net.layers]
    objs, layers = layer_stack(b2, source, specs, B, dt, "lifc")
    objs.insert(0, source)
    R, out_mon, readout_objs = readout_integrators(b2, layers[-1], net.W_out, net.b_out, B, dt,
                                                   2 * (len(net.layers) + 1), "lifc")
    objs += readout_objs
    namespace = {"u_in": u_in, "readout_alpha": net.readout_alpha, "readout_gain": 1.0}
    return network_dict(b2, objs, layers, R, out_mon, record_pulses, namespace, T * dt, "lifc")
