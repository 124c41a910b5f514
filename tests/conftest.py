import numpy as np
import pytest

from rate2spike.artifacts import save_network


def make_rate_artifact(path_stem, task="gonogo", n=20, n_in=1, seed=0):
    """A small random rate network saved as a rate2spike artifact."""
    rng = np.random.default_rng(seed)
    sign = np.where(rng.random(n) < 0.2, -1.0, 1.0)
    w = np.abs(rng.standard_normal((n, n))) * (rng.random((n, n)) < 0.3) * sign[None, :] * 2
    arrays = {"W_rec": w, "W_in": rng.standard_normal((n, n_in)) * 5,
              "W_out": rng.standard_normal((1, n)), "b_out": np.zeros(1),
              "tau_d_s": rng.uniform(0.02, 0.1, n), "dale_sign": sign}
    meta = {"task": task, "act": "sigmoid", "dale": True, "dt_s": 0.005, "tau_min_s": 0.02,
            "tau_max_s": 0.1, "noise_std": 0.1}
    return save_network(path_stem, "rate_rnn", arrays, meta)


@pytest.fixture
def tiny_model(tmp_path):
    return make_rate_artifact(tmp_path / "models" / "tiny")
