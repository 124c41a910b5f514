"""Run a directly trained net in Brian2 on the same device set-up as the LIF backends
(:mod:`.brian_setup`): a Spiking Recurrent Cell net (:mod:`rate2spike.brian_models.src`) or a
surrogate-gradient LIF classifier (:mod:`rate2spike.brian_models.surrogate_lif`) or an adaptive
LIF SRNN (:mod:`rate2spike.brian_models.alif`)."""
from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass

import numpy as np

from ..brian_models.alif import build_alif_network
from ..brian_models.src import build_src_network
from ..brian_models.surrogate_lif import build_lif_classifier_network
from ..errors import Rate2SpikeError
from ..src_models.network import SRCNetwork
from ..surrogate_models.alif_network import ALIFNetwork
from ..surrogate_models.network import SurrogateLIFNetwork
from . import brian_setup

BRIAN_SRC_DEVICES = ("cpp_standalone", "cython", "numpy")


@dataclass
class SRCBrianResult:
    """outputs (batch, k, T); active_steps: per layer (batch, n) steps with s > 0; pulses: per
    layer (batch, n, T) or None; times in seconds."""

    outputs: np.ndarray
    active_steps: list
    pulses: list | None
    sim_time_s: float
    build_time_s: float
    device: str


def simulate_src_brian(net: SRCNetwork | SurrogateLIFNetwork | ALIFNetwork, inputs,
                       device: str = "cpp_standalone", build_dir=None,
                       record_pulses: bool = False) -> SRCBrianResult:
    """Run ``net`` (an SRC net, a LIF classifier or an adaptive LIF SRNN; for the LIFs,
    ``active_steps`` and ``pulses`` are its spikes) in Brian2 on ``inputs`` (batch, n_in, T):
    pulses per step, e.g. from :func:`~rate2spike.src_models.network.task_inputs_to_steps`).
    Float64 throughout.

    device : ``cpp_standalone`` (compiled into ``build_dir``, default a fresh temporary
    folder), ``cython`` or ``numpy`` (Brian2 runtime targets).
    """
    import brian2 as b2

    if device not in BRIAN_SRC_DEVICES:
        raise Rate2SpikeError(f"unknown device {device!r} for the SRC model; valid: "
                              f"{', '.join(BRIAN_SRC_DEVICES)}")
    inputs = np.asarray(inputs, dtype=float)
    if inputs.ndim != 3 or inputs.shape[1] != net.n_inputs:
        raise Rate2SpikeError(f"inputs must be (batch, {net.n_inputs}, steps), got {inputs.shape}")
    brian_setup.reset_brian()
    tmp = None
    if device == "cpp_standalone":
        tmp = None if build_dir else tempfile.TemporaryDirectory(prefix="rate2spike_src_")
        directory = str(build_dir or tmp.name)
        brian_setup.use_standalone("cpp_standalone", directory)
    else:
        b2.prefs.codegen.target = device
    try:
        build = (build_lif_classifier_network if isinstance(net, SurrogateLIFNetwork) else
                 build_alif_network if isinstance(net, ALIFNetwork) else build_src_network)
        objs = build(b2, net, inputs, record_pulses)
        start = time.perf_counter()
        objs["net"].run(objs["duration"], namespace=objs["namespace"])
        build_time = 0.0
        if device == "cpp_standalone":
            brian_setup.build_standalone(directory)
            build_time = time.perf_counter() - start
            start = time.perf_counter()
            brian_setup.run_standalone(directory, {}, "results")
        sim_time = time.perf_counter() - start
        B, k, T = inputs.shape[0], net.n_outputs, inputs.shape[2]
        outputs = np.asarray(objs["output"].o).reshape(B, k, T)
        active = [np.asarray(G.n_active[:]).reshape(B, -1).astype(int) for G in objs["layers"]]
        pulses = [np.asarray(m.s).reshape(B, -1, T) for m in objs["pulses"]] if record_pulses else None
    finally:
        brian_setup.reset_brian()
        if tmp is not None:
            tmp.cleanup()
    return SRCBrianResult(outputs, active, pulses, sim_time, build_time, device)


#: the same runner under the name that says it runs every directly trained family
simulate_trained_brian = simulate_src_brian
