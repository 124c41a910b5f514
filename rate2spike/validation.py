"""One check per concept (scale, trials, choice, range), used by the CLI, the config loader and
the Python API alike. Each raises :class:`~rate2spike.errors.ConfigError` with a message that
names the value and what would be valid.

Examples
--------
>>> check_scales([20, 25.0])
[20.0, 25.0]
>>> check_trials(0)
Traceback (most recent call last):
...
rate2spike.errors.ConfigError: trials = 0 is out of range; valid: [1, 1000000]
"""
from __future__ import annotations

import operator

from .errors import ConfigError

#: the largest number of trials any command accepts (memory is checked separately)
MAX_TRIALS = 10**6


def check_choice(name: str, value, valid) -> None:
    """``value`` must be one of ``valid``."""
    if value not in valid:
        raise ConfigError(f"{name} = {value!r} is not valid; choose one of: {', '.join(sorted(valid))}")


def check_range(name: str, value, low, high, low_open: bool = False) -> None:
    """``value`` must be a number in [low, high] (or (low, high] with ``low_open``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{name} must be a number, got {value!r}")
    if value != value or (value <= low if low_open else value < low) or value > high:
        bracket = "(" if low_open else "["
        raise ConfigError(f"{name} = {value!r} is out of range; valid: {bracket}{low}, {high}]")


def check_int(name: str, value, low, high) -> int:
    """``value`` must be a whole number in [low, high]; returns it as an int."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{name} must be a whole number, got {value!r}")
    check_range(name, value, low, high)
    return int(value)


#: the largest seed: every generator used (NumPy, torch, Brian2) takes 0 ... 2**32 - 1
MAX_SEED = 2**32 - 1


def check_seed(value, name: str = "seed") -> int:
    """A random seed: a whole number in [0, MAX_SEED] (Python or NumPy integer)."""
    if not isinstance(value, bool):
        try:
            value = operator.index(value)
        except TypeError:
            pass
    return check_int(name, value, 0, MAX_SEED)


def check_trials(value, name: str = "trials") -> int:
    """A number of trials: a whole number in [1, MAX_TRIALS]."""
    return check_int(name, value, 1, MAX_TRIALS)


#: the scales s = 1/lambda accepted: wide around Kim et al.'s grids (4 ... 75); beyond it the
#: weights lambda W overflow or vanish in float64 and nothing meaningful is simulated
SCALE_RANGE = (1e-3, 1e6)


def check_scale(value, name: str = "the scale s") -> float:
    """One scale s = 1/lambda: a number in :data:`SCALE_RANGE`."""
    lo, hi = SCALE_RANGE
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < float("inf"):
        raise ConfigError(f"{name} = 1/lambda must be a positive number; got {value!r}")
    if not lo <= value <= hi:
        raise ConfigError(f"{name} = 1/lambda = {value!r} is out of range; valid: {lo:g} ... {hi:g} "
                          f"(Kim et al.'s grids span 4 ... 75)")
    return float(value)


def check_scales(values, name: str = "scales") -> list:
    """A non-empty list of scales s = 1/lambda, each > 0; returns them as floats."""
    if not isinstance(values, (list, tuple)):
        raise ConfigError(f"{name} must be a list of positive numbers, got {values!r}")
    if not values:
        raise ConfigError(f"the list of {name} is empty; give at least one s > 0, e.g. 20,25,30")
    return [check_scale(v, "every scale s") for v in values]
