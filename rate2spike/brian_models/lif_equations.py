"""The equations of the Brian2 LIF model as strings (see :mod:`.lif` for the schedule and
the units): neuron, trace update, reset and synapses of the double- and single-exponential
synapse, the readout, and the optional stimulation."""
from __future__ import annotations

#: the synaptic and readout traces of a unit (shared with the exported Brian2 script)
TRACE_EQUATIONS = """I_syn : volt               # synaptic current (double-exponential filtered spikes)
h : volt / second          # its rise variable
r : Hz                     # readout trace: own spikes, same filter
h_r : Hz / second
tau_d : second (constant)  # synaptic decay, from the rate model
decay_d : 1 (constant)     # exp(-dt / tau_d), precomputed
"""

NEURON_EQUATIONS = """
dv/dt = {drift_gate}(I_syn + v_bias + I_ext - v) / tau_m{noise_term} : volt{hold}
I_ext = {input_expr} : volt
""" + TRACE_EQUATIONS + """lam : 1 (constant)         # lambda = 1/s of this copy
trial : integer (constant) # this copy's index (its stimulus columns)
unit : integer (constant)  # index of the unit in the network (0 ... N-1)
noise_stream : integer (constant)  # counter-noise stream of this copy's trial
{w_in_decls}{stim_decls}
"""

TRACE_UPDATE = """
I_syn = I_syn * decay_d + h * dt
h = h * decay_r
r = r * decay_d + h_r * dt
h_r = h_r * decay_r
"""

RESET = """
v = v_reset
h_r += 1 / (tau_r * tau_d)
"""

STIMULATION = """
v += stim_kick * int(t_in_timesteps >= stim_first_step and t_in_timesteps < stim_end_step) * int({coin})
"""
STIM_DECLS = "\nstim_kick : volt (constant)  # signed stimulation kick (0 for other units)"

SYNAPSE_MODEL = "w : volt * second (constant)   # rate-model W[i, j] in mV s"
SYNAPSE_ON_PRE = "h_post += lam_post * w / (tau_r * tau_d_post)"

# Single-exponential synapse (tau_r = 0; the reference's ``tr == 0`` branch): the traces
# decay, and a spike jumps them by 1/tau_d (unit area) in the same step, after the decay.
SINGLE_TRACE_UPDATE = """
I_syn = I_syn * decay_d
r = r * decay_d
"""
SINGLE_RESET = """
v = v_reset
r += 1 / tau_d
"""
SINGLE_ON_PRE = "I_syn_post += lam_post * w / tau_d_post"


def synapse_code(tau_r_s: float) -> tuple:
    """(trace update, reset, on_pre) of the double-exponential synapse, or of the
    single-exponential one when ``tau_r_s`` is 0."""
    if tau_r_s == 0:
        return SINGLE_TRACE_UPDATE, SINGLE_RESET, SINGLE_ON_PRE
    return TRACE_UPDATE, RESET, SYNAPSE_ON_PRE

READOUT_MODEL = """
w_out : second (constant)
o_post = lam_pre * w_out * r_pre : 1 (summed)
"""
