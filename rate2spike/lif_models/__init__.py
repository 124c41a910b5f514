"""The converted LIF network as plain data: its constants, the network (rate net + s) and an
optional artificial stimulation protocol, and lesions of its recurrent connections."""
from .constants import INPUT_SWITCHES, REFRACTORY_HOLDS, LIFConstants
from .lesion import CONNECTION_KINDS, Lesion, lesion
from .network import LIFNetwork
from .readout import CalibratedReadout
from .stimulation import Stimulation

__all__ = ["LIFConstants", "LIFNetwork", "Stimulation", "CalibratedReadout", "INPUT_SWITCHES",
           "REFRACTORY_HOLDS", "Lesion", "lesion", "CONNECTION_KINDS"]
