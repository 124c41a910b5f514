"""Shared fixtures: small rate artifacts, the trained Go/NoGo net, the CLI runner; and a
Brian2 build cache of the test session's own (not the user's ~/.cache), removed at its end."""
import os
import shutil
import tempfile
from pathlib import Path

if os.environ.get("PYTEST_XDIST_WORKER"):
    # one torch thread per xdist worker: two workers of two spinning threads each on two cores
    # slow small-op tests many times over (the CLI honours this too)
    os.environ["OMP_NUM_THREADS"] = "1"

import numpy as np
import pytest

from rate2spike.artifacts import save_network
from rate2spike.cli import main

TRAINED = Path(__file__).parent / "data" / "gonogo_n200.npz"   # default Go/NoGo net, loss < 1
#: the session's build cache, made by the first pytest process (the xdist controller, whose
#: environment its workers inherit) so that both workers reuse each other's compiled programs
_SHARED_CACHE = "RATE2SPIKE_TEST_SESSION_BUILDS"


def pytest_configure(config):
    if not os.environ.get(_SHARED_CACHE):
        os.environ[_SHARED_CACHE] = tempfile.mkdtemp(prefix="rate2spike_test_builds_")
        config._rate2spike_made_build_cache = True
    os.environ["RATE2SPIKE_BUILD_CACHE"] = os.environ[_SHARED_CACHE]   # Dask workers inherit it
    # every shape of the session stays compiled (~40 shapes, 56 builds asked for: with the
    # default 16 slots, 13 shapes asked for again had been evicted and were compiled twice)
    os.environ.setdefault("RATE2SPIKE_BUILD_SLOTS", "64")


def pytest_unconfigure(config):
    if getattr(config, "_rate2spike_made_build_cache", False):       # the controller, last
        shutil.rmtree(os.environ.pop(_SHARED_CACHE), ignore_errors=True)


def make_rate_artifact(path_stem, task="gonogo", n=20, n_in=1, seed=0, **meta_changes):
    """A small random rate network saved as a rate2spike artifact; ``meta_changes`` edit its
    metadata (a value of None removes the key)."""
    rng = np.random.default_rng(seed)
    sign = np.where(rng.random(n) < 0.2, -1.0, 1.0)
    w = np.abs(rng.standard_normal((n, n))) * (rng.random((n, n)) < 0.3) * sign[None, :] * 2
    arrays = {"W_rec": w, "W_in": rng.standard_normal((n, n_in)) * 5,
              "W_out": rng.standard_normal((1, n)), "b_out": np.zeros(1),
              "tau_d_s": rng.uniform(0.02, 0.1, n), "dale_sign": sign}
    meta = {"task": task, "act": "sigmoid", "dale": True, "dt_s": 0.005, "tau_min_s": 0.02,
            "tau_max_s": 0.1, "noise_std": 0.1}
    meta.update(meta_changes)
    return save_network(path_stem, "rate_rnn", arrays, {k: v for k, v in meta.items() if v is not None})


@pytest.fixture
def rate_artifact():
    """The artifact maker, for tests that need several."""
    return make_rate_artifact


@pytest.fixture
def tiny_model(tmp_path):
    return make_rate_artifact(tmp_path / "models" / "tiny")


@pytest.fixture(scope="session")
def trained_path():
    return TRAINED


@pytest.fixture
def run_cli(capsys):
    """Run the CLI in-process; returns (exit code, captured output)."""
    def run(args):
        try:
            code = main(args)
        except SystemExit as exc:  # argparse errors
            code = exc.code
        return code, capsys.readouterr()
    return run


def pytest_collection_modifyitems(config, items):
    """The long tests (marked ``slow``) first: with two workers a long test started last would
    leave the other worker idle at the end of the run."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)   # stable: order kept
