"""Simulators: :func:`simulate_lif` (the entry point for converted LIF networks) on one of the
backends (Brian2 standalone, Brian2 runtime, brian2cuda, the NumPy reference, torch), and the
Brian2 run of SRC nets. Brian2 device handling lives in :mod:`.brian_setup` only."""
from .backends import open_backend
from .base import COUNTER_NOISE_DEVICES, DEVICES, Backend, CopyBatch, concurrent_runs
from .lif import (
                  LIFSimulation,
                  LIFSimulator,
                  RunChunk,
                  ScaleRun,
                  check_record,
                  initial_voltages,
                  plan_runs,
                  simulate_lif,
)
from .src import (
                  BRIAN_MODELS,
                  BRIAN_SRC_DEVICES,
                  SRCBrianResult,
                  brian_model_for,
                  register_brian_model,
                  simulate_src_brian,
                  simulate_trained_brian,
)
from .torch_backend import TORCH_DEVICES, TORCH_DTYPES, resolve_torch_device

__all__ = ["open_backend", "DEVICES", "Backend", "CopyBatch", "concurrent_runs",
           "COUNTER_NOISE_DEVICES", "LIFSimulation", "LIFSimulator", "RunChunk", "ScaleRun",
           "initial_voltages", "plan_runs", "simulate_lif", "check_record", "BRIAN_SRC_DEVICES",
           "SRCBrianResult", "simulate_src_brian", "simulate_trained_brian", "BRIAN_MODELS",
           "brian_model_for", "register_brian_model", "TORCH_DEVICES", "TORCH_DTYPES",
           "resolve_torch_device"]
