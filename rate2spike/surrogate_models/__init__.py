"""Spiking nets trained directly with surrogate gradients (torch) and their plain-data form.

:mod:`.lif` is the leaky integrate-and-fire baseline of De Geeter et al. (2023): binary spikes,
ATan surrogate gradient, learnable leak alpha_V and threshold per layer. :mod:`.alif` is the
adaptive LIF SRNN of Yin et al. (2020) (``beta = 0``: their plain LIF SRNN).
"""
from .alif import ALIFNet, ALIFState, alif_step, gaussian_spike
from .alif_network import ALIFLayer, ALIFNetwork
from .lif import LIFClassifier, LIFState, atan_spike, lif_step
from .network import LIFLayer, SurrogateLIFNetwork

__all__ = ["ALIFLayer", "ALIFNet", "ALIFNetwork", "ALIFState", "alif_step", "gaussian_spike",
           "LIFClassifier", "LIFLayer", "LIFState", "SurrogateLIFNetwork", "atan_spike", "lif_step"]
