"""Counter-based Gaussian noise for the compiled LIF model.

Brian2's ``randn()`` costs ~14 ns a draw in ``cpp_standalone`` and was ~80 % of a noisy LIF
step. This module gives a *stateless* standard-normal draw instead:

    z = counter_normal(stream, unit, step)

a pure function of three integers (a noise stream per trial, the unit in the network and the
time step). It hashes them with the SplitMix64 finaliser (two rounds) and maps the 64 random
bits through a tabulated inverse normal CDF: the top 12 bits pick one of 4,096 equal-probability
bins, the remaining 52 bits place the draw linearly inside it. Consequences:

- ~2 ns a draw, vectorisable, thread-safe without per-thread generator state;
- the noise of a trial does not depend on which batch, chunk, thread or device slot it was
  simulated in (a trial simulated alone sees exactly the noise it sees inside a batch);
- it is not exactly Gaussian: a piecewise-linear inverse CDF with the end bins truncated at
  +-(mean-matching) edges (|z| <= ~3.9). Mean 0 by symmetry; the table is rescaled so that
  the variance is exactly 1. The reference adds N(0, 1) * 0.1 mV per 0.05-ms step, i.e. a
  random walk whose effect is a sum over hundreds of steps, where only mean and variance
  matter (central limit theorem).

The same function exists in C++ (for Brian2's ``cpp`` targets, :data:`CPP_CODE`) and in
NumPy (:func:`counter_normal`); a test checks that they agree draw for draw.
"""
from __future__ import annotations

from functools import lru_cache
from statistics import NormalDist

import numpy as np

TABLE_BITS = 12
FRACTION_BITS = 64 - TABLE_BITS
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


@lru_cache(maxsize=1)
def inverse_cdf_edges() -> np.ndarray:
    """Bin edges (2**TABLE_BITS + 1,) of the piecewise-linear inverse normal CDF, unit variance."""
    m = 1 << TABLE_BITS
    nd = NormalDist()
    edges = np.array([0.0] + [nd.inv_cdf(k / m) for k in range(1, m)] + [0.0])
    # The outer bins [a, inf) get an upper edge such that a uniform spread over them has the
    # true conditional mean E[Z | Z > a] = pdf(a) * m.
    a = edges[m - 1]
    edges[m] = 2 * nd.pdf(a) * m - a
    edges[0] = -edges[m]
    lo, hi = edges[:-1], edges[1:]
    variance = np.mean((lo * lo + lo * hi + hi * hi) / 3.0)  # E[Z^2] of the piecewise-uniform law
    return edges / np.sqrt(variance)


def _mix(z: np.ndarray) -> np.ndarray:
    z = z + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def counter_normal(stream, unit, step) -> np.ndarray:
    """Standard-normal draw for integer (stream, unit, step); broadcasts like NumPy.

    ``stream`` and ``unit`` are taken modulo 2**32, ``step`` modulo 2**64.
    """
    with np.errstate(over="ignore"):
        stream = np.asarray(stream).astype(np.int64).astype(np.uint64) & np.uint64(0xFFFFFFFF)
        unit = np.asarray(unit).astype(np.int64).astype(np.uint64) & np.uint64(0xFFFFFFFF)
        step = np.asarray(step).astype(np.int64).astype(np.uint64)
        bits = _mix(((stream << np.uint64(32)) | unit) ^ _mix(step))
    edges = inverse_cdf_edges()
    k = (bits >> np.uint64(FRACTION_BITS)).astype(np.int64)
    frac = (bits & np.uint64((1 << FRACTION_BITS) - 1)).astype(np.float64) * 2.0 ** -FRACTION_BITS
    return edges[k] + frac * (edges[k + 1] - edges[k])


def stream_ids(seed: int, trial_ids) -> np.ndarray:
    """Noise stream (int32 >= 0) of each trial id for a given seed: a hash, so that seeds and
    trials never line up into shared streams."""
    with np.errstate(over="ignore"):
        key = (np.uint64(int(seed) & 0xFFFFFFFF) << np.uint64(32)) | \
              np.asarray(trial_ids).astype(np.uint64)
        return (_mix(key) >> np.uint64(33)).astype(np.int32)


def cpp_code() -> str:
    """C++ source of ``r2s_normal(stream, unit, step)`` with the table inlined."""
    edges = ", ".join(repr(float(e)) for e in inverse_cdf_edges())
    return f"""
static const double _r2s_normal_edges[{len(inverse_cdf_edges())}] = {{{edges}}};
static inline uint64_t _r2s_mix(uint64_t z) {{
    z += 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}}
static inline double r2s_normal(int64_t stream, int64_t unit, int64_t step) {{
    const uint64_t key = ((uint64_t)(uint32_t)stream << 32) | (uint64_t)(uint32_t)unit;
    const uint64_t bits = _r2s_mix(key ^ _r2s_mix((uint64_t)step));
    const uint64_t k = bits >> {FRACTION_BITS};
    const double frac = (double)(bits & {(1 << FRACTION_BITS) - 1}ULL) * {2.0 ** -FRACTION_BITS!r};
    return _r2s_normal_edges[k] + frac * (_r2s_normal_edges[k + 1] - _r2s_normal_edges[k]);
}}
"""


def brian_function():
    """The Brian2 :class:`~brian2.Function` ``r2s_normal`` (cpp and numpy implementations)."""
    from brian2 import Function

    def r2s_normal(stream, unit, step):
        return counter_normal(stream, unit, step)

    f = Function(r2s_normal, arg_units=[1, 1, 1], return_unit=1,
                 arg_types=["integer", "integer", "integer"], return_type="float",
                 stateless=True)
    f.implementations.add_implementation("cpp", code=cpp_code(), name="r2s_normal")
    return f
