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
- :func:`finetune_net`: train a converted net further as a spiking net (:class:`FinetuneConfig`),
  measured before and after in Brian2;
- :func:`src_neuron`: one SRC neuron's Fig. 6 (fixed vs variable z_s) and f-I curve;
- :meth:`RateNetwork.from_arrays` / :func:`load_authors_mat`: bring your own rate RNN.

Example
-------
>>> import rate2spike
>>> res = rate2spike.convert("gonogo", model="tests/data/gonogo_n200.npz",
...                          out="runs/gng-lif", trials=50)                 # doctest: +SKIP
"""
import importlib
import importlib.util

from .version import __version__

#: public name -> the module it lives in; imported on first use (PEP 562), so that
#: ``import rate2spike`` (and the command line's start, where a Ctrl-C must be caught) is light
_EXPORTS = {
    "load_dataset": ".datasets", "LIFConstants": ".lif_models", "LIFNetwork": ".lif_models",
    "Stimulation": ".lif_models", "RateNetwork": ".rate_models",
    "load_authors_mat": ".rate_models.authors_mat", "simulate_lif": ".simulators",
    "SRCNetwork": ".src_models", "SurrogateLIFNetwork": ".surrogate_models",
    "finetune_net": ".workflows.finetune", "FinetuneConfig": ".converters.finetune",
    **{name: ".workflows" for name in ("CompareNets", "compare", "convert", "export", "simulate",
                                       "snn_study", "src_neuron", "train", "train_snn", "train_src")},
}
_SUBPACKAGES = ("families", "tasks")


def __getattr__(name: str):
    if name in _SUBPACKAGES or importlib.util.find_spec(f"{__name__}.{name}") is not None:
        return importlib.import_module(f".{name}", __name__)     # any subpackage or module
    if name in _EXPORTS:
        importlib.import_module(".families", __name__)     # the registered families first
        value = getattr(importlib.import_module(_EXPORTS[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'rate2spike' has no attribute {name!r}")


def __dir__() -> list:
    return sorted(__all__)


__all__ = ["__version__", "families", "tasks", "LIFConstants", "LIFNetwork", "RateNetwork", "SRCNetwork",
           "Stimulation", "load_authors_mat", "simulate_lif", "CompareNets", "compare", "convert",
           "export", "simulate", "src_neuron", "train", "train_snn", "train_src", "snn_study",
           "load_dataset", "SurrogateLIFNetwork", "finetune_net", "FinetuneConfig"]
