"""rate2spike: train rate RNNs, convert them to spiking LIF networks, and prove they work.

Python entry points (each documented with an example):

- :func:`train` / :func:`train_src`: train a rate RNN / a Spiking Recurrent Cell net;
- :func:`train_snn`: a spiking classifier (SRC stack, surrogate-gradient LIF, adaptive LIF) on a
  dataset, or a rate RNN converted to LIF (``cell = "rate"``)
  (:func:`load_dataset`: digits, MNIST, Fashion-MNIST, N-MNIST, SHD); :func:`snn_study`: a grid
  of them (cells x encodings x depths) with a Table-1-shaped table;
- :func:`convert`: rate net -> LIF net, search s = 1/lambda, write the report;
- :func:`compare`: any registered families (:mod:`rate2spike.families`: rate, converted LIF,
  SRC, adaptive / plain LIF SRNN, plug-ins) on the same trials;
- :func:`simulate_lif`: simulate a converted network (:class:`LIFNetwork`) on any trials;
- :func:`simulate`: trials of a converted net, optionally stimulated (:class:`Stimulation`),
  with figures and saved spikes; :func:`export`: to NIR or a Brian2 script;
- :func:`src_neuron`: one SRC neuron's Fig. 6 (fixed vs variable z_s) and f-I curve;
- :meth:`RateNetwork.from_arrays` / :func:`load_authors_mat`: bring your own rate RNN.

Example
-------
>>> import rate2spike
>>> res = rate2spike.convert("gonogo", model="tests/data/gonogo_n200.npz",
...                          out="runs/gng-lif", trials=50)                 # doctest: +SKIP
"""
from . import families, tasks
from .datasets import load_dataset
from .lif_models import LIFConstants, LIFNetwork, Stimulation
from .rate_models import RateNetwork
from .rate_models.authors_mat import load_authors_mat
from .simulators import simulate_lif
from .src_models import SRCNetwork
from .surrogate_models import SurrogateLIFNetwork
from .version import __version__
from .workflows import (
                        CompareNets,
                        compare,
                        convert,
                        export,
                        simulate,
                        snn_study,
                        src_neuron,
                        train,
                        train_snn,
                        train_src,
)

__all__ = ["__version__", "families", "tasks", "LIFConstants", "LIFNetwork", "RateNetwork", "SRCNetwork",
           "Stimulation", "load_authors_mat", "simulate_lif", "CompareNets", "compare", "convert",
           "export", "simulate", "src_neuron", "train", "train_snn", "train_src", "snn_study",
           "load_dataset", "SurrogateLIFNetwork"]
