"""Rate network -> LIF network (Kim et al. 2019 mapping) and the default grids of s.

W_in and tau_d transfer unchanged; W_rec and W_out are divided by s = 1/lambda; the rate
model's output bias b_out is dropped (the LIF readout has none). See
:class:`~rate2spike.lif_models.LIFNetwork`.

Example
-------
>>> lif = convert(RateNetwork.load("rate_model.npz"), 25.0)     # doctest: +SKIP
"""
from __future__ import annotations

from ..lif_models import LIFConstants, LIFNetwork
from ..rate_models.network import RateNetwork
from ..validation import check_scale


def convert(rate: RateNetwork, s: float, constants: LIFConstants | None = None) -> LIFNetwork:
    """The LIF network of ``rate`` at scale s (lambda = 1/s) with ``constants`` (default:
    the reference values)."""
    return LIFNetwork(rate, check_scale(s), constants or LIFConstants(),
                      meta={"source": rate.meta.get("source")})


DEFAULT_SCALES = {
    "sigmoid": [float(s) for s in range(20, 76, 5)],   # {20, 25, ..., 75}
    "softplus": [float(s) for s in range(4, 27, 2)],   # {4, 6, ..., 26}
    "relu": [float(s) for s in range(4, 27, 2)],
}


def default_scales(act: str) -> list:
    """The default grid of s for a transfer function (sigmoid nets need larger s)."""
    return list(DEFAULT_SCALES[act])
