"""Thin orchestration of the stages: ``train``, ``train_src``, ``convert``, ``compare`` and
conversion studies (:mod:`.study`, imported on demand: it needs Dask)."""
from .compare import CompareNets, compare
from .convert import convert
from .train import train, train_src

__all__ = ["CompareNets", "compare", "convert", "train", "train_src"]
