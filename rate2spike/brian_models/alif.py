"""The adaptive LIF SRNN (Yin et al. 2020) as an equation-level Brian2 model (discrete time).

The forward pass of :mod:`rate2spike.surrogate_models.alif`, per step of ``step_s`` seconds
(time constants in seconds, per neuron):

    eta = rho eta + (1 - rho) S;   theta = b0 + beta eta
    u = alpha u + (1 - alpha) (W_in s_in + b + W_rec S) - S theta;   S = int(u > theta)

with alpha = exp(-dt / tau_m), rho = exp(-dt / tau_adp). W_rec S is summed from the spikes of
the previous step (the group updates after its synapses sum), W_in s_in from the layer below in
the same step. The readout integrates ``v = a v + (1 - a) (W_out S_L + b_out)`` and reports the
decision value o: v (``last``), its running maximum (``max``), running mean (``mean``) or the
running sum of softmax(v) over the outputs of a sample (``softmax_sum``: a second group, updated
after the integrators, sums exp(v) over each sample's outputs through a summed variable). Step
order and batching as in :mod:`.src`.
"""
from __future__ import annotations

import numpy as np

from ..surrogate_models.alif_network import ALIFNetwork
from .discrete import LayerSpec, block_synapses, input_source, layer_stack, network_dict

LAYER_STEP = """
eta = rho * eta + (1 - rho) * s
theta = b0 + beta * eta
u = alpha * u + (1 - alpha) * ((I_ff + b) + I_rec) - s * theta
s = int(u - theta > 0)
n_active += s
"""

LAYER_EQS = """
u : 1
eta : 1
theta : 1
s : 1
I_ff : 1
I_rec : 1
n_active : 1
b : 1 (constant)
alpha : 1 (constant)
rho : 1 (constant)
"""

DECISION = {"last": "o = v",
            "max": "o = v * int(n_seen == 0 or v > o) + o * int(n_seen > 0 and v <= o)",
            "mean": "o = o + (v - o) / (n_seen + 1)",
            "softmax_sum": ""}

SOFTMAX_EQS = """
o : 1
v_own : 1
Z : 1
"""

READOUT_EQS = """
v : 1
o : 1
n_seen : 1
I_out : 1
a_out : 1 (constant)
b_out : 1 (constant)
"""


def build_alif_network(b2, net: ALIFNetwork, inputs: np.ndarray, record_pulses: bool = False) -> dict:
    """Brian2 objects for ``net`` driven by ``inputs`` (batch, n_in, T); the same dict as
    :func:`~rate2spike.brian_models.src.build_src_network`."""
    B, T = inputs.shape[0], inputs.shape[2]
    dt = net.step_s * b2.second
    source, u_in = input_source(b2, inputs, dt, "alif")
    specs = [LayerSpec(layer.size, LAYER_EQS, LAYER_STEP,
                       {"b": layer.b, "alpha": np.exp(-net.step_s / layer.tau_m_s),
                        "rho": np.exp(-net.step_s / layer.tau_adp_s)}, layer.W_in, layer.W_rec)
             for layer in net.layers]
    objs, layers = layer_stack(b2, source, specs, B, dt, "alif")
    objs.insert(0, source)
    prev = layers[-1]
    order = 2 * (len(net.layers) + 1)
    R = b2.NeuronGroup(B * net.n_outputs, READOUT_EQS, dt=dt, order=order, name="alif_readout")
    R.a_out = np.tile(np.exp(-net.step_s / net.tau_out_s), B)
    R.b_out = np.tile(net.b_out, B)
    R.run_regularly(f"v = a_out * v + (1 - a_out) * (I_out + b_out)\n{DECISION[net.readout]}\n"
                    f"n_seen += 1", when="groups", order=order)
    objs += [R, block_synapses(b2, prev, R, net.W_out, B, "I_out", "alif_out")]
    decision = R
    if net.readout == "softmax_sum":
        decision, softmax_objs = softmax_sum_group(b2, R, net.n_outputs, B, dt, order + 2)
        objs += softmax_objs
    out_mon = b2.StateMonitor(decision, "o", record=True, when="end", name="alif_output")
    objs.append(out_mon)
    namespace = {"u_in": u_in, "beta": net.beta, "b0": net.b0}
    return network_dict(b2, objs, layers, R, out_mon, record_pulses, namespace, T * dt, "alif")


def softmax_sum_group(b2, R, k: int, B: int, dt, order: int) -> tuple:
    """A group P (B * k, at ``order``) with ``o += exp(v) / sum_k' exp(v_k')`` over each sample's
    k integrators of ``R`` (whose summed variables update at ``order - 1``, after ``R``)."""
    P = b2.NeuronGroup(B * k, SOFTMAX_EQS, dt=dt, order=order, name="alif_softmax")
    P.run_regularly("o = o + exp(v_own) / Z", when="groups", order=order)
    own = block_synapses(b2, R, P, np.eye(k), B, "v_own", "alif_softmax_own", source="v_pre")
    norm = block_synapses(b2, R, P, np.ones((k, k)), B, "Z", "alif_softmax_norm", source="exp(v_pre)")
    return P, [P, own, norm]
