"""Torch rate RNNs (Kim et al. 2019) and their training."""
from .rnn import RateRNN, rate_step, run_rate_network
from .transfer import TRANSFER_FUNCTIONS, get_transfer

__all__ = ["RateRNN", "rate_step", "run_rate_network", "TRANSFER_FUNCTIONS", "get_transfer"]
