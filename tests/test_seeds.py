"""The named random streams: same generators as the literals they replaced, no collisions, and
the streams a training used are recorded in its artifact."""
import itertools

import numpy as np
import pytest

from rate2spike import seeds
from rate2spike.seeds import (
    ADDED_STREAMS,
    FIXED_STREAMS,
    KEYED_STREAMS,
    STREAMS,
    stream_rng,
    stream_seed,
    streams_record,
)

MAX_UPDATE = 10 ** 6          # per-update extras of the evaluation streams stay below this
SEEDS = range(0, 1001)

# the literals of the code before the streams were named: (name, keys) -> default_rng key
LITERAL_KEYS = {
    ("classifier_pool", ()): [1],
    ("classifier_epoch_order", (4,)): [2, 4],
    ("classifier_batch_encoding", (4, 7)): [3, 4, 7],
    ("classifier_test_sample", ()): [4],
    ("classifier_brian_inputs", ()): [13],
    ("classifier_search_inputs", ()): [15],
    ("classifier_test_inputs", ()): [16],
    ("fresh_scale_trials", (2500,)): [1000, 2500],
    ("adaptive_blocks", (3,)): [3000, 3],
    ("classifier_split", ()): [90_10],
}


def test_the_table_holds_todays_numbers():
    assert STREAMS == {
        "training": 0, "rate_training_noise": 1, "classifier_validation": 7,
        "classifier_test": 11, "example_trials": 99, "sweep_trials": 1000,
        "calibration_trials": 2000, "compare_trials": 5000, "simulate_trials": 7000,
        "export_trials": 9000, "nir_check_trials": 11000, "lesion_connections": 13000,
        "finetune_evaluation": 15000,
        "rate_evaluation": 10_000_019,
        "spiking_evaluation": 20_000_003,
        "classifier_pool": 1, "classifier_epoch_order": 2, "classifier_batch_encoding": 3,
        "classifier_test_sample": 4, "classifier_brian_inputs": 13,
        "classifier_search_inputs": 15, "classifier_test_inputs": 16,
        "fresh_scale_trials": 1000, "adaptive_blocks": 3000, "finetune_batches": 4000,
        "classifier_split": 90_10}
    assert set(seeds.PURPOSES) == set(STREAMS)
    assert seeds.NOISE_ID_OFFSETS == {"held_out": 0, "calibration": 10_000_000,
                                      "fresh_scale_trials": 2 ** 31,
                                      "adaptive_blocks": 3_000_000_000,
                                      "finetune": 3_500_000_000}


@pytest.mark.parametrize("seed", [0, 1, 42, 2 ** 31 - 1])
@pytest.mark.parametrize(("name", "keys"), list(LITERAL_KEYS))
def test_stream_rng_equals_the_literal_generator(seed, name, keys):
    literal = np.random.default_rng([seed, *LITERAL_KEYS[name, keys]])
    named = stream_rng(name, seed, *keys)
    np.testing.assert_array_equal(named.integers(0, 2 ** 62, 16), literal.integers(0, 2 ** 62, 16))
    np.testing.assert_array_equal(stream_rng(name, np.int64(seed), *keys).random(4),
                                  np.random.default_rng([seed, *LITERAL_KEYS[name, keys]]).random(4))


def test_stream_seed_equals_the_literal_offsets():
    seed, update = 3, 250
    assert stream_seed("training", seed) == seed
    assert stream_seed("rate_training_noise", seed) == seed + 1
    assert stream_seed("classifier_validation", seed) == seed + 7
    assert stream_seed("classifier_test", seed) == seed + 11
    assert stream_seed("example_trials", seed) == seed + 99
    assert stream_seed("sweep_trials", seed) == seed + 1000
    assert stream_seed("calibration_trials", seed) == seed + 2000
    assert stream_seed("compare_trials", seed) == seed + 5000
    assert stream_seed("simulate_trials", seed) == seed + 7000
    assert stream_seed("export_trials", seed) == seed + 9000
    assert stream_seed("rate_evaluation", seed, update) == 10_000_019 + update
    assert stream_seed("spiking_evaluation", 77, update) == 20_000_003 + update
    np.testing.assert_array_equal(stream_rng("sweep_trials", seed).random(5),
                                  np.random.default_rng(seed + 1000).random(5))


def test_old_constant_names_stay_importable():
    from rate2spike.converters.adaptive_search import ADAPTIVE_ID_OFFSET
    from rate2spike.converters.calibration import CALIBRATION_ID_OFFSET, CALIBRATION_SEED_OFFSET
    from rate2spike.converters.scale_trials import FRESH_ID_OFFSET
    from rate2spike.workflows.convert import SWEEP_TRIAL_OFFSET
    from rate2spike.workflows.export import EXPORT_TRIAL_OFFSET
    from rate2spike.workflows.simulate import SIMULATE_TRIAL_OFFSET

    assert (SWEEP_TRIAL_OFFSET, CALIBRATION_SEED_OFFSET, SIMULATE_TRIAL_OFFSET,
            EXPORT_TRIAL_OFFSET) == (1000, 2000, 7000, 9000)
    assert (CALIBRATION_ID_OFFSET, FRESH_ID_OFFSET, ADAPTIVE_ID_OFFSET) == (
        10_000_000, 2 ** 31, 3_000_000_000)


def test_unknown_and_wrong_kind_are_refused():
    with pytest.raises(KeyError, match="unknown random stream 'nope'"):
        stream_seed("nope", 0)
    with pytest.raises(ValueError, match="keyed stream"):
        stream_seed("classifier_pool", 0)


def test_added_streams_are_distinct_for_every_seed():
    """For one run seed, no two ``added`` streams give the same seed."""
    offsets = sorted(ADDED_STREAMS.values())
    assert len(set(offsets)) == len(offsets)
    for seed in SEEDS:
        got = [stream_seed(name, seed) for name in ADDED_STREAMS]
        assert len(set(got)) == len(got)


def test_evaluation_streams_do_not_overlap_other_streams():
    """Evaluation seeds offset + update (update < 10^6) lie apart from each other and from
    every ``added`` seed of run seeds 0 ... 1000."""
    added_max = max(SEEDS) + max(ADDED_STREAMS.values())
    ranges = sorted((FIXED_STREAMS[n], FIXED_STREAMS[n] + MAX_UPDATE) for n in FIXED_STREAMS)
    assert ranges[0][0] > added_max
    for (_, hi), (lo, _) in itertools.pairwise(ranges):
        assert hi < lo
    for name in FIXED_STREAMS:   # the same for every run seed
        assert {stream_seed(name, s, 5) for s in (0, 1, 1000)} == {FIXED_STREAMS[name] + 5}
    assert ranges[-1][1] < 2 ** 32          # one SeedSequence word: never aliases a key list


def test_keyed_streams_have_distinct_nonzero_keys():
    """Distinct keys give distinct generators; key 0 is excluded because SeedSequence gives
    [seed, 0] the state of the plain integer seed (an ``added`` stream)."""
    keys = list(KEYED_STREAMS.values())
    assert len(set(keys)) == len(keys) and 0 not in keys
    assert np.random.default_rng([5, 0]).random() == np.random.default_rng(5).random()
    firsts = {}
    for seed in (0, 1, 1000):
        for name in KEYED_STREAMS:
            extra = (0, 0) if name == "classifier_batch_encoding" else (
                (0,) if name in ("classifier_epoch_order", "fresh_scale_trials", "adaptive_blocks")
                else ())
            firsts[seed, name] = stream_rng(name, seed, *extra).integers(0, 2 ** 62)
        firsts[seed, "added"] = np.random.default_rng(seed).integers(0, 2 ** 62)
    assert len(set(firsts.values())) == len(firsts)


def test_streams_record():
    rec = streams_record(3)
    assert set(rec) == set(STREAMS)
    assert rec["sweep_trials"] == 1003 and rec["rate_evaluation"] == 10_000_019
    assert rec["classifier_epoch_order"] == [3, 2]
    assert streams_record(3, ["training"]) == {"training": 3}


def test_a_trained_rate_net_records_its_random_streams(tmp_path):
    from rate2spike.config import TrainConfig
    from rate2spike.rate_models.network import RateNetwork
    from rate2spike.rate_models.training import train_rate_model

    cfg = TrainConfig(task="gonogo", units=10, batch_size=2, max_updates=2, eval_every=1,
                      eval_trials=4, min_trials=0, seed=7)
    net = train_rate_model(cfg, progress=False).network()
    expected = {"training": 7, "rate_training_noise": 8, "rate_evaluation": 10_000_019}
    assert net.meta["random_streams"] == expected
    assert RateNetwork.load(net.save(tmp_path / "rate")).meta["random_streams"] == expected
