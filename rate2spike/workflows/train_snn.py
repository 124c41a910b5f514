"""``train_snn``: train a spiking classifier (SRC, surrogate-gradient LIF or adaptive LIF), or a
rate RNN converted to LIF afterwards, on a dataset and write its artifact, report, figures and
``result.json``."""
from __future__ import annotations

import time
from dataclasses import asdict

import numpy as np

from ..classifiers import ClassifierConfig, evaluate_classifier, train_classifier
from ..classifiers.training import check_sample_limits
from ..config import build_config
from ..converters.classifier_conversion import convert_classifier
from ..datasets import load_dataset
from ..families.parity import brian_parity
from ..locking import folder_lock
from ..rate_models.classifier import RateClassifierNetwork
from ..report.classifier_report import N_RASTERS, classifier_summary, write_classifier_report
from ..report.energy import classifier_energy
from ..seeds import stream_rng, stream_seed
from ..statistics import accuracy_interval
from .common import check_out_dir, check_training_fits, default_out_dir


def classifier_weights(net) -> list:
    """The (post, pre) matrices from the input to the readout of an SRC, LIF, adaptive LIF or
    rate classifier (feedforward weights only; W_rec is passed separately)."""
    if isinstance(net, RateClassifierNetwork):
        return [net.W_in, net.W_out]

    def forward(layer):
        for name in ("W_s", "W", "W_in"):
            if getattr(layer, name, None) is not None:
                return getattr(layer, name)
    return [forward(layer) for layer in net.layers] + [net.W_out]


def converted_summary(net: RateClassifierNetwork, record, train_set, test_set, test_idx,
                      cfg: ClassifierConfig, progress: bool) -> dict:
    """Convert a trained rate classifier to LIF, search s on ``search_samples`` validation
    samples and score the test samples ``test_idx`` in Brian2; JSON-ready numbers."""
    search = record.split["validation"][:cfg.search_samples]
    enc = dict(encoding=cfg.encoding, steps=cfg.steps, gain=cfg.gain)
    x_test = test_set.inputs(test_idx, rng=stream_rng("classifier_test_inputs", cfg.seed), **enc)
    res = convert_classifier(
        net, train_set.inputs(search, rng=stream_rng("classifier_search_inputs", cfg.seed), **enc),
        train_set.labels[search], x_test, test_set.labels[test_idx], cfg.scales, cfg.lif_device,
        cfg.seed, progress=progress)
    spikes = res.pop("spikes_per_unit")
    energy = classifier_energy("lif", [net.W_in, net.W_out], x_test.sum(axis=(0, 2)) / len(x_test),
                               [spikes], cfg.steps, cfg.encoding == "direct", recurrent=[net.W_rec])
    res["test_predictions"] = res["test_predictions"].tolist()
    lo, hi = accuracy_interval(res["test_accuracy"], res["n_test"])
    return {**res, "test_interval": [lo, hi], "energy": energy,
            "spikes_per_neuron": res["firing_rate_hz"] * cfg.steps * net.dt_s}


def train_snn(cell: str = "src", dataset: str = "digits", out=None,
              config: ClassifierConfig | None = None, progress: bool = True, **overrides):
    """Train ``cell`` (``src``, ``lif`` or ``alif``) on ``dataset`` and write it with its report to ``out``.

    Options are :class:`~rate2spike.classifiers.ClassifierConfig` fields. The datasets are read
    before anything is written, so a missing dataset leaves no folder behind. A run interrupted
    after some epochs continues from its ``checkpoint.pt`` when started again with the same
    options (``epochs`` may grow). Returns (record, summary dict, written paths).

    Example
    -------
    >>> rec, summary, files = rate2spike.train_snn("src", "digits", out="runs/snn",
    ...                                            layers=2, epochs=5)   # doctest: +SKIP
    >>> summary["test_accuracy"]                                        # doctest: +SKIP
    0.97
    """
    cfg = build_config(ClassifierConfig, asdict(config) if config else {},
                       {"cell": cell, "dataset": dataset, **overrides}).validate()
    out = check_out_dir(out if out else default_out_dir("train-snn", cfg.dataset))
    train_set = load_dataset(cfg.dataset, "train", cfg.data_root)
    test_set = load_dataset(cfg.dataset, "test", cfg.data_root)
    h, layers = cfg.hidden, cfg.layers
    check_training_fits(f"train-snn with --hidden {h:,}, --layers {layers} and --batch-size "
                        f"{cfg.batch_size}", layers * h * (h + 1) + h * (train_set.n_channels + 20),
                        cfg.batch_size, cfg.steps, layers * h)
    _, n_test = check_sample_limits(cfg, train_set, test_set)   # before anything is written
    # a seeded sample of the test split (files may be sorted by class), scored in index order
    test_idx = np.sort(stream_rng("classifier_test_sample", cfg.seed).permutation(len(test_set))[:n_test])
    with folder_lock(out):
        record = train_classifier(cfg, train_set, out / "checkpoint.pt", progress=progress)
        start = time.perf_counter()
        test_eval = evaluate_classifier(record.model, test_set, test_idx, cfg,
                                        seed=stream_seed("classifier_test", cfg.seed))
        per_sample = (time.perf_counter() - start) / n_test
        net = record.network()
        recurrent = ([net.W_rec] if cfg.cell == "rate" else
                     [getattr(x, "W_rec", None) for x in net.layers])
        energy = classifier_energy(cfg.cell, classifier_weights(net), test_eval["input_events"],
                                   test_eval["active_steps"], cfg.steps,
                                   cfg.encoding == "direct" or test_set.graded,
                                   recurrent=recurrent, adaptive=cfg.cell == "alif" and cfg.adaptive)
        summary = classifier_summary(record, test_eval, energy, per_sample)
        n_brian = min(cfg.brian_samples, n_test)
        if cfg.cell == "rate":
            summary["converted"] = converted_summary(net, record, train_set, test_set, test_idx,
                                                     cfg, progress)
        elif n_brian:
            x = test_set.inputs(test_idx[:n_brian], cfg.encoding, cfg.steps,
                                rng=stream_rng("classifier_brian_inputs", cfg.seed), gain=cfg.gain)
            summary["brian2"] = brian_parity(net, x)
        pick = [int(np.flatnonzero(test_set.labels[test_idx] == c)[0])
                for c in np.unique(test_set.labels[test_idx])[:N_RASTERS]]
        examples = (test_set.inputs(np.array(pick), cfg.encoding, cfg.steps,
                                    rng=np.random.default_rng(cfg.seed), gain=cfg.gain),
                    test_set.labels[pick])
        files = write_classifier_report(record, net, test_set, test_eval, examples, summary, out)
    return record, summary, files
