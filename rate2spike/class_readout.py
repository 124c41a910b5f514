"""The frozen class readout of De Geeter et al. (2023), shared by every directly trained classifier.

The last layer has ``GROUP_SIZE`` (10) neurons per class. Their pulses feed one leaky integrator
per class through frozen weights: +1 from the class's own group of 10 consecutive neurons,
-0.1 from every other neuron, no bias. Integrators ``v[t] = a v[t-1] + W_out s_L[t]`` with
``a = READOUT_ALPHA`` (0.99 per step); the prediction is the argmax of ``v`` at the last step
and the loss the cross-entropy of those final values.

Example
-------
>>> W, b = frozen_class_readout(2)
>>> W[:, [0, 9, 10, 19]]
array([[ 1. ,  1. , -0.1, -0.1],
       [-0.1, -0.1,  1. ,  1. ]])
"""
from __future__ import annotations

import numpy as np

from .errors import Rate2SpikeError

GROUP_SIZE = 10        # neurons per class in the last layer
READOUT_ALPHA = 0.99   # leak of the readout integrators, per step


def frozen_class_readout(n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """The readout weights (n_classes, 10 n_classes) and the zero bias (n_classes,)."""
    if n_classes < 2:
        raise Rate2SpikeError(f"a classification readout needs >= 2 classes, got {n_classes}")
    W = np.full((n_classes, GROUP_SIZE * n_classes), -0.1)
    for c in range(n_classes):
        W[c, GROUP_SIZE * c:GROUP_SIZE * (c + 1)] = 1.0
    return W, np.zeros(n_classes)
