"""One SRC neuron driven by x directly (the paper's Fig. 6 and its f-I curve): hand-computed
steps, pulse statistics of a hand-made train, and the paper's qualitative claims."""
import math

import numpy as np
import pytest

from rate2spike.src_models import SRCConstants
from rate2spike.src_models.single_neuron import VARIANTS, drive_neuron, f_i_curve, pulse_statistics


def hand_generation(x, b, gate="new_h", zs_fixed=None, r=2.0, r_s=-7.0):
    """Eqs. 3c-3f in Python floats from h = h_s = 0: lists of h and h_s."""
    h = hs = 0.0
    hs_list, h_list = [], []
    for value in x:
        h_new = math.tanh(value + r * h + r_s * hs + b)
        gate_h = h_new if gate == "new_h" else h
        zs = zs_fixed if zs_fixed is not None else (0.0 if gate_h > 0.5 else 0.9)
        hs = zs * hs + (1 - zs) * h
        h = h_new
        h_list.append(h)
        hs_list.append(hs)
    return np.array(h_list), np.array(hs_list)


@pytest.mark.parametrize("gate, zs_fixed", [("new_h", None), ("previous_h", None),
                                            ("new_h", 0.9), ("new_h", 0.3)])
def test_trace_equals_the_equations_by_hand(gate, zs_fixed):
    x = np.concatenate([np.zeros(10), np.full(30, 3.0), np.zeros(10)])
    tr = drive_neuron(x, -6.0, SRCConstants(zs_gate=gate), zs_fixed)
    h, hs = hand_generation(x, -6.0, gate, zs_fixed)
    np.testing.assert_allclose(tr.h, h, atol=1e-14)
    np.testing.assert_allclose(tr.hs, hs, atol=1e-14)
    np.testing.assert_allclose(tr.s, np.maximum(h, 0), atol=1e-14)
    # the feedbacks entering h[t] are r h[t-1] and r_s h_s[t-1]
    np.testing.assert_allclose(tr.positive_feedback[1:], 2.0 * h[:-1], atol=1e-14)
    np.testing.assert_allclose(tr.negative_feedback[1:], -7.0 * hs[:-1], atol=1e-14)


def test_rest_steps_start_the_trace_at_rest():
    x = np.full(5, 0.0)
    tr = drive_neuron(x, -6.0, rest_steps=200)
    h_rest = tr.h[0]                              # fixed point h = tanh(-5 h - 6)
    assert h_rest == pytest.approx(math.tanh(-5 * h_rest - 6), abs=1e-10)
    assert len(tr.h) == 5


def test_pulse_statistics_of_a_hand_made_train():
    s = [0, 0.3, 0.8, 0, 0, 0, 0.5, 0, 0, 0.2, 0.1, 0.4]
    st = pulse_statistics(s)
    # pulses: steps 1-2 (width 2), 6 (1), 9-11 (3); gaps 6-3 = 3, 9-7 = 2
    assert st.n_pulses == 3 and st.mean_width == pytest.approx(2.0)
    assert st.mean_gap == pytest.approx(2.5)
    assert st.rate_per_step == pytest.approx(3 / 12) and st.activity == pytest.approx(6 / 12)
    silent = pulse_statistics(np.zeros(20))
    assert silent.n_pulses == 0 and math.isnan(silent.mean_width) and silent.activity == 0


def test_f_i_curve_claims_of_the_paper():
    drives = [0.0, 0.5, 1.0, 2.0, 2.5, 3.0, 4.0]
    curves = f_i_curve(drives, -6.0, steps=600)
    variable, old, fixed = (curves[label] for label in VARIANTS)
    for k in range(3):                            # below threshold: silent, every variant
        assert variable[k].n_pulses == old[k].n_pulses == fixed[k].n_pulses == 0
    for k in range(3, len(drives)):
        # variable z_s: a fast descending side, shorter pulses than with z_s fixed at 0.9
        assert variable[k].mean_width < 2.1 < 3.5 < fixed[k].mean_width
        # the h[t-1] reading: ~3-step pulses and fewer of them than with h[t]
        assert old[k].mean_width >= 2.8 and old[k].n_pulses < variable[k].n_pulses
    # more drive, more pulses (the f-I curve rises) for the fixed and the h[t-1] neurons
    for curve in (fixed, old):
        rates = [st.rate_per_step for st in curve[3:]]
        assert all(a < b for a, b in zip(rates, rates[1:]))
