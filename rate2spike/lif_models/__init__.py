"""The converted LIF network as plain data: its constants and the network (rate net + s)."""
from .constants import LIFConstants
from .network import LIFNetwork

__all__ = ["LIFConstants", "LIFNetwork"]
