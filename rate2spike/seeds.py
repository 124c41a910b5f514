"""The named random streams of rate2spike: one table of every seed offset and generator key.

Every random draw of a run comes from a seed derived from the run's ``seed`` by a named
stream, so that no two uses share random numbers by accident and a result can say which
numbers it used (:func:`streams_record`). There are three kinds of stream:

``added`` (:data:`ADDED_STREAMS`): the trial seed is ``seed + offset`` (:func:`stream_seed`);
    ``task.generate(n, stream_seed("sweep_trials", seed))`` draws the sweep's held-out trials.

``fixed`` (:data:`FIXED_STREAMS`): the seed is ``offset + extra`` and does *not* depend on
    ``seed``: the held-out trials scored during training, one set per update
    (``stream_seed("rate_evaluation", seed, update)``); so every run is scored on the same
    trials at the same update. Their offsets lie far above every ``added`` seed.

``keyed`` (:data:`KEYED_STREAMS`): a generator ``np.random.default_rng([seed, key, *keys])``
    (:func:`stream_rng`), e.g. the classifier's shuffle of epoch e is
    ``stream_rng("classifier_epoch_order", seed, e)``. A key is never 0: NumPy's
    ``SeedSequence`` gives ``[seed, 0]`` the same state as the plain ``seed``.

What each stream is for (:data:`PURPOSES` holds the same sentences):

==========================  ==========  =========================================================
name                        number      draws
==========================  ==========  =========================================================
training                    + 0         training trials / batches and the model's initial weights
rate_training_noise         + 1         the rate RNN's training noise (torch generator)
classifier_validation       + 7         encoding of the classifier's validation samples
classifier_test             + 11        encoding of the classifier's test samples
example_trials              + 99        the example trials plotted in a training report
sweep_trials                + 1000      the lambda sweep's held-out trials (``convert``)
calibration_trials          + 2000      the calibration trials of a calibrated readout
compare_trials              + 5000      the shared trials of ``compare``
simulate_trials             + 7000      the trials of ``simulate``
export_trials               + 9000      the stimulus trial of an exported Brian2 script
rate_evaluation             10_000_019  (+ update) rate training's held-out evaluation trials
spiking_evaluation          20_000_003  (+ update) SRC / adaptive LIF training's evaluation trials
classifier_pool             key 1       which training samples a classifier uses
classifier_epoch_order      key 2       the classifier's sample order in epoch e (keys: e)
classifier_batch_encoding   key 3       encoding of training batch b of epoch e (keys: e, b)
classifier_test_sample      key 4       which test samples are scored
classifier_brian_inputs     key 13      encoding of the Brian2 parity samples
classifier_search_inputs    key 15      encoding of a converted rate classifier's s-search samples
classifier_test_inputs      key 16      encoding of a converted rate classifier's test samples
fresh_scale_trials          key 1000    fresh held-out trials of scale s (keys: round(100 s))
adaptive_blocks             key 3000    the adaptive search's trial block b (keys: b)
classifier_split            key 9010    the classifier's 90/10 train/validation split
==========================  ==========  =========================================================

Noise ids (:data:`NOISE_ID_OFFSETS`) are not seeds: they number the trials of the LIF
simulators' per-trial noise streams; held-out trial j has id j, the others start at an offset.

Example
-------
>>> stream_seed("sweep_trials", 3)
1003
>>> stream_seed("rate_evaluation", 3, 250)          # seed-independent: 10_000_019 + update
10000269
>>> a = stream_rng("classifier_epoch_order", 3, 5).integers(1 << 30, size=3)
>>> bool((a == np.random.default_rng([3, 2, 5]).integers(1 << 30, size=3)).all())
True
>>> streams_record(3, ["training", "rate_evaluation", "classifier_pool"])
{'training': 3, 'rate_evaluation': 10000019, 'classifier_pool': [3, 1]}
"""
from __future__ import annotations

import numpy as np

#: seed = run seed + offset (+ extra)
ADDED_STREAMS = {
    "training": 0,
    "rate_training_noise": 1,
    "classifier_validation": 7,
    "classifier_test": 11,
    "example_trials": 99,
    "sweep_trials": 1000,
    "calibration_trials": 2000,
    "compare_trials": 5000,
    "simulate_trials": 7000,
    "export_trials": 9000,
    "nir_check_trials": 11000,
    "lesion_connections": 13000,
    "finetune_evaluation": 15000,
}
#: seed = offset + extra (the update number); independent of the run seed
FIXED_STREAMS = {
    "rate_evaluation": 10_000_019,
    "spiking_evaluation": 20_000_003,
}
#: generator = ``np.random.default_rng([run seed, key, *keys])``
KEYED_STREAMS = {
    "classifier_pool": 1,
    "classifier_epoch_order": 2,
    "classifier_batch_encoding": 3,
    "classifier_test_sample": 4,
    "classifier_brian_inputs": 13,
    "classifier_search_inputs": 15,
    "classifier_test_inputs": 16,
    "fresh_scale_trials": 1000,
    "adaptive_blocks": 3000,
    "finetune_batches": 4000,
    "classifier_split": 90_10,
}
#: every stream: {name: offset or key}; the kind is the table it comes from
STREAMS = {**ADDED_STREAMS, **FIXED_STREAMS, **KEYED_STREAMS}

PURPOSES = {
    "training": "training trials / batches and the model's initial weights",
    "rate_training_noise": "the rate RNN's training noise (torch generator)",
    "classifier_validation": "encoding of the classifier's validation samples",
    "classifier_test": "encoding of the classifier's test samples",
    "example_trials": "the example trials plotted in a training report",
    "sweep_trials": "the lambda sweep's held-out trials (convert)",
    "calibration_trials": "the calibration trials of a calibrated readout",
    "compare_trials": "the shared trials of compare",
    "simulate_trials": "the trials of simulate",
    "export_trials": "the stimulus trial of an exported Brian2 script",
    "nir_check_trials": "the held-out trials of nir-check",
    "lesion_connections": "which connections a lesion hits",
    "finetune_evaluation": "the held-out trials a fine-tuned net is measured on, before and after",
    "rate_evaluation": "rate training's held-out evaluation trials (+ update)",
    "spiking_evaluation": "SRC / adaptive LIF training's held-out evaluation trials (+ update)",
    "classifier_pool": "which training samples a classifier uses",
    "classifier_epoch_order": "the classifier's sample order in epoch e",
    "classifier_batch_encoding": "encoding of training batch b of epoch e",
    "classifier_test_sample": "which test samples are scored",
    "classifier_brian_inputs": "encoding of the Brian2 parity samples",
    "classifier_search_inputs": "encoding of a converted rate classifier's s-search samples",
    "classifier_test_inputs": "encoding of a converted rate classifier's test samples",
    "fresh_scale_trials": "fresh held-out trials of scale s (keys: round(100 s))",
    "adaptive_blocks": "the adaptive search's trial block b",
    "finetune_batches": "the trials of fine-tuning update u (and of its evaluations: u = 0)",
    "classifier_split": "the classifier's 90/10 train/validation split",
}

#: first noise id of each kind of trial (held-out trials: 0 ... n-1; all ids < 2**32)
NOISE_ID_OFFSETS = {
    "held_out": 0,
    "calibration": 10_000_000,
    "fresh_scale_trials": 2 ** 31,
    "adaptive_blocks": 3_000_000_000,
    "finetune": 3_500_000_000,       # + (update * batch + trial) modulo 5e8
}


def stream_kind(name: str) -> str:
    """``added``, ``fixed`` or ``keyed``; KeyError naming the streams for an unknown name."""
    for kind, table in (("added", ADDED_STREAMS), ("fixed", FIXED_STREAMS),
                        ("keyed", KEYED_STREAMS)):
        if name in table:
            return kind
    raise KeyError(f"unknown random stream {name!r}; known: {', '.join(STREAMS)}")


def stream_seed(name: str, seed: int, *extra: int) -> int:
    """The integer seed of an ``added`` (``seed + offset + sum(extra)``) or ``fixed``
    (``offset + sum(extra)``) stream.

    >>> stream_seed("calibration_trials", 4), stream_seed("spiking_evaluation", 4, 10)
    (2004, 20000013)
    """
    kind = stream_kind(name)
    if kind == "keyed":
        raise ValueError(f"{name!r} is a keyed stream; use stream_rng({name!r}, seed, ...)")
    base = int(seed) if kind == "added" else 0
    return base + STREAMS[name] + sum(int(e) for e in extra)


def stream_rng(name: str, seed: int, *keys: int) -> np.random.Generator:
    """The generator of stream ``name``: ``default_rng([seed, key, *keys])`` for a keyed
    stream (exactly the generator of that literal), else ``default_rng(stream_seed(...))``.

    >>> x = stream_rng("classifier_split", 0).permutation(5)
    >>> bool((x == np.random.default_rng([0, 90_10]).permutation(5)).all())
    True
    """
    if stream_kind(name) != "keyed":
        return np.random.default_rng(stream_seed(name, seed, *keys))
    return np.random.default_rng([int(seed), KEYED_STREAMS[name], *(int(k) for k in keys)])


def streams_record(seed: int, names=None) -> dict:
    """{stream: seed used} for an artifact's metadata (JSON-ready): ``added`` -> seed + offset;
    ``fixed`` -> the offset (the seed of update u is offset + u); ``keyed`` -> [seed, key]
    (the generator's key prefix). ``names``: the streams to record (default: all).

    >>> streams_record(2, ["example_trials", "spiking_evaluation"])
    {'example_trials': 101, 'spiking_evaluation': 20000003}
    """
    out = {}
    for name in (STREAMS if names is None else names):
        if stream_kind(name) == "keyed":
            out[name] = [int(seed), KEYED_STREAMS[name]]
        else:
            out[name] = stream_seed(name, seed)
    return out
