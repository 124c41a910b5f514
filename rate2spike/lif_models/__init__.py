"""The converted LIF network as plain data: its constants, the network (rate net + s) and an
optional artificial stimulation protocol."""
from .constants import INPUT_SWITCHES, REFRACTORY_HOLDS, LIFConstants
from .network import LIFNetwork
from .readout import CalibratedReadout
from .stimulation import Stimulation

__all__ = ["LIFConstants", "LIFNetwork", "Stimulation", "CalibratedReadout", "INPUT_SWITCHES",
           "REFRACTORY_HOLDS"]
