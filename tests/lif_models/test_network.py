"""The converted network as plain data: scaling by s, and its artifact round trip."""
import json

import numpy as np
import pytest

from rate2spike.converters import DEFAULT_SCALES, convert, default_scales
from rate2spike.errors import ConfigError
from rate2spike.lif_models import LIFConstants, LIFNetwork
from rate2spike.rate_models import RateNetwork


def test_conversion_scales_recurrent_and_readout_only_and_round_trips(tmp_path, tiny_model):
    rate = RateNetwork.load(tiny_model)
    lif = convert(rate, 40.0, LIFConstants(noise_mV=0.3))
    np.testing.assert_array_equal(lif.W_rec_scaled, rate.W_rec / 40)
    np.testing.assert_array_equal(lif.W_out_scaled, rate.W_out / 40)
    lif.save(tmp_path / "lif")
    meta = json.loads((tmp_path / "lif.json").read_text())
    assert meta["scale_s"] == 40.0 and meta["lambda"] == 1 / 40 and meta["b_out_dropped"]
    assert meta["lif_constants"]["noise_mV"] == 0.3 and meta["rate_constants"]["act"] == "sigmoid"
    stored = np.load(tmp_path / "lif.npz")
    np.testing.assert_array_equal(stored["W_rec"], rate.W_rec / 40)     # on disk: the spiking weights
    back = LIFNetwork.load(tmp_path / "lif.npz")
    assert back.s == 40.0 and back.constants == lif.constants
    np.testing.assert_allclose(back.rate.W_rec, rate.W_rec, rtol=1e-15)
    np.testing.assert_array_equal(back.rate.W_in, rate.W_in)
    assert lif.at_scale(20.0).W_rec_scaled[0, 0] == rate.W_rec[0, 0] / 20


def test_bad_scales_and_the_default_grids():
    rate_like = pytest.importorskip("rate2spike.rate_models").RateNetwork
    assert rate_like is RateNetwork
    with pytest.raises(ConfigError, match="positive number; got 0"):
        convert(None, 0)
    assert default_scales("sigmoid") == [20.0 + 5 * k for k in range(12)]
    assert default_scales("softplus") == default_scales("relu") == [4.0 + 2 * k for k in range(12)]
    assert set(DEFAULT_SCALES) == {"sigmoid", "softplus", "relu"}
