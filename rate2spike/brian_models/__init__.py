"""Equation-level Brian2 models and the devices that run them."""
from .devices import DEVICES, LIFRunner, reset_brian
from .lif import LIFBatchModel, LIFConstants, LIFSimulation, initial_voltages

__all__ = ["DEVICES", "LIFRunner", "reset_brian", "LIFBatchModel", "LIFConstants",
           "LIFSimulation", "initial_voltages"]
