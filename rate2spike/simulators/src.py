"""Run a directly trained net in Brian2 on the same device set-up as the LIF backends
(:mod:`.brian_setup`). The Brian2 model of each plain-data network type is registered with
:func:`register_brian_model` by its family (:mod:`rate2spike.families`): the Spiking Recurrent
Cell net (:mod:`rate2spike.brian_models.src`), the surrogate-gradient LIF classifier
(:mod:`rate2spike.brian_models.surrogate_lif`), the adaptive LIF SRNN
(:mod:`rate2spike.brian_models.alif`) or a plug-in family's own.

A builder is ``build(b2, net, inputs, record_pulses) -> dict`` returning the Brian2 ``net``, its
``duration`` and ``namespace``, the readout group ``output`` (variable ``o``, one row per sample
and output), the ``layers`` (groups with a per-neuron ``n_active`` count) and, when
``record_pulses``, one ``pulses`` StateMonitor (variable ``s``) per layer; the network object
must have ``n_inputs`` and ``n_outputs``."""
from __future__ import annotations

import importlib
import tempfile
import time
from dataclasses import dataclass

import numpy as np

from ..errors import Rate2SpikeError
from . import brian_setup, build_cache

BRIAN_SRC_DEVICES = ("cpp_standalone", "cython", "numpy")
#: plain-data network type -> its Brian2 builder (see the module docstring)
BRIAN_MODELS: dict = {}


def register_brian_model(network_type: type, build) -> None:
    """Run nets of ``network_type`` in Brian2 with ``build`` (see the module docstring)."""
    BRIAN_MODELS[network_type] = build


def brian_model_for(net):
    """The registered Brian2 builder of ``net``'s type (or of its nearest registered base); the
    built-in families register theirs when :mod:`rate2spike.families` is first imported."""
    importlib.import_module("rate2spike.families")   # the built-ins registered (a no-op after once)
    for cls in type(net).__mro__:
        if cls in BRIAN_MODELS:
            return BRIAN_MODELS[cls]
    raise Rate2SpikeError(f"no Brian2 model is registered for {type(net).__name__}; registered: "
                          f"{', '.join(c.__name__ for c in BRIAN_MODELS) or 'none'}")


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


def simulate_src_brian(net, inputs,
                       device: str = "cpp_standalone", build_dir=None,
                       record_pulses: bool = False) -> SRCBrianResult:
    """Run ``net`` (a network of a registered type, :func:`register_brian_model`: an SRC net, a
    LIF classifier, an adaptive LIF SRNN, a plug-in family's net; for spiking neurons
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
    build = brian_model_for(net)
    brian_setup.reset_brian()
    tmp = slot = None
    if device == "cpp_standalone":
        if build_dir is None:     # a build-cache slot: the same net shape compiles nothing
            slot = build_cache.acquire_slot("cpp_standalone-trained", _signature(net, inputs, record_pulses))
        if build_dir is None and slot is None:
            tmp = tempfile.TemporaryDirectory(prefix="rate2spike_src_")
        directory = str(build_dir or (slot.path if slot else tmp.name))
        brian_setup.use_standalone("cpp_standalone", directory)
    else:
        b2.prefs.codegen.target = device
    try:
        objs = build(b2, net, inputs, record_pulses)
        start = time.perf_counter()
        objs["net"].run(objs["duration"], namespace=objs["namespace"])
        build_time = 0.0
        if device == "cpp_standalone":
            build_cache.build_in(directory, slot)
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
        if slot is not None:
            slot.release()
    return SRCBrianResult(outputs, active, pulses, sim_time, build_time, device)


def _signature(net, inputs: np.ndarray, record_pulses: bool) -> str:
    """What a trained net's program mostly depends on (slot preference only: ``make`` decides
    what to recompile from the files themselves)."""
    sizes = getattr(net, "sizes", None)
    return f"{type(net).__module__}.{type(net).__qualname__} {sizes} {inputs.shape} {record_pulses}"


#: the same runner under the name that says it runs every directly trained family
simulate_trained_brian = simulate_src_brian
