"""Binomial uncertainty of accuracies and success rates: Wilson score intervals.

An accuracy measured on n trials is a binomial proportion. On 100 trials a net whose true
accuracy is 96 % scores below 95 % about one time in five, so a success rule at 95 % decides
near-misses by chance; the reports show every such number with its interval.

Example
-------
>>> lo, hi = wilson_interval(95, 100)          # 95 % correct on 100 trials
>>> round(lo, 3), round(hi, 3)
(0.888, 0.978)
"""
from __future__ import annotations

import math
from statistics import NormalDist

from .errors import Rate2SpikeError


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple:
    """The Wilson score interval (low, high) of a proportion ``successes / trials`` at
    ``confidence`` (two-sided). Unlike the normal approximation it stays inside [0, 1] and
    is not empty at 0 or n successes."""
    if not isinstance(trials, int) or trials < 1:
        raise Rate2SpikeError(f"trials must be a positive whole number, got {trials!r}")
    if not 0 <= successes <= trials:
        raise Rate2SpikeError(f"successes must be in 0 ... {trials}, got {successes!r}")
    if not 0 < confidence < 1:
        raise Rate2SpikeError(f"confidence must be in (0, 1), got {confidence!r}")
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p, n = successes / trials, trials
    denom = 1 + z * z / n
    center = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, center - half), min(1.0, center + half)


def accuracy_interval(accuracy: float, trials: int, confidence: float = 0.95) -> tuple:
    """:func:`wilson_interval` of an accuracy given as a fraction of ``trials``."""
    return wilson_interval(int(round(accuracy * trials)), int(trials), confidence)
