"""Spike encoders: static values in [0, 1] (pixels) to input sequences (batch, channels, steps).

The encodings of De Geeter et al. (2023), section 4.1 (snnTorch ``spikegen`` semantics, with the
one difference stated under :func:`latency_code`):

- :func:`rate_code`: Bernoulli spikes on every step with probability ``p = gain * x``
  (gain 0.25 in the paper: a white pixel fires on 25 % of the steps);
- :func:`latency_code`: one spike per channel at a time that falls linearly with ``x``
  (a linearised RC circuit), brighter channels first; channels under ``threshold`` stay silent;
- :func:`direct_code`: the graded value itself on every step (no spikes; for direct/graded input).

All take ``x`` of shape (batch, channels) and return float32 arrays of shape (batch, channels,
steps) with values 0/1 (rate, latency) or ``x`` (direct). Random encoders take a seed or a
``numpy.random.Generator``; the same seed gives the same spikes.

Example
-------
>>> x = np.array([[1.0, 0.5, 0.0]])
>>> latency_code(x, steps=5)[0].astype(int)        # bright first, 0 never fires
array([[1, 0, 0, 0, 0],
       [0, 0, 1, 0, 0],
       [0, 0, 0, 0, 0]])
>>> rate_code(x, steps=8, gain=1.0, rng=0)[0, [0, 2]].sum(axis=1)   # p = 1 and p = 0
array([8., 0.], dtype=float32)
"""
from __future__ import annotations

import numpy as np

from .validation import check_choice, check_int, check_range

#: the encodings a static dataset can be presented with
ENCODINGS = ("rate", "latency", "direct")
RATE_GAIN = 0.25          # paper: spike probability per step of a white pixel
LATENCY_TAU = 10.0        # paper: RC time constant (in steps; cancels after normalisation)
LATENCY_THRESHOLD = 0.01  # paper: values below never fire


def _values(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"values must be (batch, channels), got shape {x.shape}")
    return x


def rate_code(x, steps: int, gain: float = RATE_GAIN, rng=None) -> np.ndarray:
    """Bernoulli spikes: on every step, channel k of sample b fires with probability
    ``clip(gain * x[b, k], 0, 1)`` (snnTorch ``spikegen.rate`` with ``gain``).

    Example
    -------
    >>> s = rate_code(np.full((1, 1), 1.0), steps=20000, rng=1)
    >>> round(float(s.mean()), 2)                  # gain 0.25: a quarter of the steps
    0.25
    """
    x = _values(x)
    check_int("steps", steps, 1, 10**6)
    check_range("gain", gain, 0.0, 1e6)
    p = np.clip(gain * x, 0.0, 1.0)
    rng = np.random.default_rng(rng)
    return (rng.random((*x.shape, steps)) < p[..., None]).astype(np.float32)


def latency_times(x, steps: int, tau: float = LATENCY_TAU,
                  threshold: float = LATENCY_THRESHOLD) -> np.ndarray:
    """Spike step of every channel (float; NaN where it does not fire), linear RC code:

    ``t_raw = tau * (1 - x)`` for ``x >= threshold`` and ``tau * (1 - threshold)`` below it (the
    saturated time), then normalised **per sample** so that its times span the sequence,
    ``t = (steps - 1) * (t_raw - min t_raw) / (max t_raw - min t_raw)`` (min and max over that
    sample's channels; all at 0 when they are equal), rounded to whole steps. Spikes on the
    last step are removed: these are the saturated channels (``x < threshold``) and, in a sample
    without any, its faintest channels.

    snnTorch (``latency(linear=True, normalize=True, clip=True)``) uses ``tau = steps - 1``,
    i.e. ``t = (steps - 1)(1 - x)`` capped at ``(steps - 1)(1 - threshold)``, and rescales by the
    whole batch's range only when data exceed 1; here every sample spans the sequence on its own.
    ``tau`` cancels in the normalisation. A value exactly at ``threshold`` reaches the saturated
    time too and is removed with the values below it.

    Example
    -------
    >>> latency_times(np.array([[1.0, 0.75, 0.5, 0.0]]), steps=5)
    array([[ 0.,  1.,  2., nan]])
    """
    x = _values(x)
    check_int("steps", steps, 2, 10**6)
    check_range("tau", tau, 0.0, 1e9, low_open=True)
    check_range("threshold", threshold, 0.0, 1.0, low_open=True)
    raw = tau * (1.0 - np.where(x >= threshold, np.minimum(x, 1.0), threshold))
    lo, hi = raw.min(axis=1, keepdims=True), raw.max(axis=1, keepdims=True)
    span = np.where(hi > lo, hi - lo, 1.0)
    t = np.rint((steps - 1) * (raw - lo) / span)
    t[(t >= steps - 1) | (x < threshold)] = np.nan
    return t


def latency_code(x, steps: int, tau: float = LATENCY_TAU,
                 threshold: float = LATENCY_THRESHOLD) -> np.ndarray:
    """At most one spike per channel, at the step given by :func:`latency_times`.

    Example
    -------
    >>> latency_code(np.array([[0.2, 1.0]]), steps=4)[0].astype(int)
    array([[0, 0, 0, 0],
           [1, 0, 0, 0]])
    """
    t = latency_times(x, steps, tau, threshold)
    out = np.zeros((*t.shape, steps), dtype=np.float32)
    b, k = np.nonzero(~np.isnan(t))
    out[b, k, t[b, k].astype(int)] = 1.0
    return out


def direct_code(x, steps: int) -> np.ndarray:
    """The value itself on every step (graded input, no spikes).

    Example
    -------
    >>> direct_code(np.array([[0.5, 1.0]]), steps=3)[0]
    array([[0.5, 0.5, 0.5],
           [1. , 1. , 1. ]], dtype=float32)
    """
    x = _values(x)
    check_int("steps", steps, 1, 10**6)
    return np.repeat(x[..., None], steps, axis=-1).astype(np.float32)


LEVEL_THRESHOLD = 0.3    # Yin et al.'s level-crossing threshold (on a normalised signal)


def level_crossing(signal, threshold: float = LEVEL_THRESHOLD) -> np.ndarray:
    """Level-crossing code of 1-D signals (Yin et al. 2020, their ECG encoding): (batch, T) ->
    float32 (batch, 2, T), channel 0 "up", channel 1 "down".

    A reference level starts at the first sample. On each step at most one event per channel:
    if the signal is at least ``threshold`` above the reference, an up event and the reference
    rises by ``threshold``; if at least ``threshold`` below, a down event and it falls by
    ``threshold``. A jump of k thresholds is thus spread over k steps.

    Example
    -------
    >>> level_crossing(np.array([[0.0, 0.7, 0.7, 0.7, 0.0]]), 0.3)[0].astype(int)
    array([[0, 1, 1, 0, 0],
           [0, 0, 0, 0, 1]])
    """
    x = np.asarray(signal, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"signal must be (batch, T), got shape {x.shape}")
    check_range("threshold", threshold, 0.0, 1e9, low_open=True)
    out = np.zeros((x.shape[0], 2, x.shape[1]), dtype=np.float32)
    ref = x[:, 0].copy()
    tol = 1e-12 * threshold
    for t in range(x.shape[1]):
        up = x[:, t] - ref >= threshold - tol
        down = ref - x[:, t] >= threshold - tol
        out[up, 0, t] = 1.0
        out[down, 1, t] = 1.0
        ref += threshold * (up.astype(float) - down)
    return out


POPULATION_CHANNELS = 40  # Yin et al.'s S-MNIST input population (their Table 1, "40(I)")


def population_code(signal, channels: int = POPULATION_CHANNELS) -> np.ndarray:
    """Gaussian population code of 1-D signals in [0, 1] (Yin et al. 2020, their S-MNIST input):
    (batch, T) -> float32 (batch, channels, T), graded.

    Channel i responds with the Gaussian density ``N(x | mu_i, sigma^2)`` (peak 1 / (sigma
    sqrt(2 pi)), 15.2 with 40 channels), centres ``mu_i = (i - 1) / (channels - 2)`` (i = 0 ..
    channels - 1: one centre below 0, the last at 1) and width ``sigma = 1 / (channels - 2)``:
    the authors' RBF code.

    Example
    -------
    >>> p = population_code(np.array([[0.0, 0.5]]), channels=4)[0]   # mu -0.5, 0, .5, 1; sigma .5
    >>> np.round(p * np.float32(0.5 * np.sqrt(2 * np.pi)), 3)         # in units of the peak
    array([[0.607, 0.135],
           [1.   , 0.607],
           [0.607, 1.   ],
           [0.135, 0.607]], dtype=float32)
    """
    x = np.asarray(signal, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"signal must be (batch, T), got shape {x.shape}")
    check_int("channels", channels, 3, 10**4)
    sigma = 1.0 / (channels - 2)
    mu = (np.arange(channels) - 1.0) * sigma
    z = (x[:, None, :] - mu[None, :, None]) / sigma
    return (np.exp(-0.5 * z ** 2) / (sigma * np.sqrt(2 * np.pi))).astype(np.float32)


def encode(x, encoding: str, steps: int, rng=None, gain: float = RATE_GAIN) -> np.ndarray:
    """Encode ``x`` (batch, channels) with one of :data:`ENCODINGS`; ``rng`` is used by rate only."""
    check_choice("encoding", encoding, ENCODINGS)
    if encoding == "rate":
        return rate_code(x, steps, gain, rng)
    if encoding == "latency":
        return latency_code(x, steps)
    return direct_code(x, steps)
