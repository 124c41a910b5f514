"""The rate artifact's metadata schema: one loader, one clear error per missing or odd key."""
import numpy as np
import pytest

from rate2spike.errors import ArtifactError
from rate2spike.rate_models import RateNetwork
from rate2spike.rate_models.network import RATE_SCHEMA


@pytest.mark.parametrize("key", sorted(RATE_SCHEMA))
def test_a_missing_schema_key_is_named_with_the_file(tmp_path, rate_artifact, key):
    path = rate_artifact(tmp_path / "m", **{key: None})
    with pytest.raises(ArtifactError, match=rf"m.npz: metadata key '{key}' is missing"):
        RateNetwork.load(path)


@pytest.mark.parametrize("key,value,match", [
    ("act", 3, "'act' must be str"),
    ("dale", "yes", "'dale' must be bool"),
    ("dt_s", True, "'dt_s' must be float"),
    ("act", "tanh", "act = 'tanh' is not one of sigmoid, softplus, relu"),
    ("tau_max_s", 0.001, "0 < tau_min_s <= tau_max_s"),
])
def test_wrong_schema_values_are_refused(tmp_path, rate_artifact, key, value, match):
    with pytest.raises(ArtifactError, match=match):
        RateNetwork.load(rate_artifact(tmp_path / "m", **{key: value}))


def test_inconsistent_arrays_are_refused_and_a_good_file_loads(tmp_path, rate_artifact):
    net = RateNetwork.load(rate_artifact(tmp_path / "m", n=7, n_in=2))
    assert (net.n_units, net.n_inputs, net.act, net.dale) == (7, 2, "sigmoid", True)
    assert net.meta == {}    # schema keys are fields, not meta
    with pytest.raises(ArtifactError, match="array shapes are inconsistent"):
        RateNetwork(net.W_rec, net.W_in, net.W_out[:, :3], net.b_out, net.tau_d_s, net.dale_sign,
                    "gonogo", "sigmoid")
    with pytest.raises(ArtifactError, match="tau_d_s must be in seconds"):
        RateNetwork(net.W_rec, net.W_in, net.W_out, net.b_out, np.zeros(7), net.dale_sign,
                    "gonogo", "sigmoid")
