"""What a study consists of: settings (one per combination of options) x net indices."""
from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass

from ...errors import Rate2SpikeError

#: the fact sheet's fixed synaptic decay for the "fixed tau_d" setting (20 ms)
FIXED_TAU_D_S = 0.02
#: how tau_d is set in a study setting: learned in [20, 100] ms, or fixed at 20 ms
TAU_MODES = ("trained", "fixed")
#: the LIF synapse of a setting: double exponential (tau_r 2 ms) or single (tau_r = 0)
SYNAPSES = ("double", "single")


@dataclass(frozen=True)
class StudySetting:
    """One combination of options whose nets are compared with another's.

    tau: "trained" (tau_d learned in [tau_min_s, tau_max_s]: 20-100 ms by default, 20-50 ms
    under ``--preset reference``) or "fixed" (tau_d = 20 ms for all units).
    refractory_s: LIF absolute refractory period in seconds.
    synapse: "double" (double-exponential, tau_r = 2 ms) or "single" (tau_r = 0).
    """

    task: str
    act: str
    units: int
    tau: str
    refractory_s: float
    synapse: str = "double"

    @property
    def key(self) -> str:
        """Folder name of the setting (stable: extending a study finds its nets again)."""
        return (f"{self.train_key}_ref{self.refractory_s * 1e3:g}ms"
                + ("_single-exp" if self.single else ""))

    @property
    def train_key(self) -> str:
        """The part of :attr:`key` that decides the rate net (the rest is conversion only)."""
        return f"{self.task}_{self.act}_N{self.units}_tau-{self.tau}"

    @property
    def single(self) -> bool:
        return self.synapse == "single"

    @property
    def label(self) -> str:
        return (f"{self.act}, N={self.units}, τ_d {self.tau}, t_ref {self.refractory_s * 1e3:g} ms"
                + (", single-exp. synapse" if self.single else ""))

    def train_overrides(self) -> dict:
        tau = {"tau_min_s": FIXED_TAU_D_S, "tau_max_s": FIXED_TAU_D_S} if self.tau == "fixed" else {}
        return {"task": self.task, "act": self.act, "units": self.units, **tau}

    def convert_overrides(self) -> dict:
        return {"task": self.task, "refractory_s": self.refractory_s,
                **({"tau_r_s": 0.0} if self.single else {})}

    def as_dict(self) -> dict:
        return {**asdict(self), "key": self.key, "label": self.label}


@dataclass(frozen=True)
class NetJob:
    """Net ``index`` of a setting; its seed is the index, so nets 0..n-1 of a study are the
    same nets whenever the study is extended to more."""

    setting: StudySetting
    index: int

    @property
    def key(self) -> str:
        return f"{self.setting.key}/net_{self.index:03d}"


def plan_jobs(task: str, acts, n_nets: int, units=(200,), taus=("trained",),
              refractories_s=(0.002,), synapses=("double",)) -> list:
    """Every (setting, net index) of a study, settings in the given order."""
    if n_nets < 1:
        raise Rate2SpikeError(f"--nets must be >= 1, got {n_nets}")
    for tau in taus:
        if tau not in TAU_MODES:
            raise Rate2SpikeError(f"--tau must be 'trained' or 'fixed', got {tau!r}")
    if any(r < 0 for r in refractories_s):
        raise Rate2SpikeError(f"refractory periods must be >= 0 ms, got {list(refractories_s)}")
    for synapse in synapses:
        if synapse not in SYNAPSES:
            raise Rate2SpikeError(f"--synapse must be 'double' or 'single', got {synapse!r}")
    settings = [StudySetting(task, a, int(n), t, float(r), y)
                for a, n, t, r, y in itertools.product(acts, units, taus, refractories_s,
                                                       synapses)]
    return [NetJob(s, k) for s in settings for k in range(n_nets)]
