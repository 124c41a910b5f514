"""Equation-level Brian2 models as equation strings and object builders (no device handling:
that is :mod:`rate2spike.simulators`)."""
from .lif import LIFBatchModel, RunResult, synaptic_lambda
from .src import build_src_network

__all__ = ["LIFBatchModel", "RunResult", "synaptic_lambda", "build_src_network"]
