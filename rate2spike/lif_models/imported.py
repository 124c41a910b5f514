"""A recurrent population of LIF or current-based LIF (CubaLIF) units read from another tool
(a NIR graph written by snnTorch, Norse or any exporter), as plain data.

The population runs in discrete time, one step of ``dt_s`` seconds, with the step that Norse
and snnTorch use for these NIR nodes (forward Euler, the synaptic current updated first):

    x_n = W_in u_n + W_rec z_{n-1} + b
    I_n = I_{n-1} + (dt / tau_syn) (w_in x_n - I_{n-1})          (CubaLIF; LIF: I_n = x_n)
    v_n = v_{n-1} + (dt / tau_mem) (v_leak - v_n-1 + r I_n)
    z_n = 1 if v_n > v_threshold, then v_n <- v_reset
    o_n = W_out z_n + b_out

u_n is the graph's input at step n, z the spikes (0/1 per step), o the graph's output.
Voltages and currents are in the graph's own units (NIR leaves them to the exporter; snnTorch
and Norse use dimensionless values with threshold 1); time constants are in seconds.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..artifacts import check_numeric
from ..errors import ArtifactError

#: per-unit parameters, each (N,)
UNIT_FIELDS = ("tau_mem_s", "r", "v_leak", "v_threshold", "v_reset")


@dataclass(frozen=True)
class ImportedLIFNetwork:
    """One recurrent LIF/CubaLIF population with an affine input and readout.

    W_in (N, C), b (N), W_rec (N, N), W_out (K, N), b_out (K); per unit (N,): tau_mem_s (s),
    r, v_leak, v_threshold, v_reset; for CubaLIF units also tau_syn_s (s) and w_in (N,), for
    LIF units both None. ``dt_s``: the step (s); every time constant must be at least one step.
    ``source``: where the net came from (for reports).
    """

    dt_s: float
    W_in: np.ndarray
    b: np.ndarray
    W_rec: np.ndarray
    W_out: np.ndarray
    b_out: np.ndarray
    tau_mem_s: np.ndarray
    r: np.ndarray
    v_leak: np.ndarray
    v_threshold: np.ndarray
    v_reset: np.ndarray
    tau_syn_s: np.ndarray | None = None
    w_in: np.ndarray | None = None
    source: str = ""

    def __post_init__(self):
        for name in ("W_in", "b", "W_rec", "W_out", "b_out", *UNIT_FIELDS, "tau_syn_s", "w_in"):
            value = getattr(self, name)
            if value is not None:
                check_numeric(value, name)
                object.__setattr__(self, name, np.asarray(value, dtype=float))
        if not (np.isfinite(self.dt_s) and self.dt_s > 0):
            raise ArtifactError(f"the step dt_s = {self.dt_s!r} s must be a positive number")
        n = self.W_rec.shape[0] if self.W_rec.ndim == 2 else -1
        want = {"W_in": (n, self.W_in.shape[-1]), "b": (n,), "W_rec": (n, n),
                "W_out": (self.W_out.shape[0], n), "b_out": (self.W_out.shape[0],),
                **{name: (n,) for name in UNIT_FIELDS}}
        if self.tau_syn_s is not None or self.w_in is not None:
            want.update(tau_syn_s=(n,), w_in=(n,))
        wrong = [f"{name} is {np.shape(getattr(self, name))}, not {shape}" for name, shape in want.items()
                 if getattr(self, name) is None or np.shape(getattr(self, name)) != shape]
        if n < 1 or self.W_in.ndim != 2 or self.W_out.ndim != 2 or wrong:
            raise ArtifactError(f"the imported population's shapes do not chain: {'; '.join(wrong)}")
        taus = {"tau_mem_s": self.tau_mem_s, "tau_syn_s": self.tau_syn_s}
        for name, tau in taus.items():
            if tau is not None and np.any(tau < self.dt_s * (1 - 1e-9)):
                raise ArtifactError(f"{name} must be at least one step ({self.dt_s} s) for every "
                                    f"unit; its smallest value is {tau.min()} s")

    @property
    def n_units(self) -> int:
        return self.W_rec.shape[0]

    @property
    def n_inputs(self) -> int:
        return self.W_in.shape[1]

    @property
    def n_outputs(self) -> int:
        return self.W_out.shape[0]

    @property
    def current_based(self) -> bool:
        """True for CubaLIF units (a synaptic current with tau_syn), False for LIF units."""
        return self.tau_syn_s is not None
