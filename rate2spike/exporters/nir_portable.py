"""The *portable* NIR graph of a converted LIF network: the form that Norse (``from_nir``) and
snnTorch (``import_from_nir``) load and simulate, built from the one neuron both implement
with a recurrent loop, ``CubaLIF``.

Both consumers run NIR in discrete time: a spike is 1 for one step (not a Dirac impulse),
spiking nodes integrate by forward Euler, and a recurrent loop delays by one step. snnTorch
1.0.0 fixes the step at ``PORTABLE_DT_S`` = 0.1 ms and requires ``v_leak = 0``, a uniform
threshold, ``r = tau_mem / dt`` and ``w_in = tau_syn / dt``; both reset v to 0. So the graph
is written for that step, in voltages shifted by ``-v_reset`` (reset 0, threshold
``v_th - v_reset``), and its synaptic current J is the membrane's drive per step:
``J = (dt / tau_m) I_total`` with ``I_total = I_syn + v_bias - v_reset + W_in u`` (mV).
The consumers' step, with a = 1 - dt / tau_syn and x the CubaLIF's input,

    J <- a J + x,   v <- (1 - dt / tau_m) v + J,   spike if v > v_th - v_reset, then v <- 0,

equals rate2spike's LIF step (``docs/concepts.md``, "The LIF network, step by step") with a
single-exponential synapse when ``tau_syn`` is chosen so that a = exp(-dt / tau_d) and

* recurrent spikes enter through ``recurrent_linear`` = Linear((dt / tau_m) lambda W / tau_d)
  and an identity ``recurrent_relay`` (a loop of three nodes: snnTorch 1.0.0 rewrites a
  loop of two into a graph that computes something else);
* the task input and the bias v_bias - v_reset, which drive v directly in rate2spike but
  would be low-pass filtered by the synapse here, enter *pre-compensated*: the graph's
  input at step n is ``[u~_n, u~_{n-1}]`` with ``u~ = [u, 1]`` (:func:`portable_inputs`),
  and ``input_linear`` = Linear((dt / tau_m) [W~, -a W~]) with ``W~ = [W_in, v_bias -
  v_reset]``, so that the input's part of J is exactly ``(dt / tau_m)(W_in u_n + v_bias -
  v_reset)`` at every step.

The readout is not in the graph (neither consumer runs an ``LI`` node): ``output`` gives the
spikes (N channels); :func:`readout_from_spikes` filters them as rate2spike does (each
spike adds 1 / tau_d to the unit's trace r, which decays with tau_d; ``o = lambda W_out r``,
or the calibrated readout), from the graph's ``metadata["readout"]``.

What the graph cannot carry is listed in ``metadata["approximations"]`` (empty: the profile
is *exact*, up to the threshold's ``>`` instead of ``>=``): a double-exponential synapse (the
rise tau_r is dropped), the refractory period, the voltage noise, a model step other than
0.1 ms, the reference's timing switches (the input's lead, the start hold), and initial
voltages other than v_reset (the graph starts every unit there; exact nets set
``v_init_high_mV = v_reset_mV``).
"""
from __future__ import annotations

import numpy as np

from ..errors import Rate2SpikeError
from ..lif_models import LIFNetwork
from ..version import __version__

#: the step (s) at which snnTorch 1.0.0's importer simulates every graph (Norse takes a dt)
PORTABLE_DT_S = 1e-4


def _approximations(network: LIFNetwork, dt_s: float) -> dict:
    c = network.constants
    found = {}
    if c.tau_r_s > 0:
        found["synaptic_rise"] = (f"the synapse's rise (tau_r = {c.tau_r_s} s) is dropped: a "
                                  "single-exponential synapse with the same tau_d")
    if c.refractory_s > 0:
        found["refractory_period"] = (f"the absolute refractory period ({c.refractory_s} s) has no "
                                      "NIR field and is dropped")
    if c.noise_mV > 0:
        found["voltage_noise"] = f"the voltage noise ({c.noise_mV} mV * N(0, 1) per step) is dropped"
    if not np.isclose(c.dt_s, dt_s, rtol=1e-9, atol=0):
        found["time_step"] = f"simulated at {dt_s} s per step instead of the model's {c.dt_s} s"
    if c.input_switch != "floor":
        found["input_switch"] = (f"the input switches at the start of each sample, not with the "
                                 f"reference's lead ({c.input_switch!r})")
    if c.start_hold_s > 0:
        found["start_hold"] = f"v is not held for the first {c.start_hold_s} s"
    if c.v_init_high_mV != c.v_reset_mV:
        found["initial_voltages"] = (f"every unit starts at v_reset; rate2spike draws v(0) from "
                                     f"U({c.v_reset_mV}, {c.v_init_high_mV}) mV per trial")
    return found


def portable_profile(network: LIFNetwork, dt_s: float = PORTABLE_DT_S) -> str:
    """``"exact"`` if the portable graph reproduces ``network`` (single-exponential synapse, no
    refractory period, no noise, a model step of ``dt_s``, every unit starting at v_reset), else
    ``"approximate"``."""
    return "approximate" if _approximations(network, dt_s) else "exact"


def to_portable_nir(network: LIFNetwork, dt_s: float = PORTABLE_DT_S):
    """The portable NIR graph of ``network`` for a step of ``dt_s`` seconds (see the module
    docstring). Its metadata holds the profile, the approximations, the step, the input
    layout and the readout."""
    import nir

    if dt_s <= 0 or not np.isfinite(dt_s):
        raise Rate2SpikeError(f"the portable graph's step must be a positive number of seconds, "
                              f"got {dt_s!r}")
    c, rate, n = network.constants, network.rate, network.n_units
    tau_d = np.asarray(rate.tau_d_s, float)
    decay = np.exp(-dt_s / tau_d)
    tau_syn = dt_s / (1.0 - decay)                      # 1 - dt / tau_syn = exp(-dt / tau_d)
    gain = dt_s / c.tau_m_s                             # mV of drive -> J
    w_tilde = np.hstack([np.asarray(rate.W_in, float), np.full((n, 1), c.v_bias_mV - c.v_reset_mV)])
    w_input = gain * np.hstack([w_tilde, -decay[:, None] * w_tilde])
    w_rec = gain * np.asarray(network.W_rec_scaled, float) / tau_d[:, None]
    lif = nir.CubaLIF(tau_syn=tau_syn, tau_mem=np.full(n, c.tau_m_s), r=np.full(n, c.tau_m_s / dt_s),
                      w_in=tau_syn / dt_s, v_leak=np.zeros(n), v_reset=np.zeros(n),
                      v_threshold=np.full(n, c.v_th_mV - c.v_reset_mV))
    nodes = {"input": nir.Input(input_type=np.array([w_input.shape[1]])),
             "input_linear": nir.Linear(weight=w_input),
             "lif": lif,
             "recurrent_linear": nir.Linear(weight=w_rec),
             "recurrent_relay": nir.Linear(weight=np.eye(n)),
             "output": nir.Output(output_type=np.array([n]))}
    # the loop's edges before the output's: Norse returns the node it reaches last
    edges = [("input", "input_linear"), ("input_linear", "lif"), ("lif", "recurrent_linear"),
             ("recurrent_linear", "recurrent_relay"), ("recurrent_relay", "lif"), ("lif", "output")]
    approximations = _approximations(network, dt_s)
    metadata = {
        "source": f"rate2spike {__version__}: rate RNN ({rate.task}, {rate.act}, N = {n}) "
                  "converted to LIF (Kim, Li & Sejnowski 2019), portable NIR profile",
        "profile": "approximate" if approximations else "exact",
        "approximations": approximations,
        "dt_s": float(dt_s),
        "time_semantics": "discrete: one step = dt_s; a spike is 1 for one step",
        "voltages": f"mV relative to v_reset ({c.v_reset_mV} mV)",
        "input_layout": "[u(n), 1, u(n-1), 1 (0 at n = 0)]: portable_inputs(u)",
        "n_task_inputs": int(rate.W_in.shape[1]),
        "task": rate.task,
        "scale_s": float(network.s),
        "readout": {"weights_s": np.asarray(network.readout_weights_s, float).reshape(-1),
                    "offset": float(network.readout_offset), "tau_d_s": tau_d,
                    "sample_every_s": float(c.readout_dt_s)},
    }
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata=metadata)


def portable_inputs(u: np.ndarray) -> np.ndarray:
    """The portable graph's input from the task input ``u`` (trials, n_in, steps; one step per
    graph step): (steps, trials, 2 (n_in + 1)) float32, time first as the consumers step.

    >>> portable_inputs(np.array([[[0.0, 1.0, 1.0]]]))[:, 0, :]
    array([[0., 1., 0., 0.],
           [1., 1., 0., 1.],
           [1., 1., 1., 1.]], dtype=float32)
    """
    u = np.asarray(u, float)
    n_trials, n_in, n_steps = u.shape
    now = np.concatenate([u, np.ones((n_trials, 1, n_steps))], axis=1)
    before = np.concatenate([np.zeros((n_trials, n_in + 1, 1)), now[:, :, :-1]], axis=2)
    return np.concatenate([now, before], axis=1).transpose(2, 0, 1).astype(np.float32)


def readout_from_spikes(spikes: np.ndarray, metadata: dict, stride: int = 1) -> np.ndarray:
    """The readout o (trials, samples) from the graph's spikes (steps, trials, N): each unit's
    trace r decays with its tau_d and steps up by 1 / tau_d at each of its spikes (Hz),
    ``o = weights_s . r + offset``; sample k is read before step k * ``stride`` (from the
    spikes of the steps before it, as rate2spike's readout)."""
    readout, dt_s = metadata["readout"], float(metadata["dt_s"])
    tau_d = np.asarray(readout["tau_d_s"], float)
    weights = np.asarray(readout["weights_s"], float)
    decay = np.exp(-dt_s / tau_d)
    n_steps, n_trials, _ = spikes.shape
    r = np.zeros((n_trials, len(tau_d)))
    out = np.empty((n_trials, -(-n_steps // stride)))
    for step in range(n_steps):
        if step % stride == 0:
            out[:, step // stride] = r @ weights
        r = r * decay + spikes[step] / tau_d   # one step at a time: spikes stay 0/1 float32
    return out + float(readout["offset"])
