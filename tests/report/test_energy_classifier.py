"""The classifiers' energy estimate against hand counts."""
import numpy as np
import pytest

from rate2spike.report.energy import E_AC_J, E_MAC_J, classifier_energy


def test_lif_and_src_by_hand():
    W0 = np.array([[1.0, 0.0, 2.0], [0.5, 0.0, 0.0]])       # fan-outs of the 3 inputs: 2, 0, 1
    W1 = np.array([[1.0, 1.0]])                            # each hidden neuron reaches 1 output
    inputs, active = np.array([3.0, 5.0, 2.0]), [np.array([4.0, 1.0])]
    lif = classifier_energy("lif", [W0, W1], inputs, active, 10, graded_input=False)
    assert lif["AC"] == 3 * 2 + 5 * 0 + 2 * 1 + (4 + 1) * 1 and lif["MAC"] == 0
    src = classifier_energy("src", [W0, W1], inputs, active, 10, graded_input=True)
    assert src["MAC"] == 10 * 3 + 5 and src["AC"] == 0         # direct input: nnz(W0) per step
    assert src["energy_J"] == pytest.approx(35 * E_MAC_J)


def test_adaptive_lif_terms_by_hand():
    W0, Wout = np.ones((2, 1)), np.ones((3, 2))
    R = np.array([[0.0, 1.0], [1.0, 0.0]])                  # each neuron reaches the other
    active = [np.array([2.0, 6.0])]                          # spikes per sample
    e = classifier_energy("alif", [W0, Wout], np.array([4.0]), active, 50, False, recurrent=[R],
                          adaptive=True)
    # input 4 spikes x 2; spikes 8 x (3 readout + 1 recurrent); adaptation 2 x 8 ACs, 2 x 2 x 50 MACs
    assert e["AC"] == 8 + 8 * 4 + 16 and e["MAC"] == 200
    assert e["energy_J"] == pytest.approx(56 * E_AC_J + 200 * E_MAC_J)
    assert "2 · n_l · T · E_MAC" in e["formula"]
