"""rate2spike: train rate RNNs, convert them to spiking LIF networks, and prove they work."""
__version__ = "0.1.0"
