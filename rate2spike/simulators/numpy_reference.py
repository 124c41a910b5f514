"""Independent NumPy simulator of the converted LIF network (backend ``reference``).

Not Brian2: the fact sheet's per-step update ("LIF network" in
``docs/concepts.md``, "The LIF network, step by step") written out directly as vectorised NumPy over
(copies, units) arrays, so that the Brian2 model can be cross-checked against code that
shares nothing with it but the equations. Per step n (t = n dt), in the same order as the
Brian2 schedule:

0. readout sample (every ``readout_stride`` steps): ``o = lambda * W_out . r``;
1. units out of their refractory period integrate
   ``v += dt/tau_m (I_syn + v_bias + W_in u(t) - v) + noise_mV * N(0, 1)`` (the timing
   switches of :class:`~rate2spike.lif_models.LIFConstants`: the input sample read
   ``input_lead_steps`` early; no drift for ``start_hold_s``; with ``refractory_holds =
   "drift"`` refractory units still get the noise and kicks);
2. spikes where ``v >= v_th`` (and not refractory);
3. traces: ``I_syn = I_syn e^{-dt/tau_d} + h dt``, ``h = h e^{-dt/tau_r}``, same for (r, h_r);
4. ``h[i] += lambda W[i, j] / (tau_r tau_d[i])`` for every spike of j;
5. reset ``v = v_reset``, ``h_r += 1/(tau_r tau_d)``, refractory for ``refractory_s``.

With ``tau_r_s = 0`` (single-exponential synapse, the reference's ``tr == 0`` branch) h and
h_r stay 0: step 4 adds ``lambda W[i, j] / tau_d[i]`` to ``I_syn`` and step 5 ``1/tau_d`` to r.

With a :class:`~rate2spike.lif_models.Stimulation`, step 1 is followed by its kicks: inside the
window, with the stimulation's probability per step and copy (one coin for all chosen units),
v of each chosen unit out of its refractory period jumps by +-kick_mV.

Units: mV, seconds, Hz (as in :mod:`rate2spike.brian_models.lif`). By default the noise
comes from NumPy's generator seeded per run, so the two simulators agree statistically, not
spike for spike (with the noise off they agree to rounding). Given ``noise_streams``, it uses
the same counter-based draws as the compiled model instead, and then agrees with it spike
for spike with the noise on too.
"""
from __future__ import annotations

import time
from statistics import NormalDist

import numpy as np

from ..brian_models.lif import RunResult, synaptic_lambda
from ..brian_models.noise import counter_normal
from ..lif_models import LIFConstants, Stimulation
from ..lif_models.stimulation import COIN_UNIT
from .base import Backend


def simulate_reference(w_rec, w_in, w_out, tau_d_s, inputs, stim_dt_s: float, lam, v0_mV,
                       constants: LIFConstants, seed=0, noise_streams=None,
                       stimulation: Stimulation | None = None) -> RunResult:
    """Simulate copies of one network.

    w_rec (N, N) mV s; w_in (N, n_in) mV; w_out (N,) or (1, N) s; tau_d_s (N,) s;
    inputs (copies, n_in, stim_steps) sampled every ``stim_dt_s`` s; lam (copies,);
    v0_mV (copies * N,); seed: NumPy generator seed of the noise, or noise_streams (copies,)
    for the counter-based draws of :mod:`rate2spike.brian_models.noise`; lam (copies,) the
    factor lambda = 1/s of each copy; stimulation: optional kicks (see the module docstring;
    the coin is the counter-based draw of the compiled model when ``noise_streams`` is given).
    Returns a :class:`~rate2spike.brian_models.lif.RunResult`.
    """
    c = constants
    w_rec, w_in = np.asarray(w_rec, float), np.asarray(w_in, float)
    w_out, tau_d = np.asarray(w_out, float).reshape(-1), np.asarray(tau_d_s, float)
    inputs = np.asarray(inputs, float)
    n_copies, n_units = inputs.shape[0], w_rec.shape[0]
    dt, stride = c.dt_s, c.readout_stride
    per_stim = int(round(stim_dt_s / dt))
    lead, hold_steps = c.input_lead_steps(stim_dt_s), c.start_hold_steps
    holds_v = c.refractory_holds == "v"
    n_steps = inputs.shape[2] * per_stim
    refractory_steps = int(round(c.refractory_s / dt))
    lam = np.asarray(lam, float).reshape(n_copies, 1)
    single = c.tau_r_s == 0        # single-exponential synapse: spikes jump I_syn and r
    decay_d = np.exp(-dt / tau_d)
    decay_r = 0.0 if single else np.exp(-dt / c.tau_r_s)
    # what a spike adds (times lambda W): to h (1/s^2), or straight to I_syn and r (1/s)
    kick = 1.0 / tau_d if single else 1.0 / (c.tau_r_s * tau_d)
    w_rec_t = w_rec.T * kick                             # row j: what a spike of j adds to h
    drive = np.einsum("cks,nk->scn", inputs, w_in)       # (stim_steps, copies, N) mV
    rng = np.random.default_rng(seed)
    if noise_streams is not None:
        streams = np.asarray(noise_streams).reshape(n_copies, 1)
        units = np.arange(n_units).reshape(1, n_units)

    stim_first, stim_end, kicks, coin_threshold = 0, 0, 0.0, 0.0
    if stimulation is not None:
        stim_first, stim_end = stimulation.steps(dt)
        kicks = stimulation.kicks_mV(n_units)[None, :]
        p = stimulation.probability
        coin_threshold = NormalDist().inv_cdf(1 - p) if p < 1 else -np.inf
    v = np.asarray(v0_mV, float).reshape(n_copies, n_units).copy()
    i_syn, h, r, h_r = (np.zeros((n_copies, n_units)) for _ in range(4))
    last_spike = np.full((n_copies, n_units), -10 * refractory_steps - 1)
    outputs = np.empty((n_copies, n_steps // stride + (n_steps % stride > 0)))
    spike_c, spike_n, spike_step = [], [], []
    start = time.perf_counter()
    for n in range(n_steps):
        if n % stride == 0:
            outputs[:, n // stride] = lam[:, 0] * (r @ w_out)
        active = (n - last_spike) >= refractory_steps
        column = min((n + lead) // per_stim, len(drive) - 1)
        dv = dt / c.tau_m_s * (i_syn + c.v_bias_mV + drive[column] - v)
        if n < hold_steps:
            dv = np.zeros_like(v)
        if c.noise_mV > 0 and noise_streams is None:
            noise = c.noise_mV * rng.standard_normal(v.shape)
        elif c.noise_mV > 0:
            noise = c.noise_mV * counter_normal(streams, units, n)
        else:
            noise = np.zeros_like(v)
        # "v": nothing moves a refractory v; "drift": noise (and kicks) still do
        v = np.where(active, v + (dv + noise), v if holds_v else v + noise)
        if stimulation is not None and stim_first <= n < stim_end:
            if noise_streams is None:
                coin = rng.random((n_copies, 1)) < stimulation.probability
            else:
                coin = counter_normal(streams, COIN_UNIT, n) > coin_threshold
            v += np.where(active | (not holds_v), coin * kicks, 0.0)
        spiking = (v >= c.v_th_mV) & active
        i_syn = i_syn * decay_d + h * dt
        h = h * decay_r
        r = r * decay_d + h_r * dt
        h_r = h_r * decay_r
        cs, ns = np.nonzero(spiking)
        if len(cs):
            np.add.at(i_syn if single else h, cs, lam[cs] * w_rec_t[ns])
            v[cs, ns] = c.v_reset_mV
            (r if single else h_r)[cs, ns] += kick[ns]
            last_spike[cs, ns] = n
            spike_c.append(cs), spike_n.append(ns), spike_step.append(np.full(len(cs), n))
    sim = time.perf_counter() - start
    cs = np.concatenate(spike_c) if spike_c else np.zeros(0, int)
    ns = np.concatenate(spike_n) if spike_n else np.zeros(0, int)
    steps = np.concatenate(spike_step) if spike_step else np.zeros(0, int)
    counts = np.zeros((n_copies, n_units), int)
    np.add.at(counts, (cs, ns), 1)
    return RunResult(outputs, counts, [], [], dt, n_steps * dt, sim, stride * dt, 0.0, {},
                         cs * n_units + ns, steps * dt)


class ReferenceBackend(Backend):
    """The NumPy simulator behind the backend interface. Its noise comes from NumPy's
    generator seeded with (seed, trial ids of the batch), so it agrees with Brian2
    statistically; the initial voltages and stimulus are the same as the Brian2 backends'."""

    device = "reference"

    def run_many(self, batches) -> list:
        out = []
        m = self.model
        for batch in batches:
            m.checked_inputs(batch.inputs)      # the Brian2 backends' argument check
            v0, ids, s = self.checked(batch)
            out.append(simulate_reference(m.w_rec, m.w_in, m.w_out, m.tau_d_s, batch.inputs,
                                          m.stim_dt_s, synaptic_lambda(s), v0, m.c,
                                          seed=[self.seed, *map(int, ids)],
                                          stimulation=m.stimulation))
        return out
