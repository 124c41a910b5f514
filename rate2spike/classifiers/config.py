"""Options of a spiking classifier trained directly on a dataset (``rate2spike train-snn``)."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..datasets import DATASETS
from ..datasets.augment import MAX_SHIFT
from ..encoders import ENCODINGS, RATE_GAIN
from ..errors import ConfigError
from ..simulators.base import DEVICES
from ..surrogate_models.alif_network import ALIF_READOUTS
from ..validation import check_choice, check_int, check_range, check_scales

#: the directly trained cells: the Spiking Recurrent Cell, the surrogate-gradient LIF of
#: De Geeter et al., and the adaptive LIF SRNN of Yin et al. (2020); and ``rate``: Kim et al.'s
#: rate RNN trained on the same data, then converted to LIF with the lambda search
CELLS = ("src", "lif", "alif", "rate")
ALIF_SURROGATES = ("gaussian", "multi_gaussian")
EVENT_DATASETS = ("nmnist", "shd", "sdigits", "smnist5k", "psmnist5k")
MAX_LAYERS = 50


@dataclass
class ClassifierConfig:
    """De Geeter et al. (2023), appendix A, where the paper has a value: Adam with a cosine
    schedule from ``lr`` over all updates, gradient-norm clip 1, batch 64, 90/10 train/validation
    split, hidden layers of 512, sequences of 200 steps, rate gain 0.25, alpha 0.9 (0.99 with
    latency codes; SRC: the integrator's leak, LIF: alpha_V's initial value). The paper trains
    100 epochs (200 on Fashion-MNIST); the default here is 10 (digits converge in fewer).

    layers : layers in all, the last being the class layer of 10 neurons per class (``layers =
    1``: no hidden layer). ``train_limit`` / ``test_limit`` : use only the first so many samples
    of the (shuffled) training / test split, 0 = all. ``step_s`` : seconds per step (for times
    in reports and the Brian2 runs; the paper's sequences have no physical unit).
    ``alif`` (Yin et al. 2020): ``layers`` recurrent layers of ``hidden`` neurons (all hidden),
    then a non-spiking leaky-integrator readout per class (trained W_out, tau_out); ``recurrent``,
    ``adaptive``, ``readout`` and ``surrogate`` apply to it only.
    ``augment_shift`` : move each training image by a random whole number of pixels, up to this
    many along each axis, a fresh draw per sample and epoch (0: never; not in the paper; static
    2-D image datasets only, :mod:`rate2spike.datasets.augment`).
    ``brian_samples`` : test samples run again equation-level in Brian2 (numpy target) and
    compared with torch step by step (0: skip).
    ``rate`` (Kim et al. 2019): one recurrent layer of ``hidden`` rate units (``layers`` is 1),
    Dale's principle, tau_d trained in 20-100 ms, steps of 5 ms (``step_s`` is not used), a
    bias-free readout per class; after training it is converted to LIF and the scale s =
    1/lambda is chosen on ``search_samples`` validation samples among ``scales`` (empty: Kim et
    al.'s sigmoid grid 20, 25, ..., 75), then every test sample is scored in Brian2
    (``lif_device``).
    """

    cell: str = "src"
    dataset: str = "digits"
    encoding: str = "rate"           # rate | latency | direct (static data) or events
    layers: int = 2
    hidden: int = 512
    steps: int = 200
    epochs: int = 10
    batch_size: int = 64
    lr: float = 0.005
    grad_clip: float = 1.0
    val_fraction: float = 0.1
    alpha: float | None = None       # None: 0.99 with latency coding, else 0.9
    gain: float = RATE_GAIN
    train_limit: int = 0
    test_limit: int = 0
    augment_shift: int = 0           # pixels; training images only (0: no augmentation)
    step_s: float = 0.001
    data_root: str | None = None
    brian_samples: int = 16          # held-out samples re-run in Brian2 to check parity (0: skip)
    recurrent: bool = True           # alif: W_rec within each layer
    adaptive: bool = True            # alif: threshold adaptation (beta 1.8); False: plain LIF SRNN
    readout: str = "mean"            # alif: decision from the readout integrator's mean/max/last
    surrogate: str = "gaussian"      # alif: gaussian (the paper) or multi_gaussian
    search_samples: int = 100        # rate: validation samples of the lambda search
    scales: list = field(default_factory=list)   # rate: grid of s = 1/lambda (empty: 20, ..., 75)
    lif_device: str = "cpp_standalone"           # rate: Brian2 device of the converted net
    seed: int = 0

    @property
    def alpha_value(self) -> float:
        if self.alpha is not None:
            return float(self.alpha)
        return 0.99 if self.encoding == "latency" else 0.9

    def validate(self) -> "ClassifierConfig":
        check_choice("cell", self.cell, CELLS)
        check_choice("dataset", self.dataset, DATASETS)
        events = self.dataset in EVENT_DATASETS
        valid = ("events",) if events else ENCODINGS
        if self.encoding not in valid:
            raise ConfigError(f"encoding = {self.encoding!r} is not valid for the "
                              f"{'event' if events else 'static'} dataset {self.dataset}; choose "
                              f"one of: {', '.join(valid)}")
        check_int("layers", self.layers, 1, MAX_LAYERS)
        check_int("hidden", self.hidden, 1, 100_000)
        check_int("steps", self.steps, 2, 100_000)
        check_int("epochs", self.epochs, 1, 100_000)
        check_int("batch_size", self.batch_size, 1, 100_000)
        check_range("lr", self.lr, 0.0, 10.0, low_open=True)
        check_range("grad_clip", self.grad_clip, 0.0, 1e9, low_open=True)
        check_range("val_fraction", self.val_fraction, 0.0, 0.9)
        if self.alpha is not None:
            check_range("alpha", self.alpha, 0.0, 1.0)
        check_range("gain", self.gain, 0.0, 1e6)
        check_int("train_limit", self.train_limit, 0, 10**8)
        check_int("test_limit", self.test_limit, 0, 10**8)
        check_int("augment_shift", self.augment_shift, 0, MAX_SHIFT)
        if self.augment_shift and events:
            raise ConfigError(f"augment_shift = {self.augment_shift} moves images; {self.dataset} is "
                              f"an event dataset: use 0, or a static one "
                              f"({', '.join(d for d in DATASETS if d not in EVENT_DATASETS)})")
        check_range("step_s", self.step_s, 0.0, 1.0, low_open=True)
        check_int("brian_samples", self.brian_samples, 0, 10_000)
        check_choice("readout", self.readout, ALIF_READOUTS)
        check_choice("surrogate", self.surrogate, ALIF_SURROGATES)
        check_int("search_samples", self.search_samples, 1, 10**6)
        if self.scales:
            self.scales = check_scales(self.scales)
        check_choice("lif_device", self.lif_device, DEVICES)
        if self.cell == "rate":
            self.layers = 1            # one recurrent layer, whatever the SNN default says
        return self
