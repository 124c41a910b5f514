"""Encoders against hand-computed spike trains and the formulas they claim."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rate2spike.encoders import (
    direct_code,
    encode,
    latency_code,
    latency_times,
    level_crossing,
    population_code,
    rate_code,
)
from rate2spike.errors import ConfigError


def test_latency_by_hand():
    # steps 11: raw = 10 (1 - x), saturated 9.9 at x < 0.01; per sample min 0 (x = 1), max 9.9
    x = np.array([[1.0, 0.505, 0.0, 0.01]])
    t = latency_times(x, steps=11)
    # 10 * (10 * 0.495) / 9.9 = 5; x = 0.01 reaches the saturated time: last step, removed
    np.testing.assert_array_equal(t, [[0.0, 5.0, np.nan, np.nan]])
    s = latency_code(x, steps=11)[0]
    assert s.sum() == 2 and s[0, 0] == 1 and s[1, 5] == 1


def test_latency_is_normalised_per_sample():
    # a faint sample spans the sequence on its own, whatever else is in the batch
    faint, bright = np.array([[0.4, 0.2, 0.0]]), np.array([[1.0, 0.2, 0.0]])
    t_alone = latency_times(faint, 101)
    t_batch = latency_times(np.vstack([faint, bright]), 101)
    np.testing.assert_array_equal(t_alone[0], t_batch[0])
    assert t_alone[0, 0] == 0                       # its brightest channel fires first
    # raw (6, 8, 9.9): t = 100 * (8 - 6) / 3.9 = 51.28 -> 51
    assert t_alone[0, 1] == 51


def test_latency_one_spike_at_most_and_order():
    rng = np.random.default_rng(3)
    x = rng.random((5, 40))
    s = latency_code(x, steps=50)
    assert s.sum(axis=2).max() <= 1
    t = latency_times(x, 50)
    for b in range(5):                               # brighter never fires later
        ok = ~np.isnan(t[b])
        order = np.argsort(-x[b, ok], kind="stable")
        assert np.all(np.diff(t[b, ok][order]) >= 0)


def test_rate_probability_and_seed():
    x = np.array([[0.0, 0.4, 1.0, 8.0]])
    s = rate_code(x, steps=40000, gain=0.25, rng=5)
    p = s.mean(axis=2)[0]
    np.testing.assert_allclose(p, [0.0, 0.1, 0.25, 1.0], atol=0.01)   # p = clip(gain x, 0, 1)
    np.testing.assert_array_equal(rate_code(x, 50, rng=5), rate_code(x, 50, rng=5))
    assert not np.array_equal(rate_code(x, 500, rng=5), rate_code(x, 500, rng=6))


def test_direct_and_encode_dispatch():
    x = np.array([[0.25, 0.5]])
    np.testing.assert_array_equal(direct_code(x, 3)[0], [[0.25] * 3, [0.5] * 3])
    assert encode(x, "latency", 10).shape == (1, 2, 10)
    with pytest.raises(ConfigError, match="direct, latency, rate"):   # names the valid ones
        encode(x, "delta", 10)


@settings(max_examples=25, deadline=None)
@given(st.integers(-3, 1))
def test_bad_steps_are_refused(steps):
    with pytest.raises(ConfigError):
        latency_code(np.ones((1, 2)), steps=steps)


def test_level_crossing_tracks_a_synthetic_signal():
    # a slow sine (steps of at most 0.05) sampled at 1 ms, threshold 0.3 (Yin et al.'s ECG code)
    t = np.arange(2000)
    x = np.sin(2 * np.pi * t / 500.0)[None, :]
    s = level_crossing(x, 0.3)
    assert s.shape == (1, 2, 2000) and set(np.unique(s)) <= {0.0, 1.0}
    ref = x[0, 0] + 0.3 * np.cumsum(s[0, 0] - s[0, 1])       # the code's own reference level
    assert np.abs(ref - x[0]).max() < 0.3                    # never a full threshold away
    # 4 periods, each rising and falling by 2: 4 x 2 / 0.3 = 26.7 crossings each way (+/- 1 per swing)
    assert abs(s[0, 0].sum() - 26) <= 4 and abs(s[0, 1].sum() - 26) <= 4
    assert not np.any(s[0, 0] * s[0, 1])                     # never up and down on one step


def test_population_code_by_hand():
    # 6 channels: sigma = 1/4, centres -0.25, 0, 0.25, 0.5, 0.75, 1
    x = np.array([[0.0, 0.5, 0.625, 1.0]])
    peak = 4 / np.sqrt(2 * np.pi)                                       # N(mu | mu, 1/16)
    p = population_code(x, channels=6)
    assert p.shape == (1, 6, 4) and p.dtype == np.float32
    np.testing.assert_allclose(p[0, :, 0], peak * np.exp(-0.5 * np.array([1, 0, 1, 4, 9, 16])), rtol=1e-6)
    np.testing.assert_allclose(p[0, 3, 1], peak, rtol=1e-6)             # x on channel 3's centre
    np.testing.assert_allclose(p[0, 3:5, 2], peak * np.exp(-0.125) * np.ones(2), rtol=1e-6)  # half-way
    assert p[0, :, 3].argmax() == 5
    with pytest.raises(ConfigError, match="channels"):
        population_code(x, channels=2)


def test_sequential_digits_are_the_pixels_one_per_step_in_the_population_code():
    from rate2spike.datasets import load_dataset

    ds = load_dataset("sdigits", "test")
    x = ds.inputs(np.arange(3), "events", steps=128)        # 2 steps per pixel
    assert x.shape == (3, 40, 128) and ds.n_channels == 40
    pix = load_dataset("digits", "test").values[:3]
    # the channel with the largest response is the one whose centre (i - 1)/38 is nearest the pixel
    decoded = (x.argmax(axis=1) - 1) / 38.0
    np.testing.assert_allclose(decoded[:, ::2], pix, atol=0.5 / 38 + 1e-6)
    np.testing.assert_array_equal(x[:, :, ::2], x[:, :, 1::2])            # each pixel held 2 steps
