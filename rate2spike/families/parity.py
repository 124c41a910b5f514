"""Does the trained classifier do in Brian2 what it does in torch? Run both on the same
held-out inputs and compare step by step."""
from __future__ import annotations

import time

import numpy as np
import torch

from ..simulators import simulate_trained_brian
from .base import family_of


def brian_parity(net, inputs: np.ndarray, device: str = "numpy") -> dict:
    """Run ``net`` (the network of any registered family with a Brian2 twin: SRCNetwork,
    SurrogateLIFNetwork, ALIFNetwork, a plug-in's) on ``inputs`` (batch, channels, steps) in torch
    (float64, the family's ``torch_model``) and in Brian2 (``device``).

    Returns samples, max_output_diff (readout integrators, all steps), max_pulse_diff (every
    layer's pulses/spikes, all steps), same_spikes (identical spike/active-step counts),
    same_predictions (fraction of samples with the same argmax), the Brian2 simulation time
    per sample (compile excluded) and the device.
    """
    module = family_of(net).torch_model(net)
    with torch.no_grad():
        ref = module(inputs, record_pulses=True)
    start = time.perf_counter()
    got = simulate_trained_brian(net, inputs, device=device, record_pulses=True)
    wall = time.perf_counter() - start
    pulse_diff = max(float(np.abs(a.numpy() - b).max()) for a, b in zip(ref.pulses, got.pulses))
    same_counts = all(np.array_equal(a.numpy().astype(int), b)
                      for a, b in zip(ref.active_steps, got.active_steps))
    agree = ref.outputs[:, :, -1].argmax(1).numpy() == got.outputs[:, :, -1].argmax(1)
    return {"samples": int(len(inputs)), "device": device,
            "max_output_diff": float(np.abs(ref.outputs.numpy() - got.outputs).max()),
            "max_pulse_diff": pulse_diff, "same_spikes": bool(same_counts),
            "same_predictions": float(agree.mean()),
            "brian_time_per_sample_s": (got.sim_time_s or wall) / len(inputs)}
