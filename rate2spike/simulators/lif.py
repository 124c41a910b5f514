"""Simulate a converted LIF network: the one entry point, :func:`simulate_lif`.

Every (scale s, trial) pair is an independent *copy* of the network; copies are simulated in
runs of one compiled structure (:func:`plan_runs`), several runs at once where the backend
allows. A trial's initial voltages and noise depend only on (seed, its trial id), so results
do not depend on how pairs are batched, and every s sees the same trials and noise (common
random numbers).

Example (not run by the doctests: compiling and running the C++ standalone takes ~15 s)

>>> from rate2spike import LIFNetwork, RateNetwork, simulate_lif, tasks   # doctest: +SKIP
>>> lif = LIFNetwork(RateNetwork.load("tests/data/gonogo_n200.npz"), s=25)  # doctest: +SKIP
>>> batch = tasks.get_task("gonogo").generate(20, seed=1)                 # doctest: +SKIP
>>> sim = simulate_lif(lif, batch.inputs, batch.dt_s)                     # doctest: +SKIP
>>> sim.runs[25.0].outputs.shape   # (trials, samples every 0.5 ms)  # doctest: +SKIP
(20, 2000)
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from tqdm.auto import tqdm

from ..brian_models.lif import LIFBatchModel
from ..errors import Rate2SpikeError
from ..lif_models import LIFConstants, LIFNetwork, Stimulation
from ..resources import check_memory
from ..validation import check_scales
from .backends import open_backend
from .base import CopyBatch, concurrent_runs, copies_limit

#: largest default number of network copies (trial x scale pairs) per compiled run: bigger
#: runs amortise the per-run cost (~0.25 s), smaller ones stay in cache. Measured on the default
#: Go/NoGo sweep (1,200 copies, N = 200, 2 processes): 100 -> 31.0 s, 200 -> 30.0 s, 300 -> 31.7 s.
DEFAULT_COPIES_PER_RUN = 200


def initial_voltages(trial_ids, n_units: int, c: LIFConstants, seed: int) -> np.ndarray:
    """Reference initial condition v(0) ~ U(v_reset, v_init_high) in mV, (len(trial_ids)*N,).
    Each trial's voltages depend only on (seed, trial id), not on its batch."""
    span = c.v_init_high_mV - c.v_reset_mV
    return np.concatenate([c.v_reset_mV + np.random.default_rng([int(seed), int(t)]).random(n_units)
                           * span for t in np.asarray(trial_ids).reshape(-1)])


def plan_runs(scales, n_trials: int, copies_per_run: int = 0, parallel: int = 1,
              device: str = "cpp_standalone"):
    """Split every (s, trial) pair into runs of one fixed size (the compiled batch).

    With ``copies_per_run = 0`` the size is chosen so that the number of runs is a multiple
    of ``parallel`` (runs done concurrently) and no run exceeds
    :data:`DEFAULT_COPIES_PER_RUN` copies (or the ``device``'s own limit,
    :func:`~.base.copies_limit`). Returns (runs, copies): ``runs`` is a list of
    lists of (s, trial_index) pairs, s by s in order, and ``copies`` the batch size (the
    last run is padded to it).
    """
    pairs = [(s, t) for s in scales for t in range(n_trials)]
    if not pairs:
        return [], 0
    if copies_per_run > 0:
        copies = min(copies_per_run, len(pairs))
    else:
        parallel = max(1, int(parallel))
        limit = copies_limit(device, DEFAULT_COPIES_PER_RUN)
        n_runs = parallel * -(-len(pairs) // (parallel * limit))
        copies = -(-len(pairs) // n_runs)
    return [pairs[a:a + copies] for a in range(0, len(pairs), copies)], copies


@dataclass
class RunChunk:
    """The trials of one scale s finished in one run: their positions ``trials`` in the input
    batch, outputs (k, samples), spike_counts (k, N), ``rasters`` {position: (units, times_s)}
    for the requested raster trials, their share of the run's wall time, and ``states``
    {position: {variable: (N, samples) SI values}} for the recorded trials."""

    s: float
    trials: np.ndarray
    outputs: np.ndarray
    spike_counts: np.ndarray
    rasters: dict
    sim_time_s: float
    states: dict = field(default_factory=dict)


class LIFSimulator:
    """A compiled LIF network of ``copies`` copies on one backend, fed (s, trial) runs.

    Use as a context manager; ``device``, ``warnings`` and ``build_time_s`` describe the
    backend actually used (after any fallback). ``stimulation``: optional
    :class:`~rate2spike.lif_models.Stimulation` of every copy; ``record``: variables (e.g.
    ``("v", "I_syn")``) recorded every ``readout_dt_s`` for the copies in ``record_slots``;
    ``torch_device``, ``torch_dtype``: see :func:`~.backends.open_backend`.
    """

    def __init__(self, network: LIFNetwork, n_steps: int, stim_dt_s: float, copies: int,
                 device: str = "cpp_standalone", seed: int = 0, build_dir=None,
                 processes: int | None = None, threads: int | None = None,
                 stimulation: Stimulation | None = None, record=(), record_slots=(),
                 torch_device: str = "cpu", torch_dtype: str = "float32"):
        self.network, self.seed = network, int(seed)
        n = network.n_units
        self.record_slots = sorted(int(c) for c in record_slots) if record else []
        model = LIFBatchModel.from_network(
            network, copies, n_steps, stim_dt_s, n_raster=0, stimulation=stimulation,
            record_state=tuple(record), record_dt_s=network.constants.readout_dt_s,
            record_neurons=[c * n + u for c in self.record_slots for u in range(n)])
        self.backend = open_backend(model, device, seed, build_dir, processes, threads,
                                    torch_device, torch_dtype)

    @property
    def device(self) -> str:
        return self.backend.device

    @property
    def warnings(self) -> list:
        return list(self.backend.warnings)

    @property
    def build_time_s(self) -> float:
        return self.backend.build_time_s

    @property
    def concurrency(self) -> int:
        return self.backend.concurrency

    def _batch(self, inputs, pairs, trial_ids) -> CopyBatch:
        n_copies = self.backend.model.n_copies
        pairs = list(pairs) + [pairs[-1]] * (n_copies - len(pairs))
        idx = np.array([t for _, t in pairs])
        ids = np.asarray(trial_ids)[idx]
        return CopyBatch(inputs[idx], np.array([s for s, _ in pairs]),
                         initial_voltages(ids, self.network.n_units, self.network.constants,
                                          self.seed), ids)

    def run(self, inputs: np.ndarray, runs, trial_ids, raster_trials=()):
        """Simulate ``runs`` (lists of (s, position in ``inputs``) pairs, e.g. from
        :func:`plan_runs`) in waves of :attr:`concurrency`; yields one :class:`RunChunk`
        per scale and run as soon as its wave is done. ``trial_ids`` (positions -> ids)
        name each trial's noise and initial voltages."""
        raster_trials = set(int(t) for t in raster_trials)
        for a in range(0, len(runs), self.concurrency):
            wave = runs[a:a + self.concurrency]
            results = self.backend.run_many([self._batch(inputs, p, trial_ids) for p in wave])
            for pairs, res in zip(wave, results):
                share = res.sim_time_s / len(pairs)
                for s in dict.fromkeys(s for s, _ in pairs):
                    copies = [c for c, (sc, _) in enumerate(pairs) if sc == s]
                    trials = np.array([pairs[c][1] for c in copies])
                    rasters = {int(pairs[c][1]): res.copy_raster(c) for c in copies
                               if pairs[c][1] in raster_trials}
                    outputs = res.outputs[copies] + self.network.readout_offset
                    yield RunChunk(s, trials, outputs, res.spike_counts[copies],
                                   rasters, share * len(copies), self._states(res, pairs, s))

    def _states(self, res, pairs, s) -> dict:
        """{trial position: {variable: (N, samples)}} of the recorded slots holding scale s
        and, as in the first run, the trial of their own position."""
        n, out = self.network.n_units, {}
        for k, c in enumerate(self.record_slots):
            if c < len(pairs) and pairs[c][0] == s and int(pairs[c][1]) == c:
                out[int(pairs[c][1])] = {name: values[k * n:(k + 1) * n]
                                         for name, values in res.state.items()}
        return out

    def close(self) -> None:
        self.backend.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@dataclass
class ScaleRun:
    """All trials at one s: outputs (trials, samples) sampled every ``readout_dt_s``,
    spike_counts (trials, N), rasters {trial: (units, times_s)}, sim_time_s, and states
    {trial: {variable: (N, samples) in SI units: v and I_syn in volt, r in Hz}}
    sampled every ``readout_dt_s`` for the recorded trials."""

    outputs: np.ndarray
    spike_counts: np.ndarray
    rasters: dict
    sim_time_s: float
    states: dict = field(default_factory=dict)

    def mean_rates_hz(self, duration_s: float, dale_sign, empty: float = 0.0) -> tuple:
        """(E, I): the mean firing rate (Hz) of the excitatory and of the inhibitory units over
        every trial of ``duration_s`` seconds; ``empty`` for a population without units."""
        rates = self.spike_counts / duration_s
        exc = np.asarray(dale_sign) > 0
        return tuple(float(rates[:, units].mean()) if units.any() else empty
                     for units in (exc, ~exc))


@dataclass
class LIFSimulation:
    """:func:`simulate_lif`'s result: one :class:`ScaleRun` per s, and how it was run."""

    runs: dict
    readout_dt_s: float
    device: str
    build_time_s: float
    warnings: list = field(default_factory=list)


def output_bytes_per_trial(n_steps: int, stim_dt_s: float, network: LIFNetwork) -> int:
    """Memory held per trial and scale by :func:`simulate_lif` (outputs + spike counts)."""
    samples = int(round(n_steps * stim_dt_s / network.constants.readout_dt_s))
    return 8 * (samples + network.n_units)


def check_record(record, record_trials, device: str, n_trials: int) -> list:
    """The sorted positions of ``record_trials`` after checking that ``device`` can record
    ``record`` and that each position is a trial of the batch (``n_trials``)."""
    if not record:
        return []
    if device in ("reference", "torch"):
        raise Rate2SpikeError(f"the {device} simulator (--device {device}) records no state "
                              "variables; use a Brian2 device (cpp_standalone, cython, numpy, "
                              "cuda_standalone) or leave out --record")
    positions = sorted({int(t) for t in record_trials})
    if positions and (positions[0] < 0 or positions[-1] >= n_trials):
        raise Rate2SpikeError(f"record_trials must lie in 0..{n_trials - 1}, got {positions}")
    return positions


def simulate_lif(network: LIFNetwork, inputs: np.ndarray, stim_dt_s: float, scales=None, *,
                 device: str = "cpp_standalone", seed: int = 0, trial_ids=None,
                 raster_trials=(), copies_per_run: int = 0, processes: int | None = None,
                 threads: int | None = None, build_dir=None,
                 stimulation: Stimulation | None = None, record=(),
                 record_trials=(), progress: bool = False, torch_device: str = "cpu",
                 torch_dtype: str = "float32") -> LIFSimulation:
    """Simulate ``network`` on ``inputs`` (trials, n_in, steps; one step = ``stim_dt_s`` s)
    at its own scale s, or at each of ``scales`` (the same conversion at other s).

    device : ``cpp_standalone`` (default), ``cython``, ``numpy``, ``cuda_standalone``,
    ``reference`` (the independent NumPy simulator) or ``torch`` (on ``torch_device``: cpu,
    cuda or auto, in ``torch_dtype``: float32 or float64); seed : noise and initial voltages;
    trial_ids : (trials,) ids naming each trial's noise (default 0 ... trials-1);
    raster_trials : trials whose spikes are kept in ``rasters``;
    stimulation : optional :class:`~rate2spike.lif_models.Stimulation` applied to every trial;
    record : state variables (``v``, ``I_syn``, ``h``, ``r``) recorded every ``readout_dt_s``
    for ``record_trials`` (positions in ``inputs``; the first run is made large enough to
    hold them all);
    a trial recorded at several s keeps the first s; progress : a progress bar of trials.
    Returns a :class:`LIFSimulation`.

    Example
    -------
    >>> from rate2spike import RateNetwork                                 # doctest: +SKIP
    >>> from rate2spike.converters import convert                         # doctest: +SKIP
    >>> from rate2spike.tasks import get_task                             # doctest: +SKIP
    >>> lif = convert(RateNetwork.load("tests/data/gonogo_n200.npz"), 25)   # doctest: +SKIP
    >>> batch = get_task("gonogo").generate(20, seed=1)                    # doctest: +SKIP
    >>> sim = simulate_lif(lif, batch.inputs, batch.dt_s, [20, 25, 30])   # doctest: +SKIP
    >>> sim.runs[25.0].outputs.shape, sim.runs[25.0].spike_counts.shape   # doctest: +SKIP
    ((20, 2000), (20, 200))
    """
    scales = sorted({*check_scales(list(scales))}) if scales is not None else [network.s]
    inputs = np.asarray(inputs, float)
    n_trials, _, n_steps = inputs.shape
    per_trial = output_bytes_per_trial(n_steps, stim_dt_s, network) * len(scales)
    check_memory(per_trial * n_trials, f"simulating {n_trials:,} trials at {len(scales)} scales",
                 per_trial)
    trial_ids = np.arange(n_trials) if trial_ids is None else np.asarray(trial_ids)
    runs, copies = plan_runs(scales, n_trials, copies_per_run, concurrent_runs(device, processes),
                             device)
    record_trials = check_record(record, record_trials, device, n_trials)
    if record_trials and record_trials[-1] >= copies:
        if copies_per_run:
            raise Rate2SpikeError(f"record_trials must be < copies_per_run ({copies}), got "
                                  f"{record_trials[-1]}")
        runs, copies = plan_runs(scales, n_trials, record_trials[-1] + 1)
    if stimulation is not None:
        stimulation.check(network.n_units, n_steps * stim_dt_s)
    got = {}
    with LIFSimulator(network, n_steps, stim_dt_s, copies, device, seed, build_dir, processes,
                      threads, stimulation, record, record_trials, torch_device,
                      torch_dtype) as sim:
        bar = tqdm(total=n_trials * len(scales), unit="trial", desc="LIF", disable=not progress)
        for chunk in sim.run(inputs, runs, trial_ids, raster_trials):
            bar.update(len(chunk.trials))
            if chunk.s not in got:
                got[chunk.s] = ScaleRun(np.empty((n_trials, chunk.outputs.shape[1])),
                                        np.zeros((n_trials, network.n_units), int), {}, 0.0)
            run = got[chunk.s]
            run.outputs[chunk.trials] = chunk.outputs
            run.spike_counts[chunk.trials] = chunk.spike_counts
            run.rasters.update(chunk.rasters)
            run.states.update(chunk.states)
            run.sim_time_s += chunk.sim_time_s
        bar.close()
        return LIFSimulation(got, network.constants.readout_stride * network.constants.dt_s,
                             sim.device, sim.build_time_s, sim.warnings)
