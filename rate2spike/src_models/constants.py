"""Constants of the Spiking Recurrent Cell (De Geeter, Ernst & Drion 2023, appendix A).

Plain data shared by the torch model (:mod:`rate2spike.src_models.cell`) and the Brian2
model (:mod:`rate2spike.brian_models.src`), so the two read their constants from one place.
The cell is a discrete-time system: every constant is per step, and one step lasts
``step_s`` seconds (1 ms by default; the paper's sequences have no physical time unit).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from ..errors import ConfigError

#: which h switches the gate z_s: "new_h" is the paper's eq. 3c, H(h[t] - 0.5) with h[t]
#: computed first (it needs no z_s since z = 0); "previous_h" is an earlier reading,
#: H(h[t-1] - 0.5), kept so that nets trained with it run as trained (wider pulses)
ZS_GATES = ("new_h", "previous_h")


@dataclass(frozen=True)
class SRCConstants:
    """Fixed (non-learned) constants of an SRC layer and of the readout integrators.

    alpha : leak factor per step of the input integrator i (0.9; 0.99 for latency codes).
    rho : saturation of the rescaled tanh, x = rho * tanh(i / rho).
    r, r_s : gains of the fast positive (h) and slow negative (h_s) feedbacks.
    zs_hyp, zs_dep : update factor of h_s below and above h = 0.5 (Heaviside switch).
    b_h_init, b_h_max : initial value and upper bound of the learned bias b_h.
    readout_alpha : leak factor per step of the readout integrators (0.99).
    step_s : duration of one step, seconds.
    zs_gate : ``"new_h"`` (eq. 3c: z_s from the new h[t], the default) or ``"previous_h"``
    (z_s from h[t-1]; artifacts saved before the gate was recorded load with it).
    """

    alpha: float = 0.9
    rho: float = 3.0
    r: float = 2.0
    r_s: float = -7.0
    zs_hyp: float = 0.9
    zs_dep: float = 0.0
    b_h_init: float = -6.0
    b_h_max: float = -4.0
    readout_alpha: float = 0.99
    step_s: float = 0.001
    zs_gate: str = "new_h"

    def __post_init__(self):
        if self.zs_gate not in ZS_GATES:
            raise ConfigError(f"SRC constant zs_gate = {self.zs_gate!r} is not valid; choose "
                              f"one of: {', '.join(ZS_GATES)}")
        for name in ("alpha", "zs_hyp", "zs_dep", "readout_alpha"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise ConfigError(f"SRC constant {name} must be in [0, 1], got {v}")
        if self.rho <= 0:
            raise ConfigError(f"SRC constant rho must be > 0, got {self.rho}")
        if self.b_h_init > self.b_h_max:
            raise ConfigError(f"b_h_init ({self.b_h_init}) must not exceed b_h_max ({self.b_h_max})")
        if not 0 < self.step_s <= 1:
            raise ConfigError(f"step_s must be in (0, 1] seconds, got {self.step_s}")

    def as_dict(self) -> dict:
        return asdict(self)
