"""Rate RNNs of Kim, Li & Sejnowski (2019): the plain-data network (``network``), the torch
model (``rnn``), transfer functions and training."""
from .network import RateNetwork
from .rnn import RateRNN, rate_step, run_rate_network, simulate_rate_network
from .transfer import TRANSFER_FUNCTIONS, get_transfer

__all__ = ["RateNetwork", "RateRNN", "rate_step", "run_rate_network", "simulate_rate_network",
           "TRANSFER_FUNCTIONS", "get_transfer"]
