"""rate2spike: train rate RNNs, convert them to spiking LIF networks, and prove they work.

Python use::

    import rate2spike
    result, files = rate2spike.train("gonogo", out="runs/gng")
    res = rate2spike.convert("gonogo", model="runs/gng/rate_model.npz", out="runs/gng-lif")
"""
__version__ = "0.1.0"


def train(*args, **kwargs):
    """See :func:`rate2spike.api.train`."""
    from .api import train as _train

    return _train(*args, **kwargs)


def convert(*args, **kwargs):
    """See :func:`rate2spike.api.convert`."""
    from .api import convert as _convert

    return _convert(*args, **kwargs)
