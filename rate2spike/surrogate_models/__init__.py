"""Spiking nets trained directly with surrogate gradients (torch) and their plain-data form.

:mod:`.lif` is the leaky integrate-and-fire baseline of De Geeter et al. (2023): binary spikes,
ATan surrogate gradient, learnable leak alpha_V and threshold per layer.
"""
from .lif import LIFClassifier, LIFState, atan_spike, lif_step
from .network import LIFLayer, SurrogateLIFNetwork

__all__ = ["LIFClassifier", "LIFLayer", "LIFState", "SurrogateLIFNetwork", "atan_spike", "lif_step"]
