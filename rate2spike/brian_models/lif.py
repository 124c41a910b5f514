"""Equation-level Brian2 LIF network of Kim, Li & Sejnowski (2019).

Read next to ``docs/concepts.md`` ("The LIF network, step by step"). Per step
(dt = 0.05 ms), in Brian2's schedule order:

1. ``groups``: Euler step of the membrane,
   ``tau_m dv/dt = -v + I_syn + v_bias + I_ext`` plus ``noise_mV`` * N(0, 1) per step (drawn
   by the counter-based :func:`~rate2spike.brian_models.noise.counter_normal` when the model's
   ``noise_source`` is "counter", by Brian2's ``xi`` when it is "brian");
2. ``thresholds``: spike if ``v >= v_th`` (and not refractory);
3. ``after_thresholds``: the double-exponential traces decay with precomputed factors
   (``I_syn <- I_syn e^{-dt/tau_d} + h dt``, ``h <- h e^{-dt/tau_r}``; same for the readout
   trace ``r``, ``h_r``), using ``h`` *before* this step's spikes, as the reference;
4. ``synapses``: each spike of unit j adds ``lambda W[i, j] / (tau_r tau_d[i])`` to ``h`` of i;
5. ``resets``: ``v <- v_reset`` and ``h_r += 1 / (tau_r tau_d)`` for the spiking unit.

With ``tau_r_s = 0`` the synapse is single-exponential (the reference's ``tr == 0`` branch):
step 3 only decays ``I_syn`` and ``r``, step 4 adds ``lambda W[i, j] / tau_d[i]`` to ``I_syn``
of i and step 5 adds ``1 / tau_d`` to ``r`` (:func:`synapse_code`).

The readout is ``o = sum_i lambda W_out[i] r_i``, with r in Hz and W_out in seconds (kernels
of unit area in seconds). It is *sampled* every ``readout_dt_s`` (default 0.5 ms = 10 LIF
steps; the reference evaluates it every step): the samples are exact values of the same o(t),
and summing 200 traces per copy every step cost more than the whole membrane update.

Optional artificial stimulation (:class:`~rate2spike.lif_models.Stimulation`, the reference's
protocol) runs right after step 1 (``groups``, order 1): inside the window each chosen unit's
v jumps by +-kick when the copy's coin for this step comes up (one coin per copy and step from
the counter-based draws, or Brian2's ``rand()`` per unit on the "brian" noise source); not
while refractory: Brian2 holds v fixed then, against every write.

Many independent *copies* (trial x scale) share one group: copy c owns neurons ``c*N ...
c*N + N - 1``, its own ``lam`` (= 1/s) and stimulus columns (inputs, or W_in u per unit).
Deviation from the reference, switchable (:class:`~rate2spike.lif_models.LIFConstants`,
``--preset reference``): by default the voltage noise and kicks are frozen with v during the
refractory period (``refractory_holds = "drift"``: only the drift stops, as the reference),
the input switches at the sample boundary (``input_switch = "round"``: half a sample early,
as the reference's ``round(i/100)+1``) and v drifts from t = 0 (``start_hold_s = 0.002``: no
drift for the first 2 ms, as the reference's refractory test with ``tlast = 0``).
"""
from __future__ import annotations

from statistics import NormalDist

import numpy as np

from ..lif_models import LIFConstants, LIFNetwork, Stimulation
from ..lif_models.stimulation import COIN_UNIT
from .lif_equations import (
    NEURON_EQUATIONS,
    READOUT_MODEL,
    STIM_DECLS,
    STIMULATION,
    SYNAPSE_MODEL,
    synapse_code,
)
from .noise import brian_function
from .run_result import RunResult  # noqa: F401  (re-exported: what a run returns)

#: inputs summed term by term in the equation (``w_in_k * stimulus(t, k)``); with more, the table
#: holds W_in u per unit (Brian2 parses sums recursively: 784 terms overflow Python's recursion limit)
MAX_INPUT_TERMS = 8


def padded_synapse_count(n: int) -> int:
    """``n`` rounded up to a multiple of 2^(floor(log2 n) - 3), one of 8 counts per octave
    (< 12.5 % more, ~6 % on average): the compiled program's synapse count, so that the nets
    of a study (whose trained W_rec keep a different number of nonzero weights each, e.g.
    2,300-4,400 of 40,000 at N = 200) share a few programs
    (:mod:`rate2spike.simulators.build_cache`). The extra synapses weigh 0; they cost only
    when their unit spikes (measured: 25 % more synapses, 3 % more simulation time). 0 stays 0.

    >>> padded_synapse_count(3321), padded_synapse_count(3328), padded_synapse_count(7)
    (3328, 3328, 7)
    """
    if n <= 8:
        return max(int(n), 0)
    bucket = 1 << (int(n).bit_length() - 4)
    return -(-int(n) // bucket) * bucket


def synaptic_lambda(s) -> np.ndarray:
    """lambda = 1/s per copy: the one place where the scale becomes the factor that the
    recurrent synapses and the readout apply to the rate weights (``lam`` below)."""
    return 1.0 / np.asarray(s, float)


class LIFBatchModel:
    """The Brian2 objects for ``n_copies`` copies of one network structure.

    Build once with :meth:`build`, then :meth:`simulate` any stimulus/lambda per copy
    (on standalone devices the compiled program is re-run with ``run_args``).
    """

    def __init__(self, w_rec, w_in, w_out, tau_d_s, n_copies, n_steps_stim, stim_dt_s,
                 constants: LIFConstants, n_raster=2, record_state=(), record_neurons=(),
                 noise_source: str = "counter", stimulation: Stimulation | None = None,
                 record_dt_s: float | None = None, min_synapses: int = 0):
        self.w_rec = np.asarray(w_rec, float)
        self.min_synapses = int(min_synapses)    # e.g. a lesioned net's intact count
        self.w_in = np.asarray(w_in, float)
        self.w_out = np.asarray(w_out, float).reshape(-1)
        self.tau_d_s = np.asarray(tau_d_s, float)
        self.N = self.w_rec.shape[0]
        self.n_in = self.w_in.shape[1]
        self.n_copies = int(n_copies)
        self.n_steps_stim = int(n_steps_stim)
        self.stim_dt_s = float(stim_dt_s)
        self.c = constants
        self.n_raster = min(int(n_raster), self.n_copies)
        self.record_state = tuple(record_state)      # e.g. ("v", "I_syn"), for inspection
        self.record_neurons = list(record_neurons)   # global neuron indices to record
        self.record_dt_s = record_dt_s or constants.dt_s   # sampling interval of recordings
        self.stimulation = stimulation
        if noise_source not in ("counter", "brian"):
            raise ValueError(f"noise_source must be 'counter' or 'brian', got {noise_source!r}")
        self.noise_source = noise_source  # "counter": r2s_normal (C++/NumPy); "brian": xi
        self.objects = None

    @classmethod
    def from_network(cls, network: LIFNetwork, n_copies: int, n_steps_stim: int, stim_dt_s: float,
                     **options) -> "LIFBatchModel":
        """The model of ``n_copies`` copies of a converted network driven by a stimulus of
        ``n_steps_stim`` samples of ``stim_dt_s`` seconds. Its synapses hold the rate weights;
        each copy's lambda = 1/s is a run-time value (:func:`synaptic_lambda`), so one compiled
        program runs the network at any s. A calibrated readout enters as its weights times s
        (exact at the net's own s; its offset is added by the simulator). ``options``:
        ``n_raster``, ``record_state``, ``record_neurons``, ``record_dt_s``, ``noise_source``,
        ``stimulation``. A lesioned net keeps the synapse count of the intact one
        (``meta["lesion"]["synapses_before"]``), its removed synapses weighing 0: every point of
        a lesion study runs one compiled program."""
        r = network.rate
        # lambda * (readout weights * s) = the net's readout weights at its own s
        w_out = r.W_out if network.readout is None else network.readout_weights_s * network.s
        intact = int((network.meta.get("lesion") or {}).get("synapses_before", 0))
        return cls(r.W_rec, r.W_in, w_out, r.tau_d_s, n_copies, n_steps_stim, stim_dt_s,
                   network.constants, min_synapses=intact, **options)

    def synapse_slots(self) -> int:
        """Synapses in the compiled program: the nonzero weights (at least ``min_synapses``),
        padded (:func:`padded_synapse_count`); the extra ones weigh 0."""
        return padded_synapse_count(max(int(np.count_nonzero(self.w_rec)), self.min_synapses))

    def shape_signature(self) -> str:
        """What the compiled program depends on besides values read at run time (weights,
        time constants, stimulus): nets with equal signatures share a build-cache slot."""
        return repr((self.N, self.n_in, self.projects_inputs, self.n_copies, self.n_steps_stim,
                     self.stim_dt_s, self.synapse_slots(), self.c,
                     self.n_raster, self.record_state, len(self.record_neurons),
                     self.record_dt_s, self.noise_source, self.stimulation))

    @property
    def duration_s(self):
        return self.n_steps_stim * self.stim_dt_s

    @property
    def projects_inputs(self) -> bool:
        """Whether the stimulus table holds ``W_in u`` per unit (> MAX_INPUT_TERMS inputs), not u."""
        return self.n_in > MAX_INPUT_TERMS

    def _equations(self):
        lead = " + input_lead" if self.c.input_lead_steps(self.stim_dt_s) else ""
        terms, decls = f"stimulus(t{lead}, i)", ""      # more than MAX_INPUT_TERMS: W_in u
        if not self.projects_inputs:
            terms = " + ".join(f"w_in_{k} * stimulus(t{lead}, trial * {self.n_in} + {k})" for k in
                               range(self.n_in))
            decls = "\n".join(f"w_in_{k} : 1 (constant)" for k in range(self.n_in))
        gates = ([] if self.c.refractory_holds == "v" else ["int(not_refractory)"]) + (
            ["int(t_in_timesteps >= start_hold_steps)"] if self.c.start_hold_steps else [])
        noise = ""
        if self.c.noise_mV > 0:  # Euler: noise_mV * N(0, 1) added to v per step
            noise = (" + noise_sigma * xi" if self.noise_source == "brian" else
                     " + noise_step * r2s_normal(noise_stream, unit, t_in_timesteps) / dt")
        return NEURON_EQUATIONS.format(noise_term=noise, input_expr=f"mV * ({terms})",
                                       drift_gate="".join(f"{g} * " for g in gates),
                                       hold=" (unless refractory)"
                                       if self.c.refractory_holds == "v" else "",
                                       w_in_decls=decls,
                                       stim_decls=STIM_DECLS if self.stimulation else "")

    def _stimulation_code(self) -> str:
        p = self.stimulation.probability
        coin = (f"rand() < {p!r}" if self.noise_source == "brian" else
                f"r2s_normal(noise_stream, {COIN_UNIT}, t_in_timesteps) > "
                f"{NormalDist().inv_cdf(1 - p) if p < 1 else -1e9!r}")
        return STIMULATION.format(coin=coin)

    def build(self):
        """Create the Brian2 objects (current device) and return them."""
        import brian2 as b2

        c, N, C = self.c, self.N, self.n_copies
        dt = c.dt_s * b2.second
        namespace = {
            "tau_m": c.tau_m_s * b2.second, "v_bias": c.v_bias_mV * b2.mV,
            "v_th": c.v_th_mV * b2.mV, "v_reset": c.v_reset_mV * b2.mV,
            "tau_r": c.tau_r_s * b2.second,
            "decay_r": float(np.exp(-c.dt_s / c.tau_r_s)) if c.tau_r_s > 0 else 0.0,
            # Euler-Maruyama adds noise_sigma * sqrt(dt) * N(0,1) = noise_mV * N(0,1) per step
            "noise_sigma": c.noise_mV * b2.mV / np.sqrt(c.dt_s * b2.second),
            "noise_step": c.noise_mV * b2.mV,
            "input_lead": c.input_lead_steps(self.stim_dt_s) * dt,
            "start_hold_steps": c.start_hold_steps,
            "r2s_normal": brian_function(),
        }
        columns = C * (N if self.projects_inputs else self.n_in)
        stimulus = b2.TimedArray(np.zeros((self.n_steps_stim, columns)),
                                 dt=self.stim_dt_s * b2.second, name="stimulus")
        namespace["stimulus"] = stimulus
        # The network runs on Brian2's defaultclock (brian2cuda's synaptic code assumes it);
        # only the readout has a clock of its own.
        b2.defaultclock.dt = dt
        trace_update, reset, on_pre = synapse_code(c.tau_r_s)
        G = b2.NeuronGroup(C * N, self._equations(), threshold="v >= v_th", reset=reset,
                           refractory=c.refractory_s * b2.second, method="euler",
                           namespace=namespace, name="lif")
        G.run_regularly(trace_update, when="after_thresholds", name="lif_traces")
        if self.stimulation is not None:
            first, end = self.stimulation.steps(c.dt_s)
            namespace.update(stim_first_step=first, stim_end_step=end)
            G.run_regularly(self._stimulation_code(), when="groups", order=1,
                            name="lif_stimulation")
        copy_of = np.repeat(np.arange(C), N)
        unit_of = np.tile(np.arange(N), C)
        G.trial = copy_of
        G.unit = unit_of
        G.tau_d = np.tile(self.tau_d_s, C) * b2.second
        G.decay_d = np.exp(-c.dt_s / np.tile(self.tau_d_s, C))
        for k in range(0 if self.projects_inputs else self.n_in):
            setattr(G, f"w_in_{k}", self.w_in[unit_of, k])
        if self.stimulation is not None:
            G.stim_kick = self.stimulation.kicks_mV(N)[unit_of] * b2.mV
        post, pre = np.nonzero(self.w_rec)
        weights = self.w_rec[post, pre]
        # zero-weight self-synapses, spread over the units, up to the padded count: they add
        # exactly 0 and make the program the same for every net of similar density
        extra = np.arange(self.synapse_slots() - len(pre)) % N
        post, pre = np.concatenate([post, extra]), np.concatenate([pre, extra])
        weights = np.concatenate([weights, np.zeros(len(extra))])
        offsets = np.repeat(np.arange(C) * N, len(pre))
        S = None                 # Brian2 refuses a Synapses object without synapses
        if len(pre):
            S = b2.Synapses(G, G, SYNAPSE_MODEL, on_pre=on_pre, namespace=namespace,
                            name="recurrent")
            S.connect(i=np.tile(pre, C) + offsets, j=np.tile(post, C) + offsets)
            S.w = np.tile(weights, C) * b2.mV * b2.second
        readout_dt = c.readout_stride * dt
        R = b2.NeuronGroup(C, "o : 1", dt=readout_dt, name="readout")
        RS = b2.Synapses(G, R, READOUT_MODEL, dt=readout_dt, name="readout_synapses")
        RS.connect(i=np.arange(C * N), j=copy_of)
        RS.w_out = np.tile(self.w_out, C) * b2.second
        # o is summed at the start of each readout step (from the traces as they are at time
        # t = k * readout_dt) and recorded at the end of that step: sample k is o(k * readout_dt).
        out_mon = b2.StateMonitor(R, "o", record=True, dt=readout_dt, when="end",
                                  name="output_monitor")
        spike_mon = b2.SpikeMonitor(G, name="spikes")
        net = b2.Network(G, R, RS, out_mon, spike_mon)
        if S is not None:
            net.add(S)
        state_mon = None
        if self.record_state:
            state_mon = b2.StateMonitor(G, list(self.record_state), record=self.record_neurons,
                                        dt=self.record_dt_s * b2.second, name="state_monitor")
            net.add(state_mon)
        self.objects = dict(G=G, S=S, R=R, RS=RS, out=out_mon, spikes=spike_mon,
                            state=state_mon, stimulus=stimulus, net=net)
        return self.objects

    def checked_inputs(self, inputs) -> np.ndarray:
        """``inputs`` as float64, refused unless of shape (copies, n_in, steps)."""
        inputs = np.asarray(inputs, float)
        if inputs.shape != (self.n_copies, self.n_in, self.n_steps_stim):
            raise ValueError(f"inputs must have shape {(self.n_copies, self.n_in, self.n_steps_stim)},"
                             f" got {inputs.shape}")
        return inputs

    def stimulus_table(self, inputs: np.ndarray) -> np.ndarray:
        """(copies, n_in, steps) inputs -> TimedArray values (steps, copies * n_in); with more than
        MAX_INPUT_TERMS inputs, ``W_in u`` per unit instead: (steps, copies * N), column c * N + unit."""
        inputs = self.checked_inputs(inputs)
        if self.projects_inputs:        # (copies, N, steps) = W_in @ u[c], then steps first
            return np.ascontiguousarray(np.matmul(self.w_in, inputs).transpose(2, 0, 1).reshape(
                self.n_steps_stim, self.n_copies * self.N))
        return np.ascontiguousarray(
            inputs.transpose(2, 0, 1).reshape(self.n_steps_stim, self.n_copies * self.n_in))

    def collect(self, sim_time_s, build_time_s=0.0) -> RunResult:
        o = self.objects
        outputs = np.asarray(o["out"].o)  # (copies, steps)
        i_all = np.asarray(o["spikes"].i)
        t_all = np.asarray(o["spikes"].t)
        counts = np.bincount(i_all, minlength=self.n_copies * self.N).reshape(self.n_copies, self.N)
        state = {}
        if o["state"] is not None:  # SI values: volt, second^-1, ...
            state = {name: np.asarray(getattr(o["state"], name)) for name in self.record_state}
        res = RunResult(outputs, counts, [], list(range(self.n_raster)), self.c.dt_s,
                            self.duration_s, sim_time_s, self.c.readout_stride * self.c.dt_s,
                            build_time_s, state, i_all, t_all)
        res.raster = [res.copy_raster(c) for c in range(self.n_raster)]
        return res
