"""Training the converted net's own kind of spiking net from scratch (beyond the papers).

The net is a :class:`~rate2spike.lif_models.LIFNetwork`: Kim et al.'s LIF units (tau_m 10 ms,
threshold -40 mV, reset -65 mV, 2 ms refractory period, voltage noise), double-exponential
synapses (rise 2 ms, per-unit decay tau_d), Dale's principle, lambda = 1/s. Instead of
converting a trained rate net, its weights start from Kim et al.'s rate-net initialisation and
are trained in the spiking net itself, with the surrogate-gradient BPTT of ``finetune``
(:class:`rate2spike.converters.finetune.SpikingNetModel`):

- initial weights (those of an untrained rate net, :class:`~rate2spike.rate_models.rnn.RateRNN`):
  a fraction ``p_inh`` of inhibitory units; each connection present with probability ``p_rec``,
  ``|N(0, 1)| gain / sqrt(N p_rec)`` in Dale's sign; W_in ~ N(0, 1) x ``input_gain`` (mV;
  default 20: with Kim et al.'s N(0, 1) mV the 200 units fire at ~75 Hz whatever the input
  and the Go pulse moves no output; runs stopped after 70 and 90 updates were at chance; with
  20 mV the task is learned in ~150 updates); W_out ~ N(0, 1) x 0.03 (the rate net's
  N(0, 1) / 100 times 3, the size of a trained Go/NoGo net's readout, so that the relative
  step sizes of the readout and the other weights are alike); tau_d in [tau_min, tau_max] as
  the rate net's initial sigmoid(N(0, 1)) draw, then fixed;
- lambda = 1/s with ``s`` (default 25, where the default converted Go/NoGo net works) scales
  W_rec and W_out of the spiking net, as after a conversion;
- trained: the recurrent weights in their Dale signs and connectivity, W_in, the readout, by
  Adam on the task's MSE, at ``train_dt_s`` (every reported accuracy is measured back at the
  model's 0.05 ms step in Brian2).

Example
-------
>>> cfg = DaleLIFTrainConfig(units=20, updates=2, batch_size=2)
>>> initial_network(cfg).rate.W_rec.shape
(20, 20)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...converters.finetune import FinetuneConfig, check_train_step
from ...converters.finetune_training import finetune
from ...lif_models import LIFConstants, LIFNetwork
from ...rate_models.network import RateNetwork
from ...rate_models.rnn import RateRNN
from ...tasks import TASKS, get_task
from ...validation import check_choice, check_int, check_range

#: the initial readout: the rate net's N(0, 1) / 100 draw times this (N(0, 1) x 0.03)
READOUT_INIT_FACTOR = 3.0


@dataclass
class DaleLIFTrainConfig(FinetuneConfig):
    """Options of the directly trained Dale LIF net (``dlif:`` config section). Times in seconds.

    task; units (N); p_inh, p_rec, gain: Kim et al.'s initialisation; input_gain: the factor
    on the initial W_in (mV per unit of input); tau_min_s / tau_max_s: the range of the fixed
    synaptic decay times; s: the scale of the initial net (lambda = 1/s); the training options
    are ``finetune``'s (:class:`~rate2spike.converters.finetune.FinetuneConfig`: updates,
    batch_size, lr (relative Adam step), train_dt_s, surrogate_width_mV, dampening, eval_every,
    eval_trials, stop_accuracy, grad_clip) with the defaults below; seed: initial weights,
    batches, noise."""

    updates: int = 300
    lr: float = 0.03
    train_dt_s: float = 1e-3
    eval_every: int = 5
    task: str = "gonogo"
    units: int = 200
    p_inh: float = 0.2
    p_rec: float = 0.2
    gain: float = 1.5
    input_gain: float = 20.0
    tau_min_s: float = 0.02
    tau_max_s: float = 0.1
    s: float = 25.0

    def validate(self) -> "DaleLIFTrainConfig":
        check_choice("task", self.task, TASKS)
        check_int("units", self.units, 2, 20_000)
        check_range("p_inh", self.p_inh, 0.0, 1.0)
        check_range("p_rec", self.p_rec, 0.0, 1.0, low_open=True)
        check_range("gain", self.gain, 0.0, 100.0, low_open=True)
        check_range("input_gain", self.input_gain, 0.0, 1e4, low_open=True)
        check_range("tau_min_s", self.tau_min_s, 0.0, 10.0, low_open=True)
        check_range("tau_max_s", self.tau_max_s, self.tau_min_s, 10.0)
        check_range("s", self.s, 0.0, 1e6, low_open=True)
        super().validate()
        check_train_step(self.train_dt_s, get_task(self.task))
        return self


def initial_network(cfg: DaleLIFTrainConfig) -> LIFNetwork:
    """The untrained net of ``cfg`` (see the module docstring), seeded by ``cfg.seed``."""
    task = get_task(cfg.task)
    a = RateRNN(cfg.units, task.n_inputs, "sigmoid", True, cfg.p_inh, cfg.p_rec, cfg.gain,
                cfg.tau_min_s, cfg.tau_max_s, task.dt_s, 0.0, cfg.seed).export_arrays()
    rate = RateNetwork(a["W_rec"], a["W_in"] * cfg.input_gain, a["W_out"] * READOUT_INIT_FACTOR,
                       np.zeros(1), a["tau_d_s"], a["dale_sign"], task.name, "sigmoid", task.dt_s,
                       cfg.tau_min_s, cfg.tau_max_s, 0.0, True,
                       {"initialisation": "Kim et al. 2019 rate-net initialisation, untrained"})
    return LIFNetwork(rate, cfg.s, LIFConstants(), {"family": "dlif"})


def train_dale_lif(cfg: DaleLIFTrainConfig, state_path=None, progress: bool = True) -> tuple:
    """Train the net of ``cfg`` from scratch; returns (the trained LIFNetwork, its training
    record: ``history``, ``updates``, ``wall_time_s``). ``state_path``: saved at every
    evaluation and resumed from when it exists."""
    cfg.validate()
    # the whole config goes to finetune: a resume with other dlif options is refused by name
    net, record = finetune(initial_network(cfg), get_task(cfg.task), cfg, state_path, progress,
                           desc="train dlif")
    net.meta = {**net.meta, "updates": record.updates, "train_wall_time_s": record.wall_time_s}
    return net, record
