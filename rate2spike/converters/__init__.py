"""Rate -> spiking conversion (scaling by s = 1/lambda) and the search for the best s."""
from .conversion import DEFAULT_SCALES, convert, default_scales
from .sweep import TIE_RULES, SweepOptions, choose_best_s, edge_warning, sweep_scales

__all__ = ["DEFAULT_SCALES", "convert", "default_scales", "SweepOptions", "choose_best_s",
           "edge_warning", "sweep_scales", "TIE_RULES"]
