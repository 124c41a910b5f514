"""Nets with many inputs (a classifier's 784 pixels): the Brian2 model drives each unit with its
input current W_in u from the stimulus table instead of a sum of one term per input, which
Brian2 cannot parse beyond a few hundred terms (RecursionError at 784)."""
import numpy as np
import pytest

from rate2spike.brian_models import LIFBatchModel
from rate2spike.brian_models.lif import MAX_INPUT_TERMS
from rate2spike.brian_models.noise import stream_ids
from rate2spike.lif_models import LIFConstants
from rate2spike.simulators import CopyBatch, open_backend
from rate2spike.simulators.numpy_reference import simulate_reference


def _net(n_in, n=30, seed=0):
    rng = np.random.default_rng(seed)
    w_rec = rng.normal(0, 1.5 / np.sqrt(n), (n, n)) * (rng.random((n, n)) < 0.3)
    return w_rec, rng.normal(0, 1, (n, n_in)), rng.normal(0, 1, n), rng.uniform(0.02, 0.1, n)


def test_the_table_holds_each_units_input_current_computed_by_hand():
    w_rec, w_in, w_out, tau = _net(MAX_INPUT_TERMS + 1, n=3)
    model = LIFBatchModel(w_rec, w_in, w_out, tau, 2, 4, 0.005, LIFConstants())
    u = np.arange(2 * w_in.shape[1] * 4, dtype=float).reshape(2, w_in.shape[1], 4)
    table = model.stimulus_table(u)
    assert model.projects_inputs and table.shape == (4, 2 * 3)
    for t in range(4):
        for c in range(2):
            for unit in range(3):       # column c * N + unit: sum_k W_in[unit, k] u[c, k, t]
                want = sum(w_in[unit, k] * u[c, k, t] for k in range(w_in.shape[1]))
                assert table[t, c * 3 + unit] == pytest.approx(want, rel=1e-12)


def test_few_inputs_keep_one_term_per_input():
    w_rec, w_in, w_out, tau = _net(MAX_INPUT_TERMS, n=3)
    model = LIFBatchModel(w_rec, w_in, w_out, tau, 2, 4, 0.005, LIFConstants())
    assert not model.projects_inputs
    assert model.stimulus_table(np.ones((2, MAX_INPUT_TERMS, 4))).shape == (4, 2 * MAX_INPUT_TERMS)


@pytest.mark.parametrize("switch", ["floor", "round"])     # round: the input half a sample early
def test_784_inputs_run_in_brian2_spike_for_spike_with_the_numpy_reference(switch):
    w_rec, w_in, w_out, tau = _net(784)
    w_in *= 0.05                     # ~1 (rate-model units) of drive from 784 pixels
    rng = np.random.default_rng(2)
    inputs = (rng.random((2, 784, 20)) < 0.25).astype(float)   # rate-coded pixels, 20 x 5 ms
    v0 = rng.uniform(-65, -45, 2 * 30)
    c = LIFConstants(noise_mV=0.0, input_switch=switch)   # noise: test_numpy_reference.py
    model = LIFBatchModel(w_rec, w_in, w_out, tau, 2, 20, 0.005, c)
    with open_backend(model, "cython", seed=3) as backend:
        brian = backend.run(CopyBatch(inputs, np.full(2, 30.0), v0, None))
    ref = simulate_reference(w_rec, w_in, w_out, tau, inputs, 0.005, np.full(2, 1 / 30), v0, c,
                             noise_streams=stream_ids(3, [0, 1]))
    assert len(brian.spike_i) > 20                 # the net fires: the check is not vacuous
    np.testing.assert_array_equal(ref.spike_i, brian.spike_i)
    np.testing.assert_allclose(ref.outputs, brian.outputs, rtol=1e-7, atol=1e-9)
