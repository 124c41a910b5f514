"""The counter-based standard-normal draw of :mod:`rate2spike.brian_models.noise` in torch.

``z = counter_normal(key, step)`` gives, on any torch device, the same draws as the C++
``r2s_normal(stream, unit, step)`` of the compiled Brian2 model and the NumPy
:func:`~rate2spike.brian_models.noise.counter_normal` (a test checks them draw for draw), so a
trial simulated by the torch backend sees exactly the voltage noise it sees in
``cpp_standalone``.

torch has no unsigned 64-bit arithmetic on every device, so SplitMix64 is written in int64:
addition and multiplication wrap the same way in two's complement, and a logical right shift
is an arithmetic shift with the sign-extended bits masked off.

Example
-------
>>> import torch
>>> from rate2spike.brian_models.noise import counter_normal as numpy_normal
>>> key = noise_keys(torch.tensor([[7]]), torch.arange(3).reshape(1, 3))
>>> z = counter_normal(key, 12, edges_like(torch.zeros(0, dtype=torch.float64)))
>>> bool((z.numpy() == numpy_normal(7, [0, 1, 2], 12)).all())
True
"""
from __future__ import annotations

import torch

from ..brian_models.noise import FRACTION_BITS, inverse_cdf_edges

_MASK64 = (1 << 64) - 1


def _signed(x: int) -> int:
    """The int64 with the same 64 bits as the unsigned ``x``."""
    x &= _MASK64
    return x - (1 << 64) if x >= 1 << 63 else x


_GOLDEN = 0x9E3779B97F4A7C15
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB


def _shift_right(z: torch.Tensor, bits: int) -> torch.Tensor:
    """Logical right shift of int64 bit patterns."""
    return (z >> bits) & ((1 << (64 - bits)) - 1)


def _mix_tensor(z: torch.Tensor) -> torch.Tensor:
    z = z + _signed(_GOLDEN)
    z = (z ^ _shift_right(z, 30)) * _signed(_M1)
    z = (z ^ _shift_right(z, 27)) * _signed(_M2)
    return z ^ _shift_right(z, 31)


def _mix_int(z: int) -> int:
    """SplitMix64's finaliser on a Python int (exact unsigned arithmetic)."""
    z = (z + _GOLDEN) & _MASK64
    z = ((z ^ (z >> 30)) * _M1) & _MASK64
    z = ((z ^ (z >> 27)) * _M2) & _MASK64
    return z ^ (z >> 31)


def noise_keys(streams: torch.Tensor, units: torch.Tensor) -> torch.Tensor:
    """The int64 key ``(stream << 32) | unit`` of each (stream, unit) pair (broadcast),
    both taken modulo 2**32 as in the C++ and NumPy draws."""
    streams = streams.to(torch.int64) & 0xFFFFFFFF
    units = units.to(torch.int64) & 0xFFFFFFFF
    return (streams << 32) | units


def edges_like(reference: torch.Tensor) -> torch.Tensor:
    """The inverse-CDF table as (lower edges, bin widths), (2, 2**TABLE_BITS), on
    ``reference``'s device and in its floating dtype."""
    edges = torch.as_tensor(inverse_cdf_edges(), dtype=reference.dtype, device=reference.device)
    return torch.stack([edges[:-1], edges[1:] - edges[:-1]])


def counter_normal(keys: torch.Tensor, step: int, edges: torch.Tensor) -> torch.Tensor:
    """Standard-normal draws of every key (from :func:`noise_keys`) at integer ``step``, in
    ``edges``' dtype (from :func:`edges_like`)."""
    return _draw(keys ^ _signed(_mix_int(int(step) & _MASK64)), edges)


def counter_normal_steps(keys: torch.Tensor, first_step: int, n_steps: int,
                         edges: torch.Tensor) -> torch.Tensor:
    """The draws of every key at steps ``first_step ... first_step + n_steps - 1`` at once,
    (n_steps, *keys.shape): element [m] is ``counter_normal(keys, first_step + m, edges)``."""
    steps = torch.tensor([_signed(_mix_int((first_step + m) & _MASK64)) for m in range(n_steps)],
                         dtype=torch.int64, device=keys.device)
    return _draw(keys.unsqueeze(0) ^ steps.reshape(-1, *([1] * keys.dim())), edges)


def _draw(mixed_keys: torch.Tensor, edges: torch.Tensor) -> torch.Tensor:
    bits = _mix_tensor(mixed_keys)
    k = _shift_right(bits, FRACTION_BITS)
    frac = (bits & ((1 << FRACTION_BITS) - 1)).to(edges.dtype) * 2.0 ** -FRACTION_BITS
    return edges[0][k] + frac * edges[1][k]
