"""Export a converted LIF network as a NIR graph (Neuromorphic Intermediate Representation).

NIR describes continuous-time dynamics; this graph uses **seconds** for time constants and
**mV** for voltages and currents, and a spike is a **unit-area Dirac impulse** (1/s). With N
units, n_in inputs, lambda = 1/s and the rate arrays W_in (N, n_in, mV), W_rec (N, N, mV s,
row = receiving unit), W_out (1, N, s) and tau_d (N,) in s:

``input`` (n_in) -> ``input_linear`` = Linear(W_in) -> ``lif``, where ``lif`` =
LIF(tau = tau_m, r = 1, v_leak = v_bias, v_threshold = v_th, v_reset = v_reset), i.e.
``tau_m dv/dt = v_bias - v + I_syn + W_in u``; spike and ``v <- v_reset`` at threshold.

Recurrent double-exponential synapse as two leaky integrators:
``lif`` -> ``recurrent_linear`` = Linear(diag(1/tau_d) lambda W_rec) -> ``rise`` =
LI(tau = tau_r, r = 1, v_leak = 0) -> ``decay`` = LI(tau = tau_d, r = tau_d, v_leak = 0) -> ``lif``.
So ``tau_r dh/dt = -h + sum_j lambda W[i, j] / tau_d[i] S_j(t)``: each spike of j makes h_i
jump by ``lambda W[i, j] / (tau_r tau_d[i])`` (mV/s) and h then decays as ``dh/dt = -h/tau_r``;
``tau_d dI/dt = -I + tau_d h``, i.e. ``dI/dt = -I/tau_d + h`` -- the model's equations
(:mod:`rate2spike.brian_models.lif`, ``docs/concepts.md``, "Conversion to LIF").

Readout trace, the same filter applied to each unit's own spikes:
``lif`` -> ``readout_linear`` = Linear(diag(1/tau_d)) -> ``readout_rise`` = LI(tau_r, r = 1)
-> ``readout_decay`` = LI(tau_d, r = tau_d) (trace r in Hz, each spike adds a kernel of unit
area) -> ``output_linear`` = Linear(lambda W_out) -> ``output`` (1,): ``o = lambda W_out . r``.

What NIR cannot carry (listed in the graph's ``metadata["approximations"]`` too):

* the absolute refractory period ``constants.refractory_s`` has no NIR field: dropped;
* the voltage noise (``noise_mV`` * N(0, 1) added to v per step) is dropped;
* the readout is continuous; rate2spike samples it every ``readout_dt_s``;
* the rate model's output bias b_out was already dropped at conversion;
* the initial voltages v(0) ~ U(v_reset, v_init_high) are not part of the graph.

:func:`to_nir` builds the graph, :func:`write_nir` writes it atomically to an HDF5 file
(``nir.read`` reads it back). :mod:`.nir_interpreter` runs such graphs with NumPy.
"""
from __future__ import annotations

import io
from dataclasses import asdict
from pathlib import Path

import nir
import numpy as np

from ..artifacts import atomic_write_bytes
from ..errors import ArtifactError, Rate2SpikeError
from ..lif_models import LIFNetwork
from ..version import __version__
from .nir_portable import to_portable_nir

#: text of each approximation that the NIR graph forces (graph metadata "approximations")
APPROXIMATIONS = {
    "refractory_period": "the absolute refractory period ({refractory_s} s) is not representable "
                         "in NIR and is dropped",
    "voltage_noise": "the voltage noise ({noise_mV} mV * N(0, 1) added to v every simulation step) "
                     "is dropped",
    "readout_sampling": "the readout o(t) is continuous; rate2spike samples it every "
                        "{readout_dt_s} s",
    "output_bias": "the rate model's output bias b_out was already dropped at conversion",
    "initial_voltages": "the initial voltages (rate2spike draws v(0) ~ U({v_reset_mV}, "
                        "{v_init_high_mV}) mV per trial) are not part of the graph",
}

UNITS = {
    "time": "s", "voltage": "mV", "current": "mV (membrane equation tau dv/dt = v_leak - v + r I)",
    "spikes": "unit-area Dirac impulses (1/s)",
    "input_linear": "mV per unit of task input", "recurrent_linear": "mV (times spikes in 1/s)",
    "rise": "mV/s", "decay": "mV", "readout_linear": "1/s (times spikes in 1/s)",
    "readout_rise": "Hz/s", "readout_decay": "Hz", "output_linear": "s", "output": "1",
}


def _full(n: int, value: float) -> np.ndarray:
    return np.full(n, float(value))


def _double_exponential(tau_r_s: float, tau_d_s: np.ndarray, what: str):
    """The rise and decay leaky integrators of one double-exponential filter."""
    n = len(tau_d_s)
    rise = nir.LI(tau=_full(n, tau_r_s), r=_full(n, 1.0), v_leak=_full(n, 0.0),
                  metadata={"role": f"{what}: rise variable h, tau_r dh/dt = -h + input"})
    decay = nir.LI(tau=tau_d_s.copy(), r=tau_d_s.copy(), v_leak=_full(n, 0.0),
                   metadata={"role": f"{what}: tau_d dx/dt = -x + tau_d h"})
    return rise, decay


def _output_node(network: LIFNetwork):
    """Linear(lambda W_out), or Affine(weights, offset) for a calibrated readout."""
    if network.readout is None:
        return nir.Linear(weight=(1.0 / network.s) * np.asarray(network.rate.W_out, float)
                          .reshape(1, -1))
    return nir.Affine(weight=np.asarray(network.readout_weights_s, float).reshape(1, -1),
                      bias=np.array([network.readout_offset]))


def to_nir(network: LIFNetwork) -> nir.NIRGraph:
    """The NIR graph of ``network`` (see the module docstring for nodes, equations and units)."""
    c, rate = network.constants, network.rate
    if network.constants.tau_r_s == 0:
        raise Rate2SpikeError("the NIR export needs the double-exponential synapse (tau_r_s > 0); "
                              "a single-exponential net (tau_r_s = 0) cannot be exported yet")
    n, lam = network.n_units, 1.0 / network.s
    tau_d = np.asarray(rate.tau_d_s, float)
    w_rec = lam * np.asarray(rate.W_rec, float)
    rise, decay = _double_exponential(c.tau_r_s, tau_d, "recurrent synapse")
    readout_rise, readout_decay = _double_exponential(c.tau_r_s, tau_d, "readout trace")
    lif = nir.LIF(tau=_full(n, c.tau_m_s), r=_full(n, 1.0), v_leak=_full(n, c.v_bias_mV),
                  v_threshold=_full(n, c.v_th_mV), v_reset=_full(n, c.v_reset_mV),
                  metadata={"dropped_refractory_s": float(c.refractory_s),
                            "dropped_noise_mV": float(c.noise_mV),
                            "threshold_rule": "spike when v >= v_threshold"})
    nodes = {
        "input": nir.Input(input_type=np.array([rate.W_in.shape[1]])),
        "input_linear": nir.Linear(weight=np.asarray(rate.W_in, float).copy()),
        "lif": lif,
        "recurrent_linear": nir.Linear(weight=w_rec / tau_d[:, None]),
        "rise": rise,
        "decay": decay,
        "readout_linear": nir.Linear(weight=np.diag(1.0 / tau_d)),
        "readout_rise": readout_rise,
        "readout_decay": readout_decay,
        "output_linear": _output_node(network),
        "output": nir.Output(output_type=np.array([1])),
    }
    edges = [("input", "input_linear"), ("input_linear", "lif"),
             ("lif", "recurrent_linear"), ("recurrent_linear", "rise"), ("rise", "decay"),
             ("decay", "lif"),
             ("lif", "readout_linear"), ("readout_linear", "readout_rise"),
             ("readout_rise", "readout_decay"), ("readout_decay", "output_linear"),
             ("output_linear", "output")]
    values = asdict(c)
    metadata = {
        "source": f"rate2spike {__version__}: rate RNN ({rate.task}, {rate.act}, N = {n}) "
                  "converted to LIF (Kim, Li & Sejnowski 2019)",
        "units": dict(UNITS),
        "scale_s": float(network.s),
        "lambda": lam,
        "n_units": n,
        "reference_dt_s": float(c.dt_s),
        "approximations": {k: text.format(**values) for k, text in APPROXIMATIONS.items()},
    }
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata=metadata)


#: the NIR graphs of a LIF net: ``portable`` (:mod:`.nir_portable`: what Norse and snnTorch
#: load) and ``full`` (this module: continuous time, the double-exponential synapse exactly)
NIR_PROFILES = ("portable", "full")


def write_nir(network: LIFNetwork, path, profile: str = "portable") -> Path:
    """Write the ``profile`` graph of ``network`` (``full``: :func:`to_nir`; ``portable``:
    :func:`~.nir_portable.to_portable_nir`) to ``path`` (HDF5, readable by ``nir.read``).

    Atomic: written to a temporary file in the same folder, then moved onto ``path``.
    Raises :class:`~rate2spike.errors.Rate2SpikeError` if the folder does not exist or
    ``path`` is a folder. Returns the path written.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise Rate2SpikeError(f"cannot write {path}: folder {path.parent} does not exist")
    if path.is_dir():
        raise Rate2SpikeError(f"cannot write {path}: it is a folder")
    if profile not in NIR_PROFILES:
        raise Rate2SpikeError(f"unknown NIR profile {profile!r}; valid: {', '.join(NIR_PROFILES)}")
    return write_graph(to_nir(network) if profile == "full" else to_portable_nir(network), path)


def write_graph(graph: nir.NIRGraph, path) -> Path:
    """Write ``graph`` to ``path`` atomically (HDF5, readable by ``nir.read``); returns the path."""
    buffer = io.BytesIO()                   # h5py writes into a file-like object
    nir.write(buffer, graph)
    atomic_write_bytes(Path(path), buffer.getvalue())
    return Path(path)


def read_graph(path, hint: str) -> nir.NIRGraph:
    """The NIR graph in the file ``path``; a missing file is refused with ``hint`` (what to give
    instead), an unreadable one naming what ``nir.read`` found wrong."""
    path = Path(path)
    if not path.is_file():
        raise ArtifactError(f"{path} does not exist; {hint}")
    try:
        return nir.read(str(path))
    except Exception as exc:   # noqa: BLE001  (h5py and nir raise many kinds on a foreign file)
        raise ArtifactError(f"{path} cannot be read as a NIR graph ({type(exc).__name__}: "
                            f"{exc})") from None
