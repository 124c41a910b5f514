"""A converted net with a calibrated readout: convert writes it, the artifact keeps it, and
simulate and both exports use it."""
import json

import nir
import numpy as np
import pytest

from rate2spike.exporters.brian2_script import export_arrays
from rate2spike.exporters.nir_export import to_nir
from rate2spike.lif_models import LIFNetwork
from rate2spike.lif_models.readout import readout_traces
from rate2spike.simulators import simulate_lif
from rate2spike.tasks import get_task


@pytest.fixture
def calibrated(tmp_path, tiny_model, run_cli):
    out = tmp_path / "c"
    code, cap = run_cli(["convert", "--task", "gonogo", "--model", str(tiny_model),
                         "--readout-fit", "lstsq", "--calibration-trials", "6", "--trials", "4",
                         "--scales", "20,30", "--device", "reference", "--out", str(out),
                         "--quiet"])
    assert code == 0, cap.err
    return out


def test_convert_writes_the_calibrated_readout_with_how_it_was_fitted(calibrated):
    lif = LIFNetwork.load(calibrated / "lif_network.npz")
    assert lif.readout.method == "lstsq" and lif.readout.weights_s.shape == (lif.n_units,)
    assert lif.readout.info["calibration_trials"] == 6
    assert lif.readout.info["calibration_seed"] == 2000 and lif.readout.info["ridge"] > 0
    rows = json.loads((calibrated / "lambda_sweep.json").read_text())
    for row in rows:   # every s scored with and without calibration
        assert {"accuracy_none", "accuracy_scale", "accuracy_affine", "accuracy_lstsq",
                "output_mse_none", "output_mse_lstsq"} <= set(row)
        assert row["accuracy"] == row["accuracy_lstsq"] and row["readout_fit"] == "lstsq"
    report = (calibrated / "report.md").read_text()
    assert "**Readout calibrated** (`lstsq`) at every s on 6 calibration trials" in report
    assert (calibrated / "output_mse_vs_scale.png").is_file()
    # the saved weights are those the sweep fitted at the chosen s
    with np.load(calibrated / "sweep" / f"scale_{float(lif.s)!r}.npz") as d:
        np.testing.assert_array_equal(d["readout_weights_s"], lif.readout.weights_s)


def test_simulate_and_the_exports_use_the_calibrated_readout(calibrated):
    lif = LIFNetwork.load(calibrated / "lif_network.npz")
    batch = get_task("gonogo").generate(2, seed=5)
    run = simulate_lif(lif, batch.inputs, batch.dt_s, device="reference",
                       raster_trials=range(2)).runs[lif.s]
    r = readout_traces([run.rasters[k][0] for k in range(2)], [run.rasters[k][1] for k in range(2)],
                       lif.n_units, lif.rate.tau_d_s, lif.constants, run.outputs.shape[1])
    expected = np.einsum("i,kit->kt", lif.readout.weights_s, r) + lif.readout.offset
    np.testing.assert_allclose(run.outputs, expected, atol=1e-9 * (1 + np.abs(expected).max()))
    node = to_nir(lif).nodes["output_linear"]
    assert isinstance(node, nir.Affine)
    np.testing.assert_array_equal(node.weight[0], lif.readout.weights_s)
    assert node.bias[0] == lif.readout.offset
    arrays = export_arrays(lif, None, 0.005, None, 0)
    np.testing.assert_array_equal(arrays["W_out"], lif.readout.weights_s)
    assert float(arrays["readout_offset"]) == lif.readout.offset
    plain = LIFNetwork(lif.rate, lif.s, lif.constants)       # without: Kim et al.'s readout
    assert isinstance(to_nir(plain).nodes["output_linear"], nir.Linear)
    assert float(export_arrays(plain, None, 0.005, None, 0)["readout_offset"]) == 0.0


@pytest.mark.parametrize("flags, message", [
    (["--readout-fit", "ridge"], "invalid choice: 'ridge'"),
    (["--readout-fit", "affine", "--calibration-trials", "1"], "calibration_trials"),
    (["--search", "adaptive", "--readout-fit", "affine"], "adaptive search runs with common"),
    (["--search", "adaptive", "--scales", "20"], "at least 2 scales"),
])
def test_bad_readout_options_exit_2_and_write_nothing(tmp_path, tiny_model, run_cli, flags,
                                                     message):
    out = tmp_path / "bad"
    code, cap = run_cli(["convert", "--task", "gonogo", "--model", str(tiny_model), "--out",
                         str(out), "--device", "reference", *flags])
    assert code == 2 and message in cap.err and not out.exists()
