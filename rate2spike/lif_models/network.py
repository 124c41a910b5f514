"""A converted LIF network as plain data: the rate network it came from, the scale s and the
LIF constants (Kim et al. 2019 mapping).

W_in and tau_d transfer unchanged; the recurrent and readout weights are divided by
s = 1/lambda: ``W_spk = W_rate / s``, ``W_out_spk = W_out / s``. The rate model's output bias
b_out is dropped (the LIF readout has none). The network keeps the rate arrays and s; the
simulators write lambda * W into the synapses (:mod:`rate2spike.brian_models.lif`), so a net
at scale s and the same rate net swept over several s run the very same arithmetic.

Artifact (``kind = "lif_network"``): ``NAME.npz`` holds the *scaled* arrays (``W_rec`` in
mV s, ``W_out`` in s, ``W_in`` in mV, ``tau_d_s`` in s, ``dale_sign``), ``NAME.json`` the
scale, lambda, all LIF constants, units and the rate network's constants.

Example
-------
>>> lif = LIFNetwork(RateNetwork.load("rate_model.npz"), s=25.0)   # doctest: +SKIP
>>> lif.W_rec_scaled.max() * 25 == lif.rate.W_rec.max()            # doctest: +SKIP
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from ..artifacts import load_network, register_kind, save_network
from ..errors import ArtifactError
from ..rate_models.network import RATE_SCHEMA, RateNetwork
from ..validation import check_scale
from .constants import LIFConstants
from .readout import CalibratedReadout

register_kind("lif_network", ("W_rec", "W_in", "W_out", "tau_d_s", "dale_sign"))


@dataclass
class LIFNetwork:
    """The rate network ``rate`` converted at scale ``s`` (lambda = 1/s) with ``constants``;
    ``readout``: a readout calibrated at this s (None: Kim et al.'s lambda W_out).

    Example
    -------
    >>> lif = LIFNetwork(RateNetwork.load("tests/data/gonogo_n200.npz"), 25.0)  # doctest: +SKIP
    >>> lif.n_units, lif.s, lif.constants.tau_m_s                               # doctest: +SKIP
    (200, 25.0, 0.01)
    >>> lif.save("runs/gng_s25")     # lif_network artifact (.npz + .json)  # doctest: +SKIP
    """

    rate: RateNetwork
    s: float
    constants: LIFConstants = field(default_factory=LIFConstants)
    meta: dict = field(default_factory=dict)
    readout: CalibratedReadout | None = None

    def __post_init__(self):
        self.s = check_scale(self.s, "scale s")
        if self.readout is not None and np.shape(self.readout.weights_s) != (self.n_units,):
            raise ArtifactError(f"the calibrated readout has {np.size(self.readout.weights_s)} "
                                f"weights for {self.n_units} units")

    @property
    def readout_weights_s(self) -> np.ndarray:
        """(N,) weights in s applied to the traces r (Hz): the calibrated ones, else
        lambda W_out."""
        if self.readout is not None:
            return np.asarray(self.readout.weights_s, float)
        return self.rate.W_out.reshape(-1) / self.s

    @property
    def readout_offset(self) -> float:
        """Offset added to the output (0 without a calibrated readout)."""
        return float(self.readout.offset) if self.readout is not None else 0.0

    @property
    def n_units(self) -> int:
        return self.rate.n_units

    @property
    def W_rec_scaled(self) -> np.ndarray:
        """Recurrent weights of the spiking net, W_rate / s (mV s; row = receiving unit)."""
        return self.rate.W_rec / self.s

    @property
    def W_out_scaled(self) -> np.ndarray:
        """Readout weights of the spiking net, W_out / s (s)."""
        return self.rate.W_out / self.s

    def at_scale(self, s: float) -> "LIFNetwork":
        """The same conversion at another scale s (a calibrated readout, fitted at this s,
        is not carried over)."""
        return LIFNetwork(self.rate, s, self.constants, dict(self.meta))

    def save(self, path_stem):
        """Write ``<stem>.npz`` (scaled arrays) and ``<stem>.json``; returns the ``.npz`` path."""
        arrays = {"W_rec": self.W_rec_scaled, "W_in": self.rate.W_in, "W_out": self.W_out_scaled,
                  "tau_d_s": self.rate.tau_d_s, "dale_sign": self.rate.dale_sign}
        meta = {**self.meta, "scale_s": self.s, "lambda": 1.0 / self.s,
                "lif_constants": asdict(self.constants), "rate_constants": self.rate.constants(),
                "units": {"W_rec": "mV s", "W_in": "mV", "W_out": "s", "tau_d_s": "s"},
                "b_out_dropped": True}
        if self.readout is not None:
            arrays["readout_weights_s"] = np.asarray(self.readout.weights_s, float)
            meta["readout"] = {"method": self.readout.method, "offset": self.readout.offset,
                               "info": self.readout.info,
                               "formula": "o = readout_weights_s . r + offset"}
        return save_network(path_stem, "lif_network", arrays, meta)

    @classmethod
    def load(cls, path) -> "LIFNetwork":
        """Read a LIF artifact. The rate arrays are the stored ones times s (exact up to
        rounding, ~1e-16 relative)."""
        arrays, meta = load_network(path, kind="lif_network")
        try:
            s = float(meta["scale_s"])
            constants = LIFConstants(**meta["lif_constants"])
            rate_constants = {k: meta["rate_constants"][k] for k in RATE_SCHEMA}
        except (KeyError, TypeError) as exc:
            raise ArtifactError(f"{path}: LIF metadata key {exc} is missing or malformed") from None
        rate = RateNetwork(np.asarray(arrays["W_rec"], float) * s, np.asarray(arrays["W_in"], float),
                           np.asarray(arrays["W_out"], float) * s, np.zeros(1),
                           np.asarray(arrays["tau_d_s"], float),
                           np.asarray(arrays["dale_sign"], float), **rate_constants)
        rest = {k: v for k, v in meta.items() if k not in (
            "format", "format_version", "kind", "scale_s", "lambda", "lif_constants",
            "rate_constants", "units", "b_out_dropped", "readout")}
        readout = None
        if "readout" in meta:
            try:
                readout = CalibratedReadout(str(meta["readout"]["method"]),
                                            np.asarray(arrays["readout_weights_s"], float),
                                            float(meta["readout"]["offset"]),
                                            dict(meta["readout"].get("info") or {}))
            except (KeyError, TypeError, ValueError) as exc:
                raise ArtifactError(f"{path}: calibrated readout {exc} is missing or "
                                    f"malformed") from None
        return cls(rate, s, constants, rest, readout)
