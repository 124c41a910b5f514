"""Lesions of a converted net's recurrent connections: remove (or scale) a fraction of the
existing connections, of every kind or of one kind by the Dale types of the two units.

A connection is W_rec[i, j] != 0, from unit j (presynaptic) to unit i (postsynaptic); its
kind is ``"EE"``, ``"EI"``, ``"IE"`` or ``"II"``, presynaptic type first (``"EI"``: from an
excitatory to an inhibitory unit), by ``dale_sign`` (+1 E, -1 I). A lesion orders the
``count`` connections of its kind by a random permutation (NumPy generator of ``seed``) and
multiplies the first ``round(fraction * count)`` by ``factor`` (0: removed), so that with one
seed a larger fraction hits a superset of a smaller one's connections. The result is a new
plain-data network; the original is not changed.

Example
-------
>>> from rate2spike.lif_models import LIFNetwork                                  # doctest: +SKIP
>>> net = LIFNetwork.load("runs/gng-lif/lif_network.npz")                       # doctest: +SKIP
>>> cut = lesion(net, Lesion("IE", 0.5, seed=1))   # half of the I -> E synapses removed  # doctest: +SKIP
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np

from ..errors import Rate2SpikeError
from ..validation import check_seed

#: the kinds of connection, presynaptic type first; "all" is every connection
CONNECTION_KINDS = ("all", "EE", "EI", "IE", "II")


@dataclass(frozen=True)
class Lesion:
    """Multiply ``fraction`` (0 ... 1) of the connections of ``kind`` by ``factor`` (>= 0; 0
    removes them), chosen with the NumPy generator of ``seed``."""

    kind: str = "all"
    fraction: float = 0.0
    factor: float = 0.0
    seed: int = 0

    def __post_init__(self):
        if self.kind not in CONNECTION_KINDS:
            raise Rate2SpikeError(f"lesion kind {self.kind!r}: valid kinds are "
                                  f"{', '.join(CONNECTION_KINDS)} (presynaptic type first)")
        for name, value, high in (("fraction", self.fraction, 1.0), ("factor", self.factor, 1e6)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) \
                    or not 0 <= value <= high or not np.isfinite(value):
                raise Rate2SpikeError(f"lesion {name} must be a number in 0 ... {high:g}, got {value!r}")
        check_seed(self.seed, "lesion seed")

    @classmethod
    def parse(cls, text: str, seed: int = 0, kind: str = "all", factor: float = 0.0) -> "Lesion":
        """``FRACTION`` (of ``kind``, times ``factor``) or ``KIND:FRACTION[:FACTOR]``, e.g. ``0.2``
        or ``IE:0.5`` or ``all:0.2:0.5``."""
        parts = str(text).split(":")
        try:
            if len(parts) == 1:
                return cls(kind, float(parts[0]), factor, seed)
            if len(parts) not in (2, 3):
                raise ValueError
            return cls(parts[0], float(parts[1]), float(parts[2]) if len(parts) == 3 else factor,
                       seed)
        except ValueError:
            raise Rate2SpikeError(f"--lesion {text!r}: expected a fraction in 0 ... 1 (with "
                                  f"--lesion-type) or KIND:FRACTION[:FACTOR], e.g. 0.2 or IE:0.5 "
                                  f"(kinds {', '.join(CONNECTION_KINDS)})") from None


def connections_of(w_rec: np.ndarray, dale_sign: np.ndarray, kind: str) -> np.ndarray:
    """Boolean (N, N) mask of the existing connections of ``kind`` (W_rec[i, j]: j -> i)."""
    exists = np.asarray(w_rec) != 0
    if kind == "all":
        return exists
    if kind not in CONNECTION_KINDS:
        raise Rate2SpikeError(f"lesion kind {kind!r}: valid kinds are {', '.join(CONNECTION_KINDS)}")
    excitatory = np.asarray(dale_sign) > 0
    pre = excitatory if kind[0] == "E" else ~excitatory
    post = excitatory if kind[1] == "E" else ~excitatory
    return exists & post[:, None] & pre[None, :]


def lesioned_weights(w_rec: np.ndarray, dale_sign: np.ndarray, spec: Lesion):
    """(new W_rec, mask of the connections hit) for ``spec``."""
    candidates = np.flatnonzero(connections_of(w_rec, dale_sign, spec.kind))
    count = int(round(spec.fraction * len(candidates)))
    chosen = np.random.default_rng(spec.seed).permutation(candidates)[:count]
    hit = np.zeros(np.shape(w_rec), bool)
    hit.flat[chosen] = True
    return np.where(hit, np.asarray(w_rec, float) * spec.factor, w_rec), hit


def lesion(network, spec: Lesion):
    """A copy of ``network`` (a :class:`~rate2spike.lif_models.LIFNetwork`) with the lesion
    ``spec`` applied to its recurrent weights, recorded in ``meta["lesion"]`` with the number
    of connections hit and the number of connections before (``synapses_before``: the Brian2
    program keeps that many synapses, so the lesions of one net share one compiled program)."""
    rate = network.rate
    w_rec, hit = lesioned_weights(rate.W_rec, rate.dale_sign, spec)
    meta = {**network.meta, "lesion": {**asdict(spec), "connections_hit": int(hit.sum()),
                                        "synapses_before": int(np.count_nonzero(rate.W_rec))}}
    return replace(network, rate=replace(rate, W_rec=w_rec), meta=meta)
