"""Random translations of training images (data augmentation; not in De Geeter et al. 2023).

``random_shift`` moves each image by a whole number of pixels, ``dy`` rows down and ``dx``
columns right, each drawn uniformly from ``-max_shift..max_shift`` independently per image; the
pixels moved out are dropped and the ones moved in are 0 (black):

    shifted[r, c] = image[r - dy, c - dx]   if 0 <= r - dy < H and 0 <= c - dx < W, else 0

Only the training batches are shifted (a fresh draw per sample and epoch); validation and test
images never are. It is an option (``train-snn --augment-shift N``, default 0), used to see how
far the small mnist5k training set (3,600 images against the paper's 60,000) holds the nets back.

Example
-------
>>> img = np.zeros((1, 9), dtype=np.float32); img[0, 4] = 1.0      # the centre of a 3x3 image
>>> shift_images(img, (3, 3), np.array([1]), np.array([-1])).reshape(3, 3)
array([[0., 0., 0.],
       [0., 0., 0.],
       [1., 0., 0.]], dtype=float32)
"""
from __future__ import annotations

import numpy as np

from ..validation import check_int
from .base import DatasetError

#: the largest shift accepted, in pixels (less than the side of the smallest images, digits' 8)
MAX_SHIFT = 7


def shift_images(values: np.ndarray, image_shape: tuple, dy: np.ndarray, dx: np.ndarray) -> np.ndarray:
    """Each row of ``values`` (n, H*W), unflattened to ``image_shape`` (H, W), moved ``dy[i]``
    rows down and ``dx[i]`` columns right (negative: up / left), zero-filled; same shape and
    dtype as ``values``."""
    if len(image_shape) != 2:
        raise DatasetError(f"only 2-D images can be shifted; this dataset's samples have the shape "
                           f"{tuple(image_shape)}")
    h, w = image_shape
    n = len(values)
    pad = int(max(np.abs(dy).max(initial=0), np.abs(dx).max(initial=0)))
    padded = np.zeros((n, h + 2 * pad, w + 2 * pad), dtype=values.dtype)
    padded[:, pad:pad + h, pad:pad + w] = values.reshape(n, h, w)
    out = np.empty((n, h, w), dtype=values.dtype)
    for i in range(n):          # shifted[r, c] = padded[pad + r - dy, pad + c - dx]
        top, left = pad - int(dy[i]), pad - int(dx[i])
        out[i] = padded[i, top:top + h, left:left + w]
    return out.reshape(n, h * w)


def random_shift(values: np.ndarray, image_shape: tuple, max_shift: int, rng) -> np.ndarray:
    """``values`` (n, H*W) with every image moved by its own (dy, dx), each uniform in
    ``-max_shift..max_shift`` pixels, drawn from ``rng`` (a numpy Generator or a seed); rows first,
    then columns. ``max_shift = 0`` returns ``values`` unchanged.

    Example
    -------
    >>> img = np.arange(16, dtype=np.float32).reshape(1, 16)
    >>> random_shift(img, (4, 4), 0, rng=0) is img
    True
    >>> random_shift(img, (4, 4), 1, rng=0).shape
    (1, 16)
    """
    max_shift = check_int("augment_shift", max_shift, 0, MAX_SHIFT)
    if max_shift == 0:
        return values
    if len(image_shape) == 2 and max_shift >= min(image_shape):
        raise DatasetError(f"augment_shift = {max_shift} would move a {image_shape[0]}x"
                           f"{image_shape[1]} image out of its frame; valid: 0..{min(image_shape) - 1}")
    gen = np.random.default_rng(rng)
    dy = gen.integers(-max_shift, max_shift + 1, size=len(values))
    dx = gen.integers(-max_shift, max_shift + 1, size=len(values))
    return shift_images(values, image_shape, dy, dx)
