"""Directly trained Spiking Recurrent Cell (SRC) networks (De Geeter et al. 2023).

``constants`` and ``network`` are plain data (shared with the Brian2 model); ``cell`` is the
torch model; ``training`` trains it on the task generators.
"""
from .constants import SRCConstants
from .network import SRCLayer, SRCNetwork, frozen_class_readout, task_inputs_to_steps

__all__ = ["SRCConstants", "SRCLayer", "SRCNetwork", "frozen_class_readout", "task_inputs_to_steps"]
