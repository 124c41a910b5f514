"""Spiking classifiers trained directly on datasets: SRC stacks and the surrogate-gradient LIF
baseline of De Geeter et al. (2023), on the shared training loop."""
from .config import CELLS, EVENT_DATASETS, ClassifierConfig
from .training import (
                       ClassifierRecord,
                       build_classifier,
                       evaluate_classifier,
                       layer_sizes,
                       split_train_validation,
                       train_classifier,
)

__all__ = ["CELLS", "EVENT_DATASETS", "ClassifierConfig", "ClassifierRecord",
           "build_classifier", "evaluate_classifier", "layer_sizes", "split_train_validation",
           "train_classifier"]
