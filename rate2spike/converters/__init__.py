"""Rate -> spiking conversion (scaling by s = 1/lambda) and the search for the best s."""
from .adaptive_search import AdaptiveOptions, adaptive_search
from .calibration import CalibrationTrials
from .conversion import DEFAULT_SCALES, convert, default_scales
from .readout_fit import READOUT_FITS
from .scale_trials import TRIAL_SAMPLINGS
from .sweep import TIE_RULES, SweepOptions, best_per_fit, choose_best_s, edge_warning, sweep_scales

__all__ = ["DEFAULT_SCALES", "convert", "default_scales", "SweepOptions", "choose_best_s",
           "edge_warning", "sweep_scales", "TIE_RULES", "READOUT_FITS", "CalibrationTrials",
           "best_per_fit", "TRIAL_SAMPLINGS", "SEARCHES", "AdaptiveOptions", "adaptive_search"]

#: how the best s is searched: the fixed grid (the paper), or adaptively (beyond it)
SEARCHES = ("grid", "adaptive")
