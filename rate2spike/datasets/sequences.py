"""Images read pixel by pixel: Yin et al.'s sequential (S-) and permuted sequential (PS-) protocol.

A static image dataset of ``P`` pixels becomes an ``"events"`` dataset of 40 graded channels:
step ``t`` of ``steps`` shows pixel ``order[floor(P t / steps)]`` (``steps = P``: one pixel per
step, as in the paper), presented through Yin et al.'s Gaussian population code
(:func:`~rate2spike.encoders.population_code`). ``order`` is the row-major reading order, or for
the permuted variant one fixed permutation of it, the same for every image and split
(``numpy.random.default_rng(PERMUTATION_SEED).permutation(P)``).

=========  ===============================================  ======  ===============
name       pixels read                                      steps   order
=========  ===============================================  ======  ===============
sdigits    scikit-learn's 8x8 digits (``digits``)           64      row by row
smnist5k   the 5,000 real MNIST images (``mnist5k``)        784     row by row
psmnist5k  the same                                         784     fixed permutation
=========  ===============================================  ======  ===============

Example
-------
>>> from rate2spike.datasets.images import load_digits
>>> ds = pixel_sequence(load_digits("test"), "sdigits")
>>> ds.inputs([0], "events", steps=64).shape, ds.kind, ds.graded
((1, 40, 64), 'events', True)
"""
from __future__ import annotations

import numpy as np

from ..encoders import POPULATION_CHANNELS, population_code
from .base import Dataset, DatasetError

#: seed of the one fixed pixel permutation of the permuted variants
PERMUTATION_SEED = 0


def fixed_permutation(n_pixels: int) -> np.ndarray:
    """The reading order of the permuted variants: one fixed permutation of ``range(n_pixels)``.

    Example
    -------
    >>> sorted(fixed_permutation(5).tolist()) == [0, 1, 2, 3, 4]
    True
    """
    return np.random.default_rng(PERMUTATION_SEED).permutation(n_pixels)


def pixel_sequence(pixels: Dataset, name: str, permuted: bool = False) -> Dataset:
    """The static dataset ``pixels`` read one pixel at a time (see the module docstring) as the
    ``"events"`` dataset ``name``; ``permuted``: in the fixed permuted order."""
    if pixels.kind != "static":
        raise DatasetError(f"{name}: only a static image dataset can be read pixel by pixel, "
                           f"got the {pixels.kind} dataset {pixels.name}")
    n_pixels = pixels.n_channels
    order = fixed_permutation(n_pixels) if permuted else np.arange(n_pixels)
    values = pixels.values

    def frame(indices, steps: int) -> np.ndarray:
        idx = np.asarray(indices, dtype=np.int64)
        at = order[(np.arange(steps) * n_pixels) // steps]
        return population_code(values[idx][:, at], POPULATION_CHANNELS)

    how = "in one fixed permuted order" if permuted else "pixel by pixel"
    return Dataset(name, pixels.split, pixels.labels, pixels.classes, POPULATION_CHANNELS, "events",
                   frame=frame, source=f"{pixels.source}, {how}, population code",
                   image_shape=(POPULATION_CHANNELS,), graded=True)
