"""Transfer functions phi(x) of the rate model (Kim et al. 2019)."""
from __future__ import annotations

import torch

from ..errors import Rate2SpikeError

RATE_CLIP = 20.0  # upper clip of softplus and ReLU rates (reference)


def sigmoid(x: torch.Tensor) -> torch.Tensor:
    return torch.sigmoid(x)


def softplus(x: torch.Tensor) -> torch.Tensor:
    """Softplus clipped to [0, 20]."""
    return torch.clamp(torch.nn.functional.softplus(x), 0.0, RATE_CLIP)


def relu(x: torch.Tensor) -> torch.Tensor:
    """ReLU clipped to [0, 20]."""
    return torch.clamp(x, 0.0, RATE_CLIP)


TRANSFER_FUNCTIONS = {"sigmoid": sigmoid, "softplus": softplus, "relu": relu}


def get_transfer(name: str):
    try:
        return TRANSFER_FUNCTIONS[name]
    except KeyError:
        raise Rate2SpikeError(f"unknown transfer function {name!r}; valid: "
                              f"{', '.join(TRANSFER_FUNCTIONS)}") from None
