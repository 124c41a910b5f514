"""Rate -> spiking conversion and the lambda (weight scale) search."""
from .lambda_search import SweepResult, choose_best_scale, lambda_sweep
from .lif_network import DEFAULT_SCALES, LIFNetwork, RateNetwork, convert, default_scales

__all__ = ["SweepResult", "choose_best_scale", "lambda_sweep", "DEFAULT_SCALES", "LIFNetwork",
           "RateNetwork", "convert", "default_scales"]
