"""Rate -> spiking conversion (scaling by s = 1/lambda) and the search for the best s."""
from .conversion import DEFAULT_SCALES, convert, default_scales
from .sweep import SweepOptions, choose_best_s, sweep_scales

__all__ = ["DEFAULT_SCALES", "convert", "default_scales", "SweepOptions", "choose_best_s",
           "sweep_scales"]
