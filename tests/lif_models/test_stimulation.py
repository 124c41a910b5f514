"""The stimulation protocol as plain data: parsing, checks, window steps and kicks."""
import numpy as np
import pytest

from rate2spike.errors import ConfigError
from rate2spike.lif_models import Stimulation
from rate2spike.lif_models.stimulation import parse_units


def test_window_steps_and_signed_kicks():
    stim = Stimulation("inh", [1, 3], (0.3, 0.5))
    assert stim.steps(5e-5) == (6000, 10000)            # 0.3 s / 0.05 ms, 0.5 s / 0.05 ms
    np.testing.assert_array_equal(stim.kicks_mV(5), [0, -0.5, 0, -0.5, 0])
    assert Stimulation("exc", [0], (0, 1)).kick_mV_signed == 0.5


def test_units_from_ranges_and_from_dale_signs():
    assert parse_units("0-3,7, 9-10") == (0, 1, 2, 3, 7, 9, 10)
    sign = np.array([1, -1, 1, -1, -1])
    assert parse_units("I", sign) == (1, 3, 4) and parse_units("e", sign) == (0, 2)
    for bad in ("x", "5-2", "", "1-"):
        with pytest.raises(ConfigError, match="--units"):
            parse_units(bad)
    with pytest.raises(ConfigError, match="no inhibitory unit"):
        parse_units("I", np.ones(3))


@pytest.mark.parametrize("args, message", [
    (("inhibit", [0], (0.1, 0.2)), "mode 'inhibit' is not one of exc, inh"),
    (("exc", [0], (0.2, 0.1)), "start < stop"),
    (("exc", [], (0.1, 0.2)), "at least one unit"),
])
def test_bad_protocols_are_refused(args, message):
    with pytest.raises(ConfigError, match=message):
        Stimulation(*args)


def test_units_and_window_are_checked_against_the_network_and_trial():
    stim = Stimulation("exc", [0, 200], (0.5, 1.2))
    with pytest.raises(ConfigError, match=r"units \[200\] are out of range; .* units 0-199"):
        stim.check(200, 1.0)
    with pytest.raises(ConfigError, match="0.5-1.2 s lies outside the trial"):
        Stimulation("exc", [0], (0.5, 1.2)).check(200, 1.0)
    Stimulation("exc", [0], (0.0, 1.0)).check(200, 1.0)
