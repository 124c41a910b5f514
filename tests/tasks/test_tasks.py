import numpy as np
import pytest

from rate2spike.errors import Rate2SpikeError
from rate2spike.tasks import get_task, window_slice


def test_gonogo_pulse_target_and_balance():
    task = get_task("gonogo")
    b = task.generate(2000, seed=3)
    assert b.inputs.shape == (2000, 1, 200) and b.targets.shape == (2000, 200)
    go = b.labels == 1
    assert 0.45 < go.mean() < 0.55
    on = np.flatnonzero(b.inputs[go][0, 0])
    assert on[0] == 50 and on[-1] == 74 and len(on) == 25
    assert np.all(b.inputs[go][:, 0, 50:75] == 1) and np.all(b.inputs[~go] == 0)
    assert np.all(b.targets[go][:, 75:] == 1) and np.all(b.targets[go][:, :75] == 0)
    assert np.all(b.targets[~go] == 0)
    assert set(b.conditions) == {"go", "nogo"}


def test_generator_is_seeded():
    t = get_task("mante")
    a, b, c = t.generate(5, 1), t.generate(5, 1), t.generate(5, 2)
    assert np.array_equal(a.inputs, b.inputs) and not np.array_equal(a.inputs, c.inputs)


def test_xor_timing_and_labels():
    b = get_task("xor").generate(1000, seed=0)
    s1, s2 = b.inputs[:, 0, 60], b.inputs[:, 1, 120]
    assert np.all(np.abs(s1) == 1) and np.all(np.abs(s2) == 1)
    assert np.all(b.inputs[:, 0, :50] == 0) and np.all(b.inputs[:, 0, 100:] == 0)
    assert np.all(b.inputs[:, 1, :110] == 0) and np.all(b.inputs[:, 1, 160:] == 0)
    assert np.all(b.inputs[:, 0, 50:100] == s1[:, None])
    assert np.array_equal(b.labels, (s1 * s2).astype(int))
    assert np.all(b.targets[:, 170:270] == b.labels[:, None])
    assert np.all(b.targets[:, :170] == 0) and np.all(b.targets[:, 270:] == 0)
    for cond in ("++", "+-", "-+", "--"):
        assert 0.2 < np.mean(b.conditions == cond) < 0.3


def test_mante_context_and_target():
    b = get_task("mante").generate(2000, seed=0)
    ctx = np.argmax(b.inputs[:, 2:4, 0], axis=1)
    assert np.all(b.inputs[:, 2:4, :].sum(axis=1) == 1)  # exactly one context, whole trial
    mean_evidence = b.inputs[:, 0:2, 50:250].mean(axis=2)  # offset +- 0.5 plus noise/sqrt(200)
    assert np.all(np.abs(np.abs(mean_evidence) - 0.5) < 0.3)
    assert np.all(b.inputs[:, 0:2, :50] == 0) and np.all(b.inputs[:, 0:2, 250:] == 0)
    cued = mean_evidence[np.arange(2000), ctx]
    assert np.array_equal(b.labels, np.sign(cued).astype(int))
    assert np.all(b.targets[:, 250:] == b.labels[:, None]) and np.all(b.targets[:, :250] == 0)
    assert 0.45 < (b.labels > 0).mean() < 0.55 and 0.45 < ctx.mean() < 0.55


def test_gonogo_scorer_on_hand_built_outputs():
    task = get_task("gonogo")
    T = 200
    o = np.zeros((5, T))
    o[0, 100:] = 0.9        # go, correct
    o[1, 100:] = 0.6        # go, never above 0.7
    o[2, 10] = 5.0          # nogo, big only before the window: correct
    o[3, 150] = -0.5        # nogo, |o| too big for the rate rule, fine for the LIF rule
    o[4, 80] = 0.35         # nogo, above 0.3 in the window
    labels = np.array([1, 1, 0, 0, 0])
    assert task.score(o, labels, 0.005).tolist() == [True, False, True, False, False]
    # Same trials at LIF resolution (0.05 ms): the LIF window starts at 0.5 s.
    o_lif = np.repeat(o, 100, axis=1)
    assert task.score(o_lif, labels, 5e-5, window="lif").tolist() == [True, False, True, True, True]


def test_xor_scorer_and_window_in_seconds():
    task = get_task("xor")
    o = np.zeros((3, 300))
    o[0, 210] = 0.8     # +1 correct (after 1.0 s)
    o[1, 190] = -0.9    # -1 but only before the 1.0 s window: wrong
    o[2, 250] = -0.8    # -1 correct
    labels = np.array([1, -1, -1])
    assert task.score(o, labels, 0.005).tolist() == [True, False, True]
    assert task.score(np.repeat(o, 100, axis=1), labels, 5e-5, window="lif").tolist() == [True, False, True]


def test_window_slice_and_errors():
    assert window_slice(200, 0.005, 0.375) == slice(75, 200)
    assert window_slice(20000, 5e-5, 0.5) == slice(10000, 20000)
    with pytest.raises(Rate2SpikeError, match="only lasts"):
        window_slice(10, 0.005, 1.0)
    with pytest.raises(Rate2SpikeError, match="valid tasks: gonogo, mante, xor"):
        get_task("nope")
    with pytest.raises(Rate2SpikeError):
        get_task("gonogo").generate(0)
