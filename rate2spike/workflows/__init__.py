"""Thin orchestration of the stages: ``train``, ``train_src``, ``convert``, ``compare``,
``train_snn``, ``simulate``, ``export``, ``src_neuron`` and conversion studies (:mod:`.study`, imported on
demand: it needs Dask)."""
from .compare import CompareNets, compare
from .convert import convert
from .export import export
from .simulate import simulate
from .snn_study import snn_study
from .src_neuron import src_neuron
from .train import train, train_src
from .train_snn import train_snn

__all__ = ["CompareNets", "compare", "convert", "export", "simulate", "snn_study", "src_neuron", "train",
           "train_snn", "train_src"]
