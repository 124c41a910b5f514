"""Surrogate spike derivatives, in one place for every directly trained family: the spike is
the Heaviside step H(x) of x = membrane - threshold in the forward pass; the backward pass uses a
smooth pseudo-derivative dS/dx.

- ``gaussian`` (Yin et al. 2020): ``N(x | 0, sigma^2)``, sigma 0.5;
- ``multi_gaussian`` (the authors' later code): ``(1 + h) N(x | 0, sigma^2) - h N(x | sigma,
  (s sigma)^2) - h N(x | -sigma, (s sigma)^2)`` with h = 0.15, s = 6;
- ``atan`` (snnTorch's ``surrogate.atan``, De Geeter et al.'s LIF baseline): ``(a / 2) /
  (1 + (pi a x / 2)^2)``, slope a = 2.
"""
from __future__ import annotations

import math

import torch

SIGMA = 0.5
MULTI_H, MULTI_S = 0.15, 6.0
ATAN_SLOPE = 2.0      # snnTorch's default alpha of surrogate.atan
#: the Gaussian surrogates a net may be trained with
SURROGATES = ("gaussian", "multi_gaussian")


def normal_pdf(x, mu: float, sigma: float):
    return torch.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))


def surrogate_gradient(x: torch.Tensor, kind: str = "gaussian", sigma: float = SIGMA) -> torch.Tensor:
    """dS/dx of the chosen Gaussian surrogate at x = u - theta."""
    if kind == "gaussian":
        return normal_pdf(x, 0.0, sigma)
    return ((1 + MULTI_H) * normal_pdf(x, 0.0, sigma) - MULTI_H * normal_pdf(x, sigma, MULTI_S * sigma)
            - MULTI_H * normal_pdf(x, -sigma, MULTI_S * sigma))


class _GaussianSpike(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, kind, sigma):
        ctx.save_for_backward(x)
        ctx.kind, ctx.sigma = kind, sigma
        return (x > 0).to(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * surrogate_gradient(x, ctx.kind, ctx.sigma), None, None


def gaussian_spike(x: torch.Tensor, kind: str = "gaussian", sigma: float = SIGMA) -> torch.Tensor:
    """H(x) forward; :func:`surrogate_gradient` backward.

    Example
    -------
    >>> x = torch.tensor([0.0, 0.5], requires_grad=True)
    >>> gaussian_spike(x).sum().backward()
    >>> [round(g, 4) for g in x.grad.tolist()]       # N(0 | 0, 0.25), N(0.5 | 0, 0.25)
    [0.7979, 0.4839]
    """
    return _GaussianSpike.apply(x, kind, sigma)


class _ATanSpike(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, slope):
        ctx.save_for_backward(x)
        ctx.slope = slope
        return (x > 0).to(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        a = ctx.slope
        return grad * (a / 2) / (1 + (math.pi * a * x / 2) ** 2), None


def atan_spike(x: torch.Tensor, slope: float = ATAN_SLOPE) -> torch.Tensor:
    """H(x) forward, ``(slope/2) / (1 + (pi slope x / 2)^2)`` backward.

    Example
    -------
    >>> x = torch.tensor([-0.5, 0.0, 0.5], requires_grad=True)
    >>> atan_spike(x).sum().backward()
    >>> [round(g, 4) for g in x.grad.tolist()]      # 1 / (1 + (pi x)^2)
    [0.2884, 1.0, 0.2884]
    """
    return _ATanSpike.apply(x, slope)
