"""rate2spike: train rate RNNs, convert them to spiking LIF networks, and prove they work.

Python entry points (each documented with an example):

- :func:`train` / :func:`train_src`: train a rate RNN / a Spiking Recurrent Cell net;
- :func:`convert`: rate net -> LIF net, search s = 1/lambda, write the report;
- :func:`compare`: rate vs converted LIF vs SRC on the same trials;
- :func:`simulate_lif`: simulate a converted network (:class:`LIFNetwork`) on any trials.

Example
-------
>>> import rate2spike
>>> res = rate2spike.convert("gonogo", model="tests/data/gonogo_n200.npz",
...                          out="runs/gng-lif", trials=50)                 # doctest: +SKIP
"""
from . import tasks
from .lif_models import LIFConstants, LIFNetwork
from .rate_models import RateNetwork
from .simulators import simulate_lif
from .src_models import SRCNetwork
from .version import __version__
from .workflows import CompareNets, compare, convert, train, train_src

__all__ = ["__version__", "tasks", "LIFConstants", "LIFNetwork", "RateNetwork", "SRCNetwork",
           "simulate_lif", "CompareNets", "compare", "convert", "train", "train_src"]
