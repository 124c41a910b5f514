"""Constants of the converted LIF network (Kim et al. 2019 reference values)."""
from __future__ import annotations

from dataclasses import dataclass

#: when the LIF reads the next input sample: at its boundary, or as the reference's round()
INPUT_SWITCHES = ("floor", "round")
#: what stops during refractoriness: all of v, or only its drift (the reference)
REFRACTORY_HOLDS = ("v", "drift")


@dataclass
class LIFConstants:
    """LIF constants. Times in seconds (``_s``), voltages in mV (``_mV``).

    dt_s : simulation step; tau_m_s : membrane time constant; refractory_s : absolute refractory
    period; v_th_mV / v_reset_mV / v_bias_mV : threshold, reset and bias; v_init_high_mV : upper
    end of the initial voltages U(v_reset, v_init_high); noise_mV : standard deviation of the
    voltage noise added per step; tau_r_s : synaptic rise time (0: single-exponential synapse,
    the reference's ``tr == 0`` branch); readout_dt_s : interval between
    samples of the readout o(t) (a whole number of steps).

    Timing details of the authors' ``LIF_network_fnc.m`` (``--preset reference`` sets all
    three): input_switch : ``floor`` (the input sample of the 5 ms bin holding t) or ``round``
    (the reference's ``round(i/100)+1`` column, half a sample earlier, see
    :attr:`input_lead_steps`); start_hold_s : v does not drift (leak, bias, inputs) for this
    long from the trial start, the noise still moves it (reference 0.002: its refractory test
    with ``tlast = 0``); refractory_holds : ``v`` (v held entirely while refractory, noise and
    stimulation kicks included) or ``drift`` (only the drift stops; noise and kicks still
    apply, as the reference).

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
    input_switch: str = "floor"
    start_hold_s: float = 0.0
    refractory_holds: str = "v"

    def input_lead_steps(self, stim_dt_s: float) -> int:
        """LIF steps by which the input switches to its next sample (of ``stim_dt_s`` s)
        early (0 for ``floor``).

        ``round``: the reference reads column ``round(i / k) + 1`` (MATLAB, 1-based step i,
        k LIF steps per input sample) at 0-based step n = i - 1, i.e. ``floor((n + 1 + k/2)
        / k)``: a lead of ``k/2 + 1`` steps (51 for the 5 ms / 0.05 ms default)."""
        if self.input_switch == "floor":
            return 0
        return int(round(stim_dt_s / self.dt_s)) // 2 + 1

    @property
    def start_hold_steps(self) -> int:
        """Steps at the start of a trial during which v does not drift (noise still added)."""
        return int(round(self.start_hold_s / self.dt_s))

    @property
    def readout_stride(self) -> int:
        """LIF steps per readout sample (readout_dt_s must be a whole number of dt_s)."""
        k = round(self.readout_dt_s / self.dt_s)
        if k < 1 or abs(k * self.dt_s - self.readout_dt_s) > 1e-9 * self.readout_dt_s:
            raise ValueError(f"readout_dt_s ({self.readout_dt_s} s) must be a positive whole "
                             f"multiple of dt_s ({self.dt_s} s)")
        return k
