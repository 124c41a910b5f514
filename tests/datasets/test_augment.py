"""Random whole-pixel shifts of training images (``--augment-shift``)."""
import numpy as np
import pytest

from rate2spike.classifiers.config import ClassifierConfig
from rate2spike.classifiers.training import training_batch
from rate2spike.datasets import load_dataset
from rate2spike.datasets.augment import random_shift, shift_images
from rate2spike.errors import Rate2SpikeError


def test_a_shift_moves_every_pixel_and_fills_with_zeros():
    img = np.arange(1, 13, dtype=np.float32).reshape(1, 12)          # 3 rows x 4 columns
    down_left = shift_images(img, (3, 4), np.array([1]), np.array([-2])).reshape(3, 4)
    np.testing.assert_array_equal(down_left, [[0, 0, 0, 0], [3, 4, 0, 0], [7, 8, 0, 0]])
    up_right = shift_images(img, (3, 4), np.array([-1]), np.array([1])).reshape(3, 4)
    np.testing.assert_array_equal(up_right, [[0, 5, 6, 7], [0, 9, 10, 11], [0, 0, 0, 0]])
    both = np.concatenate([img, 2 * img])                              # each image its own shift
    out = shift_images(both, (3, 4), np.array([0, 1]), np.array([0, 0]))
    np.testing.assert_array_equal(out[0], img[0])
    np.testing.assert_array_equal(out[1].reshape(3, 4), 2 * np.array([[0, 0, 0, 0], [1, 2, 3, 4],
                                                                       [5, 6, 7, 8]]))


def test_random_shifts_are_uniform_over_the_allowed_offsets_and_seeded():
    img = np.zeros((4000, 25), dtype=np.float32)
    img[:, 12] = 1.0                                                   # the centre of a 5x5 image
    out = random_shift(img, (5, 5), 1, rng=7)
    rows, cols = np.divmod(out.argmax(axis=1), 5)
    assert np.all(out.sum(axis=1) == 1)                   # shifts of 1 keep the centre pixel in
    counts = np.bincount((rows - 1) * 3 + (cols - 1), minlength=9)     # 9 offsets, 1/9 each
    assert counts.min() > 4000 / 9 - 4 * np.sqrt(4000 / 9)            # within 4 s.d. of binomial
    assert counts.max() < 4000 / 9 + 4 * np.sqrt(4000 / 9)
    np.testing.assert_array_equal(out, random_shift(img, (5, 5), 1, rng=7))
    assert random_shift(img, (5, 5), 0, rng=7) is img


@pytest.mark.parametrize("shift, shape, match", [(5, (5, 5), "out of its frame"),
                                                 (1, (700,), "only 2-D images"),
                                                 (9, (28, 28), "valid: \\[0, 7\\]")])
def test_shifts_that_cannot_apply_are_refused(shift, shape, match):
    with pytest.raises(Rate2SpikeError, match=match):
        random_shift(np.zeros((2, int(np.prod(shape))), np.float32), shape, shift, rng=0)


def test_training_batches_are_shifted_images_and_test_images_never():
    ds = load_dataset("digits", "train")
    cfg = ClassifierConfig(dataset="digits", encoding="direct", steps=3, augment_shift=2).validate()
    x = training_batch(ds, [0, 1, 2], cfg, np.random.default_rng(0))
    gen = np.random.default_rng(0)                 # the same draws, by hand: rows, then columns
    dy, dx = gen.integers(-2, 3, size=3), gen.integers(-2, 3, size=3)
    want = shift_images(ds.values[[0, 1, 2]], (8, 8), dy, dx)
    for t in range(3):                             # direct code: the image on every step
        np.testing.assert_array_equal(x[:, :, t], want)
    plain = training_batch(ds, [0, 1, 2], ClassifierConfig(dataset="digits", encoding="direct",
                                                           steps=3).validate(), None)
    np.testing.assert_array_equal(plain[:, :, 0], ds.values[[0, 1, 2]])
