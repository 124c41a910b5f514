"""Constants of the converted LIF network (Kim et al. 2019 reference values)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class LIFConstants:
    """LIF constants. Times in seconds (``_s``), voltages in mV (``_mV``).

    dt_s : simulation step; tau_m_s : membrane time constant; refractory_s : absolute refractory
    period; v_th_mV / v_reset_mV / v_bias_mV : threshold, reset and bias; v_init_high_mV : upper
    end of the initial voltages U(v_reset, v_init_high); noise_mV : standard deviation of the
    voltage noise added per step; tau_r_s : synaptic rise time (0: single-exponential synapse,
    the reference's ``tr == 0`` branch); readout_dt_s : interval between
    samples of the readout o(t) (a whole number of steps).

    Example
    -------
    >>> c = LIFConstants(noise_mV=0.0, refractory_s=0.0)   # the settings NIR can carry
    >>> c.tau_m_s, c.v_th_mV, c.readout_stride
    (0.01, -40.0, 10)
    """

    dt_s: float = 5e-5
    tau_m_s: float = 0.01
    refractory_s: float = 0.002
    v_th_mV: float = -40.0
    v_reset_mV: float = -65.0
    v_bias_mV: float = -40.0
    v_init_high_mV: float = 30.0
    noise_mV: float = 0.1
    tau_r_s: float = 0.002
    readout_dt_s: float = 5e-4

    @property
    def readout_stride(self) -> int:
        """LIF steps per readout sample (readout_dt_s must be a whole number of dt_s)."""
        k = round(self.readout_dt_s / self.dt_s)
        if k < 1 or abs(k * self.dt_s - self.readout_dt_s) > 1e-9 * self.readout_dt_s:
            raise ValueError(f"readout_dt_s ({self.readout_dt_s} s) must be a positive whole "
                             f"multiple of dt_s ({self.dt_s} s)")
        return k
