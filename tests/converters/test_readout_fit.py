"""Readout calibration: the fits against closed forms, the normal equations against a direct
fit, the traces rebuilt from spikes against the simulator's readout, and the seeds."""
import numpy as np
import pytest

from rate2spike.converters import CalibrationTrials, SweepOptions, convert, sweep_scales
from rate2spike.converters.calibration import (
    CALIBRATION_ID_OFFSET,
    CALIBRATION_SEED_OFFSET,
    targets_at_samples,
)
from rate2spike.converters.readout_fit import NormalEquations, fit_gain, fit_ridge, output_moments
from rate2spike.errors import Rate2SpikeError
from rate2spike.lif_models import LIFConstants
from rate2spike.lif_models.readout import readout_traces
from rate2spike.rate_models import RateNetwork
from rate2spike.simulators import simulate_lif
from rate2spike.tasks import get_task


def test_scale_and_affine_fits_equal_the_closed_form_least_squares_solution():
    rng = np.random.default_rng(0)
    o = rng.normal(size=(5, 300))
    z = 0.4 * o - 0.3 + 0.05 * rng.normal(size=o.shape)
    # the same sums split over two chunks of trials
    m = output_moments(o[:2], z[:2]) + output_moments(o[2:], z[2:])
    g, b = fit_gain(m, offset=True)
    design = np.column_stack([o.ravel(), np.ones(o.size)])
    ref = np.linalg.lstsq(design, z.ravel(), rcond=None)[0]
    assert (g, b) == pytest.approx(tuple(ref), rel=1e-10)
    g0, b0 = fit_gain(m, offset=False)
    assert b0 == 0 and g0 == pytest.approx(float(o.ravel() @ z.ravel() / (o.ravel() @ o.ravel())))
    assert fit_gain(output_moments(np.ones((1, 4)), np.full((1, 4), 2.0)), True) == (0.0, 2.0)


def test_accumulated_normal_equations_equal_a_direct_ridge_fit_on_stored_traces():
    rng = np.random.default_rng(1)
    traces = [rng.random((50, 8)) for _ in range(6)]         # 6 trials x 50 samples x 8 units
    w = rng.normal(size=8)
    targets = [x @ w + 0.2 + 0.01 * rng.normal(size=50) for x in traces]
    eq = NormalEquations(8)
    for x, z in zip(traces, targets):
        eq.add(x, z)
    X = np.hstack([np.vstack(traces), np.ones((300, 1))])
    Z = np.concatenate(targets)
    ridge = 0.5
    penalty = np.diag([ridge] * 8 + [0.0])
    direct = np.linalg.solve(X.T @ X + penalty, X.T @ Z)
    assert eq.solve(ridge) == pytest.approx(direct, rel=1e-9)
    assert eq.mse(direct) == pytest.approx(float(np.mean((X @ direct - Z) ** 2)), rel=1e-9)
    # the ridge chosen on a split: fit on the first half, the lowest error on the second
    a, b = NormalEquations(8), NormalEquations(8)
    for k, (x, z) in enumerate(zip(traces, targets)):
        (a if k < 3 else b).add(x, z)
    coef, chosen, errors = fit_ridge(a, b)
    assert errors[min(errors, key=errors.get)] == min(errors.values())
    assert coef[:-1] == pytest.approx(w, abs=0.02) and coef[-1] == pytest.approx(0.2, abs=0.02)


def test_readout_traces_are_the_double_exponential_kernel_of_unit_area():
    c = LIFConstants()
    tau_d = np.array([0.02, 0.05])
    r = readout_traces([np.array([0, 1])], [np.array([0.0, 0.0])], 2, tau_d, c, 2000)[0]
    t = np.arange(2000) * c.readout_dt_s
    # the Euler-stepped kernel's area is dt^2 / (tau_r tau_d (1 - a_d)(1 - a_r)) (geometric
    # series; -> 1 as dt -> 0); its peak is the continuous kernel's,
    # t* = ln(tau_d / tau_r) tau_d tau_r / (tau_d - tau_r)
    for u, td in enumerate(tau_d):
        a_d, a_r = np.exp(-c.dt_s / td), np.exp(-c.dt_s / c.tau_r_s)
        area = c.dt_s ** 2 / (c.tau_r_s * td * (1 - a_d) * (1 - a_r))
        assert 1 < area < 1.02
        assert r[u].sum() * c.readout_dt_s == pytest.approx(area, rel=1e-3)
        peak = np.log(td / c.tau_r_s) * td * c.tau_r_s / (td - c.tau_r_s)
        assert t[np.argmax(r[u])] == pytest.approx(peak, abs=c.readout_dt_s)
    assert r[:, 0].tolist() == [0.0, 0.0]                    # nothing before the spike


def test_readout_traces_rebuild_the_simulated_readout_from_the_spikes(trained_path):
    lif = convert(RateNetwork.load(trained_path), 25.0)
    batch = get_task("gonogo").generate(2, seed=3)
    run = simulate_lif(lif, batch.inputs, batch.dt_s, device="reference",
                       raster_trials=range(2)).runs[25.0]
    r = readout_traces([run.rasters[k][0] for k in range(2)],
                       [run.rasters[k][1] for k in range(2)], lif.n_units, lif.rate.tau_d_s,
                       lif.constants, run.outputs.shape[1])
    o = np.einsum("i,kit->kt", lif.W_out_scaled.ravel(), r)
    assert np.abs(o - run.outputs).max() < 1e-10 * np.abs(run.outputs).max()
    coarse = readout_traces([run.rasters[0][0]], [run.rasters[0][1]], lif.n_units,
                            lif.rate.tau_d_s, lif.constants, 200, sample_every=10)
    assert coarse[0] == pytest.approx(r[0][:, ::10], abs=1e-9)


def test_targets_at_samples_hold_each_task_step():
    z = np.array([[0.0, 1.0, 2.0]])
    assert targets_at_samples(z, 0.005, 0.0005, 30)[0].tolist() == [0.0] * 10 + [1.0] * 10 + [2.0] * 10


def test_calibration_never_sees_the_held_out_trials(tiny_model, monkeypatch):
    task = get_task("gonogo")
    cal = CalibrationTrials.make(task, 6, seed=4, fit="lstsq")
    assert cal.seed == 4 + CALIBRATION_SEED_OFFSET
    np.testing.assert_array_equal(cal.batch.inputs, task.generate(6, 4 + CALIBRATION_SEED_OFFSET).inputs)
    net = convert(RateNetwork.load(tiny_model), 20.0)
    held_out = task.generate(4, 4 + 1000)
    seen = []
    from rate2spike.simulators import lif as simulator_lif
    real_run = simulator_lif.LIFSimulator.run

    def spy(self, inputs, runs, trial_ids, raster_trials=()):
        seen.append((inputs.copy(), np.asarray(trial_ids).copy()))
        yield from real_run(self, inputs, runs, trial_ids, raster_trials)

    monkeypatch.setattr(simulator_lif.LIFSimulator, "run", spy)
    calibrated = sweep_scales(net, task, held_out, [20, 30], SweepOptions(device="reference"),
                              progress=False, calibration=cal)
    (cal_inputs, cal_ids), (eval_inputs, eval_ids) = seen
    assert cal_ids.min() >= CALIBRATION_ID_OFFSET and eval_ids.max() < len(held_out)
    # Go/NoGo trials of one condition have equal inputs: what tells trials apart is their
    # noise, named by the trial ids, and the calibration ids are never held-out ids
    assert not set(cal_ids.tolist()) & set(eval_ids.tolist())
    np.testing.assert_array_equal(cal_inputs[: len(cal.batch)], cal.batch.inputs)
    plain = sweep_scales(net, task, held_out, [20, 30], SweepOptions(device="reference"),
                         progress=False)
    for with_cal, without in zip(calibrated.results, plain.results):   # same held-out runs
        assert with_cal.fits["none"]["accuracy"] == without.accuracy
        assert with_cal.fits["none"]["output_mse"] == pytest.approx(without.output_mse)
        assert set(with_cal.fits) == {"none", "scale", "affine", "lstsq"}
        assert with_cal.readout_fit == "lstsq"
        assert with_cal.accuracy == with_cal.fits["lstsq"]["accuracy"]


def test_an_unknown_readout_fit_is_refused():
    with pytest.raises(Rate2SpikeError, match="none, scale, affine, lstsq"):
        CalibrationTrials.make(get_task("gonogo"), 4, 0, "ridge")

