"""Artificial stimulation of chosen units of a converted LIF net (an optogenetics-like probe).

The protocol of the authors' ``spiking/LIF_network_fnc.m``: during a time window, at every LIF
step and with probability 0.5 (one coin per step and trial, shared by all chosen units), the
membrane voltage of each chosen unit jumps by +0.5 mV (``exc``, depolarising) or -0.5 mV
(``inh``, hyperpolarising). The kick is applied after the membrane update and before the
threshold test. Deviation: like the voltage noise, it is not applied during a unit's 2-ms
refractory period (Brian2 holds a ``(unless refractory)`` variable fixed there, against every
write); the reference keeps adding it, so a refractory unit there restarts ~10 mV above
reset on average. Measured on isolated units driven only by +0.5 mV kicks from a -45 mV rest:
157 Hz here vs 207 Hz with kicks during refractoriness (mean-drive prediction without them:
156 Hz). Hyperpolarising (``inh``) stimulation silences its units, so it is unaffected.

Example
-------
>>> stim = Stimulation("inh", units=range(160, 200), window_s=(0.3, 0.5))
>>> stim.check(n_units=200, duration_s=1.0)
>>> stim.kick_mV_signed, stim.steps(5e-5)
(-0.5, (6000, 10000))
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError

MODES = ("exc", "inh")
#: the counter-noise "unit" index of the stimulation coin (no real unit has it), so the coin
#: is independent of every unit's voltage noise
COIN_UNIT = 2 ** 30


@dataclass(frozen=True)
class Stimulation:
    """mode : ``exc`` (+kick) or ``inh`` (-kick); units : indices of the stimulated units;
    window_s : (start, stop) in seconds, stimulation for start <= t < stop; kick_mV : voltage
    jump [mV]; probability : chance of a kick at each step, one coin per trial and step shared
    by all stimulated units as in ``LIF_network_fnc.m`` (on Brian2 devices whose noise is
    Brian2's own ``rand()``, ``cython`` and ``cuda_standalone``, one coin per unit and step).

    Example
    -------
    >>> stim = Stimulation("inh", range(160, 200), (0.3, 0.6))   # units 160-199, 0.3-0.6 s
    >>> stim.kick_mV, stim.probability, stim.units[:3]
    (0.5, 0.5, (160, 161, 162))
    """

    mode: str
    units: tuple
    window_s: tuple
    kick_mV: float = 0.5
    probability: float = 0.5

    def __post_init__(self):
        object.__setattr__(self, "units", tuple(int(u) for u in np.asarray(self.units).ravel()))
        object.__setattr__(self, "window_s", tuple(float(x) for x in self.window_s))
        if self.mode not in MODES:
            raise ConfigError(f"stimulation mode {self.mode!r} is not one of {', '.join(MODES)}")
        if len(self.window_s) != 2 or not self.window_s[0] < self.window_s[1]:
            raise ConfigError(f"stimulation window {self.window_s} must be (start, stop) in "
                              f"seconds with start < stop")
        if not self.units:
            raise ConfigError("stimulation needs at least one unit")
        if not (0 < self.probability <= 1 and self.kick_mV > 0):
            raise ConfigError(f"need 0 < probability <= 1 and kick_mV > 0 (got "
                              f"{self.probability}, {self.kick_mV})")

    def check(self, n_units: int, duration_s: float) -> None:
        """Refuse units outside 0 ... n_units - 1 or a window outside the trial."""
        bad = [u for u in self.units if not 0 <= u < n_units]
        if bad:
            raise ConfigError(f"stimulated units {bad[:5]} are out of range; the network has "
                              f"units 0-{n_units - 1}")
        start, stop = self.window_s
        if start < 0 or stop > duration_s + 1e-12:
            raise ConfigError(f"stimulation window {start:g}-{stop:g} s lies outside the trial "
                              f"(0-{duration_s:g} s)")

    @property
    def kick_mV_signed(self) -> float:
        return self.kick_mV if self.mode == "exc" else -self.kick_mV

    def steps(self, dt_s: float) -> tuple:
        """(first, end) LIF step indices n of the window: kicks for first <= n < end."""
        return (int(round(self.window_s[0] / dt_s)), int(round(self.window_s[1] / dt_s)))

    def kicks_mV(self, n_units: int) -> np.ndarray:
        """(n_units,) signed kick per unit [mV] (0 for units not stimulated)."""
        out = np.zeros(n_units)
        out[list(self.units)] = self.kick_mV_signed
        return out

    def as_dict(self) -> dict:
        return {"mode": self.mode, "units": list(self.units), "window_s": list(self.window_s),
                "kick_mV": self.kick_mV, "probability": self.probability}


def parse_units(text: str, dale_sign=None) -> tuple:
    """Unit indices from ``"0-49"``, ``"3,7,10-12"``, or ``"E"`` / ``"I"`` (every excitatory /
    inhibitory unit, from ``dale_sign``). Raises ConfigError on anything else."""
    key = str(text).strip().upper()
    if key in ("E", "I"):
        if dale_sign is None:
            raise ConfigError("--units E/I needs the network's Dale signs")
        units = np.flatnonzero(np.asarray(dale_sign) * (1 if key == "E" else -1) > 0)
        if not len(units):
            raise ConfigError(f"the network has no {'excitatory' if key == 'E' else 'inhibitory'}"
                              f" unit")
        return tuple(int(u) for u in units)
    units = []
    for part in str(text).replace(" ", "").split(","):
        if not part:
            continue
        try:
            if "-" in part:
                a, b = (int(x) for x in part.split("-", 1))
                if b < a:
                    raise ValueError
                units += range(a, b + 1)
            else:
                units.append(int(part))
        except ValueError:
            raise ConfigError(f"--units {text!r}: expected indices and ranges such as 0-49 or "
                              f"3,7,10-12, or E / I for all excitatory / inhibitory units") from None
    if not units:
        raise ConfigError(f"--units {text!r} names no unit")
    return tuple(units)
