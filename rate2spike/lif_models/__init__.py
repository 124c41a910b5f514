"""The converted LIF network as plain data: its constants, the network (rate net + s) and an
optional artificial stimulation protocol."""
from .constants import LIFConstants
from .network import LIFNetwork
from .stimulation import Stimulation

__all__ = ["LIFConstants", "LIFNetwork", "Stimulation"]
