"""Export a converted LIF network as a self-contained, readable Brian2 script.

:func:`write_brian2_script` writes ``NAME.py`` (imports only brian2, numpy, argparse and
pathlib; matplotlib optionally, for ``--plot``) and ``NAME.npz`` with its data:

* ``W_rec`` (N, N) = lambda * W_rate in **mV s** (row = receiving unit), ``W_in`` (N, n_in) in
  **mV**, ``W_out`` (N,) = lambda * W_out in **s**, ``tau_d_s`` (N,) in **s**;
* ``v0_mV`` (N,): the initial voltages, by default exactly those rate2spike draws for trial 0
  (U(v_reset, v_init_high) from ``np.random.default_rng([seed, 0])``);
* ``inputs`` (n_in, steps): the dimensionless stimulus u(t), one column per ``stim_dt_s`` s;
* every :class:`~rate2spike.lif_models.LIFConstants` field as a scalar (``dt_s``, ``v_th_mV``,
  ...), plus ``scale_s`` and ``lambda``.

The script builds ONE copy of the model of :mod:`rate2spike.brian_models.lif` with the same
equations (the input current W_in u read from a table of its values per unit and stimulus
sample, as that model does for nets of more than 8 inputs) and per-step schedule (membrane
Euler step, threshold, double-exponential traces with precomputed decay factors
``after_thresholds``, synapses, reset, refractory period) and
the same readout o = sum_i W_out[i] r_i (+ ``readout_offset``: with a calibrated readout its
weights are ``W_out``) sampled every ``readout_dt_s`` on a clock of its own.
Without noise (``--no-noise``) it reproduces rate2spike's spikes step for step and its outputs
to rounding. With noise it does not reproduce rate2spike's trials: the script uses Brian2's
``xi`` (noise_mV * N(0, 1) per step, seeded by ``--seed``), rate2spike a counter-based
generator of its own (:mod:`rate2spike.brian_models.noise`), so only the statistics match.
Not exported: rate2spike's optional artificial stimulation protocol (``Stimulation`` kicks),
and the batching of many trials/scales in one group (the script runs one trial at one s).
"""
from __future__ import annotations

import io
from dataclasses import asdict
from pathlib import Path

import numpy as np

from ..artifacts import atomic_write_bytes, atomic_write_text
from ..brian_models.lif import synaptic_lambda
from ..brian_models.lif_equations import RESET, TRACE_EQUATIONS, TRACE_UPDATE
from ..errors import Rate2SpikeError
from ..lif_models import LIFNetwork
from ..version import __version__

SCRIPT_TEMPLATE = '''\
#!/usr/bin/env python
__HEADER__
# Run:  python __NAME__.py [--duration SECONDS] [--no-noise] [--target numpy|cython|cpp_standalone]
#                          [--out results.npz] [--plot figure.png]     (python __NAME__.py -h)
"""Brian2 simulation of a converted LIF network (Kim, Li & Sejnowski 2019), one trial.

Data: __NAME__.npz next to this file (weights already scaled by lambda = 1/s).
Units: voltages mV, times s; W_rec mV s, W_in mV, W_out s; the readout o is dimensionless.
Same model and per-step schedule as rate2spike.brian_models.lif; the voltage noise is
Brian2's xi (noise_mV * N(0, 1) per step), not rate2spike's generator.
"""
import argparse
from pathlib import Path

import brian2 as b2
import numpy as np

RECORDED_UNITS = [0, 1, 2, 3, 4]  # units whose v and I_syn are recorded every step (edit freely)

# One copy of the model of rate2spike/brian_models/lif.py (weights already scaled by lambda, no
# per-copy trial/lambda/noise-stream variables); the traces, their update and the reset are
# inserted from there.
NEURON_EQUATIONS = """
dv/dt = (I_syn + v_bias + I_ext - v) / tau_m{noise_term} : volt (unless refractory)
I_ext = mV * input_current(t, i) : volt   # (W_in u)(t) of unit i; W_in in mV, u dimensionless
__TRACE_EQUATIONS__"""
# Run every step after the threshold, with h *before* this step's spikes.
TRACE_UPDATE = """__TRACE_UPDATE__"""
RESET = """__RESET__"""
SYNAPSE_MODEL = "w : volt * second (constant)   # lambda * W[i, j]"
SYNAPSE_ON_PRE = "h_post += w / (tau_r * tau_d_post)"
READOUT_MODEL = """
w_out : second (constant)  # lambda * W_out[i]
o_post = w_out * r_pre : 1 (summed)
"""


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, metavar="SECONDS",
                        help="simulated time (default: the whole stimulus)")
    parser.add_argument("--no-noise", action="store_true", help="no voltage noise")
    parser.add_argument("--no-refractory", action="store_true", help="no refractory period")
    parser.add_argument("--target", choices=["numpy", "cython", "cpp_standalone"], default="numpy",
                        help="Brian2 code target (default numpy: needs no compiler)")
    parser.add_argument("--seed", type=int, default=__SEED__, help="seed of Brian2's noise")
    parser.add_argument("--data", type=Path, default=Path(__file__).with_suffix(".npz"),
                        help="the network's arrays (default: __NAME__.npz next to this script)")
    parser.add_argument("--out", type=Path, default=Path("__NAME___results.npz"),
                        help="results: spikes, readout samples, recorded v and I_syn (mV)")
    parser.add_argument("--plot", type=Path, help="save a figure here (needs matplotlib)")
    return parser.parse_args()


def build_network(data, args):
    """Brian2 objects of the network; returns (network, neurons, output/spike/state monitors)."""
    dt = float(data["dt_s"]) * b2.second
    n_units = data["W_in"].shape[0]
    namespace = {
        "tau_m": float(data["tau_m_s"]) * b2.second, "v_bias": float(data["v_bias_mV"]) * b2.mV,
        "v_th": float(data["v_th_mV"]) * b2.mV, "v_reset": float(data["v_reset_mV"]) * b2.mV,
        "tau_r": float(data["tau_r_s"]) * b2.second,
        "decay_r": float(np.exp(-float(data["dt_s"]) / float(data["tau_r_s"]))),
        # Euler-Maruyama adds noise_sigma * sqrt(dt) * N(0, 1) = noise_mV * N(0, 1) per step
        "noise_sigma": float(data["noise_mV"]) * b2.mV / np.sqrt(dt),
        # (W_in u)(t) for every unit, (stimulus steps, units): one table lookup per unit and step,
        # whatever the number of inputs (a sum of one term per input would be parsed recursively)
        "input_current": b2.TimedArray((data["W_in"] @ data["inputs"]).T.copy(),
                                       dt=float(data["stim_dt_s"]) * b2.second),
    }
    noisy = not args.no_noise and float(data["noise_mV"]) > 0
    equations = NEURON_EQUATIONS.format(
        noise_term=" + noise_sigma * xi" if noisy else "")
    b2.defaultclock.dt = dt
    refractory = 0.0 if args.no_refractory else float(data["refractory_s"])
    neurons = b2.NeuronGroup(n_units, equations, threshold="v >= v_th", reset=RESET,
                             refractory=refractory * b2.second, method="euler",
                             namespace=namespace, name="lif")
    neurons.run_regularly(TRACE_UPDATE, when="after_thresholds", name="lif_traces")
    neurons.v = data["v0_mV"] * b2.mV
    neurons.tau_d = data["tau_d_s"] * b2.second
    neurons.decay_d = np.exp(-float(data["dt_s"]) / data["tau_d_s"])
    post, pre = np.nonzero(data["W_rec"])
    recurrent = b2.Synapses(neurons, neurons, SYNAPSE_MODEL, on_pre=SYNAPSE_ON_PRE,
                            namespace=namespace, name="recurrent")
    if len(pre):
        recurrent.connect(i=pre, j=post)
        recurrent.w = data["W_rec"][post, pre] * b2.mV * b2.second
    # The readout o is summed at the start of each readout step from the traces at
    # t = k * readout_dt and recorded at its end: sample k is o(k * readout_dt).
    readout_dt = int(round(float(data["readout_dt_s"]) / float(data["dt_s"]))) * dt
    readout = b2.NeuronGroup(1, "o : 1", dt=readout_dt, name="readout")
    readout_synapses = b2.Synapses(neurons, readout, READOUT_MODEL, dt=readout_dt,
                                   name="readout_synapses")
    readout_synapses.connect(i=np.arange(n_units), j=np.zeros(n_units, dtype=int))
    readout_synapses.w_out = data["W_out"] * b2.second
    output_monitor = b2.StateMonitor(readout, "o", record=0, dt=readout_dt, when="end")
    spike_monitor = b2.SpikeMonitor(neurons)
    recorded = [unit for unit in RECORDED_UNITS if unit < n_units]
    state_monitor = b2.StateMonitor(neurons, ["v", "I_syn"], record=recorded)
    network = b2.Network(neurons, recurrent, readout, readout_synapses, output_monitor,
                         spike_monitor, state_monitor)
    return network, neurons, output_monitor, spike_monitor, state_monitor


def plot(path, spikes, outputs, states):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot")
        return
    fig, axes = plt.subplots(3, 1, sharex=True, figsize=(8, 7))
    axes[0].plot(spikes["spike_time_s"], spikes["spike_unit"], ".", ms=1)
    axes[0].set_ylabel("unit")
    axes[1].plot(outputs["output_time_s"], outputs["output"])
    axes[1].set_ylabel("output o")
    axes[2].plot(states["state_time_s"], states["v_mV"].T, lw=0.5)
    axes[2].set(ylabel="v (mV)", xlabel="time (s)")
    fig.savefig(path, dpi=120)
    print(f"plot: {path}")


def main():
    args = parse_arguments()
    data = dict(np.load(args.data))
    if args.duration is None:
        args.duration = data["inputs"].shape[1] * float(data["stim_dt_s"])
    if args.target == "cpp_standalone":
        b2.set_device("cpp_standalone", directory=str(args.out.with_suffix("")) + "_standalone")
    else:
        b2.prefs.codegen.target = args.target
    b2.seed(args.seed)
    network, neurons, output_monitor, spike_monitor, state_monitor = build_network(data, args)
    network.run(args.duration * b2.second, report="text" if args.duration > 2 else None)
    spikes = {"spike_unit": np.asarray(spike_monitor.i), "spike_time_s": np.asarray(spike_monitor.t)}
    offset = float(data.get("readout_offset", 0.0))  # a calibrated readout's offset
    outputs = {"output_time_s": np.asarray(output_monitor.t),
               "output": np.asarray(output_monitor.o[0]) + offset}
    states = {"state_time_s": np.asarray(state_monitor.t), "state_units": np.asarray(state_monitor.record),
              "v_mV": np.asarray(state_monitor.v) * 1e3, "I_syn_mV": np.asarray(state_monitor.I_syn) * 1e3}
    np.savez(args.out, **spikes, **outputs, **states)
    rate_hz = len(spikes["spike_unit"]) / (len(neurons) * args.duration)
    print(f"{len(spikes['spike_unit'])} spikes ({rate_hz:.1f} Hz per unit) in {args.duration:g} s; "
          f"final output {outputs['output'][-1]:.4f}; results: {args.out}")
    if args.plot:
        plot(args.plot, spikes, outputs, states)


if __name__ == "__main__":
    main()
'''


def _header(network: LIFNetwork, seed: int) -> str:
    lines = [f"Written by rate2spike {__version__} (rate2spike.exporters.brian2_script).",
             f"Scale s = {network.s!r}, lambda = 1/s = {float(synaptic_lambda(network.s))!r}; "
             f"N = {network.n_units}; initial voltages: seed {seed}."]
    lines += [f"Source {key}: {' '.join(str(value).split())[:90]}"
              for key, value in sorted(network.meta.items())]
    return "\n".join(f"# {line}" for line in lines)


def export_arrays(network: LIFNetwork, inputs=None, stim_dt_s: float = 0.005, v0_mV=None,
                  seed: int = 0) -> dict:
    """The arrays of the script's ``.npz`` (units in the module docstring). ``inputs``
    (n_in, steps) default to one second of zeros; ``v0_mV`` (N,) to rate2spike's trial 0."""
    rate, c = network.rate, network.constants
    lam = float(synaptic_lambda(network.s))
    n_in = rate.W_in.shape[1]
    if (c.input_switch, c.start_hold_s, c.refractory_holds) != ("floor", 0.0, "v"):
        raise Rate2SpikeError("the Brian2 script export writes the default LIF timing "
                              "(input_switch floor, start_hold_s 0, refractory_holds v); this net "
                              "uses the reference's timing details, which it cannot write yet")
    if c.tau_r_s == 0:
        raise Rate2SpikeError("the Brian2 script export writes the double-exponential synapse "
                              "(tau_r_s > 0); a single-exponential net (tau_r_s = 0) cannot be "
                              "exported yet")
    if not np.isfinite(stim_dt_s) or stim_dt_s <= 0:
        raise Rate2SpikeError(f"stim_dt_s must be a positive number of seconds, got {stim_dt_s}")
    if inputs is None:
        inputs = np.zeros((n_in, int(round(1.0 / stim_dt_s))))
    inputs = np.asarray(inputs, float)
    if inputs.ndim != 2 or inputs.shape[0] != n_in or inputs.shape[1] < 1:
        raise Rate2SpikeError(f"inputs must have shape ({n_in}, steps), got {inputs.shape}")
    if v0_mV is None:  # as rate2spike.simulators.lif.initial_voltages([0], N, c, seed)
        span = c.v_init_high_mV - c.v_reset_mV
        v0_mV = c.v_reset_mV + np.random.default_rng([int(seed), 0]).random(network.n_units) * span
    v0_mV = np.asarray(v0_mV, float)
    if v0_mV.shape != (network.n_units,):
        raise Rate2SpikeError(f"v0_mV must have shape ({network.n_units},), got {v0_mV.shape}")
    arrays = {"W_rec": lam * rate.W_rec, "W_in": np.asarray(rate.W_in, float),
              "W_out": (lam * np.asarray(rate.W_out, float).reshape(-1) if network.readout is None
                        else np.asarray(network.readout_weights_s, float)),
              "readout_offset": np.float64(network.readout_offset),
              "tau_d_s": np.asarray(rate.tau_d_s, float), "v0_mV": v0_mV, "inputs": inputs,
              "stim_dt_s": np.float64(stim_dt_s), "scale_s": np.float64(network.s),
              "lambda": np.float64(lam)}
    arrays.update({name: np.float64(value) for name, value in asdict(c).items()
                   if not isinstance(value, str)})      # the timing switches are the defaults
    return arrays


def write_brian2_script(network: LIFNetwork, path, inputs=None, stim_dt_s: float = 0.005,
                        v0_mV=None, seed: int = 0):
    """Write ``NAME.py`` and ``NAME.npz`` (``path`` = NAME, NAME.py or NAME.npz) and return
    their paths (py_path, npz_path).

    inputs : (n_in, steps) dimensionless stimulus, one column per ``stim_dt_s`` seconds
        (default: one second of zeros); v0_mV : (N,) initial voltages in mV (default: those
        rate2spike draws for trial 0 with ``seed``). The folder must exist.
    """
    path = Path(path)
    if path.suffix in (".py", ".npz"):
        path = path.with_suffix("")
    if not path.parent.is_dir():
        raise Rate2SpikeError(f"folder {path.parent} does not exist")
    if not path.name.isidentifier():
        raise Rate2SpikeError(f"script name {path.name!r} must be a Python identifier")
    py_path, npz_path = path.with_name(path.name + ".py"), path.with_name(path.name + ".npz")
    arrays = export_arrays(network, inputs, stim_dt_s, v0_mV, seed)
    script = (SCRIPT_TEMPLATE.replace("__HEADER__", _header(network, seed))
              .replace("__TRACE_EQUATIONS__", TRACE_EQUATIONS)
              .replace("__TRACE_UPDATE__", TRACE_UPDATE).replace("__RESET__", RESET)
              .replace("__NAME__", path.name).replace("__SEED__", str(int(seed))))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    atomic_write_bytes(npz_path, buffer.getvalue())
    try:
        atomic_write_text(py_path, script)
    except BaseException:
        npz_path.unlink(missing_ok=True)      # never half a pair
        raise
    return py_path, npz_path
