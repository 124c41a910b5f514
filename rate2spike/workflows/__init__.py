"""Thin orchestration of the stages: ``train``, ``train_src``, ``convert``, ``compare``,
``simulate``, ``export`` and conversion studies (:mod:`.study`, imported on demand: it needs Dask)."""
from .compare import CompareNets, compare
from .convert import convert
from .export import export
from .simulate import simulate
from .train import train, train_src

__all__ = ["CompareNets", "compare", "convert", "export", "simulate", "train", "train_src"]
