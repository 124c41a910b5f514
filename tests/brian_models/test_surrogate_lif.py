"""Trained SRC and LIF classifiers run equation-level in Brian2 = torch on held-out samples."""
import numpy as np
import pytest
import torch

from rate2spike.classifiers import ClassifierConfig, train_classifier
from rate2spike.datasets import load_dataset
from rate2spike.simulators import simulate_trained_brian
from rate2spike.src_models.cell import SRCNet
from rate2spike.surrogate_models import LIFClassifier

TINY = dict(layers=2, hidden=24, epochs=1, steps=30, train_limit=96, batch_size=32, lr=0.02)


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits", "train"), load_dataset("digits", "test")


@pytest.mark.parametrize("cell, reset", [("src", None), ("lif", "zero"), ("lif", "subtract")])
def test_trained_classifier_brian2_equals_torch(cell, reset, digits):
    train, test = digits
    record = train_classifier(ClassifierConfig(cell=cell, **TINY), train, None, progress=False)
    net = record.network()
    if reset:
        net.reset = reset
    if cell == "src":     # one epoch leaves the class layer nearly silent: lift b_h to its bound
        net.layers[-1].b_h[:] = -4.0
    module = (SRCNet if cell == "src" else LIFClassifier).from_network(net)
    x = test.inputs(np.arange(6), "rate", TINY["steps"], rng=3, gain=1.0)   # held-out samples
    with torch.no_grad():
        ref = module(x, record_pulses=True)
    got = simulate_trained_brian(net, x, device="numpy", record_pulses=True)
    spikes = [p.numpy() for p in ref.pulses]
    assert all(s.mean() > 0.001 for s in spikes)            # every layer really fires
    for a, b in zip(spikes, got.pulses):
        if cell == "lif":
            np.testing.assert_array_equal(a, b)             # the same spikes, step by step
        else:
            assert np.abs(a - b).max() <= 1e-6
    assert np.abs(ref.outputs.numpy() - got.outputs).max() <= 1e-6
    np.testing.assert_array_equal(ref.outputs[:, :, -1].argmax(1).numpy(), got.outputs[:, :, -1].argmax(1))
    for a, b in zip(ref.active_steps, got.active_steps):
        np.testing.assert_array_equal(a.numpy().astype(int), b)
