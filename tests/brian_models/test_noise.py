"""The counter-based normal draws against the standard normal's moments and independence."""
import numpy as np
import pytest

from rate2spike.brian_models.noise import counter_normal, inverse_cdf_edges, stream_ids


def test_counter_normal_has_standard_normal_moments_and_quantiles():
    z = counter_normal(np.arange(50)[:, None, None], np.arange(100)[None, :, None],
                       np.arange(400)[None, None, :]).ravel()          # 2e6 draws
    se = 1 / np.sqrt(z.size)
    assert abs(z.mean()) < 4 * se
    assert z.var() == pytest.approx(1.0, abs=4 * np.sqrt(2) * se)
    kurtosis = np.mean(z ** 4) / z.var() ** 2
    assert kurtosis == pytest.approx(3.0, abs=0.03)
    # P(Z < -1.96) = 0.025, P(|Z| < 1) = 0.6827
    assert np.mean(z < -1.96) == pytest.approx(0.025, abs=0.0015)
    assert np.mean(np.abs(z) < 1) == pytest.approx(0.6827, abs=0.002)


def test_table_is_symmetric_with_unit_variance():
    e = inverse_cdf_edges()
    np.testing.assert_allclose(e, -e[::-1], atol=1e-12)
    lo, hi = e[:-1], e[1:]
    assert np.mean((lo * lo + lo * hi + hi * hi) / 3) == pytest.approx(1.0, rel=1e-12)


def test_draws_are_uncorrelated_across_units_steps_and_streams_and_repeatable():
    units = np.arange(20000)
    base = counter_normal(5, units, 100)
    for other in (counter_normal(5, units, 101), counter_normal(6, units, 100),
                  counter_normal(5, units + 1, 100)):
        assert abs(np.corrcoef(base, other)[0, 1]) < 4 / np.sqrt(units.size)
    np.testing.assert_array_equal(base, counter_normal(5, units, 100))


def test_stream_ids_differ_between_seeds_and_trials():
    a, b = stream_ids(0, np.arange(1000)), stream_ids(1, np.arange(1000))
    assert len(set(a.tolist()) | set(b.tolist())) == 2000 and a.min() >= 0
