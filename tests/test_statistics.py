"""Wilson score intervals, against scipy's independent implementation and the closed forms
at 0 and n successes."""
import pytest
from scipy.stats import binomtest

from rate2spike.errors import Rate2SpikeError
from rate2spike.statistics import accuracy_interval, wilson_interval


@pytest.mark.parametrize("k, n", [(95, 100), (93, 100), (50, 100), (1, 20), (249, 250), (7, 9)])
def test_matches_scipys_wilson_interval(k, n):
    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert wilson_interval(k, n) == pytest.approx((ci.low, ci.high), abs=1e-12)


def test_closed_forms_at_zero_and_all_successes():
    z2 = 1.959963984540054 ** 2
    assert wilson_interval(0, 10) == pytest.approx((0.0, z2 / (10 + z2)), abs=1e-12)
    assert wilson_interval(10, 10) == pytest.approx((10 / (10 + z2), 1.0), abs=1e-12)


def test_a_96_percent_net_on_100_trials_can_score_below_95():
    lo, hi = accuracy_interval(0.96, 100)
    assert lo < 0.95 < 0.96 < hi             # the success threshold lies inside the interval
    assert accuracy_interval(0.96, 100) == wilson_interval(96, 100)


@pytest.mark.parametrize("k, n, message", [(5, 0, "trials"), (11, 10, "successes"),
                                           (-1, 10, "successes"), (3, 2.5, "trials")])
def test_bad_counts_are_refused(k, n, message):
    with pytest.raises(Rate2SpikeError, match=message):
        wilson_interval(k, n)
