"""The exported Brian2 script: its data file, its imports, and parity with rate2spike's own
simulator on a Go trial of the trained Go/NoGo net (noise off)."""
import ast
import subprocess
import sys

import numpy as np
import pytest

from rate2spike.brian_models.lif import synaptic_lambda
from rate2spike.errors import Rate2SpikeError
from rate2spike.exporters.brian2_script import write_brian2_script
from rate2spike.lif_models import LIFConstants, LIFNetwork
from rate2spike.rate_models.network import RateNetwork
from rate2spike.simulators.lif import initial_voltages, simulate_lif
from rate2spike.tasks import get_task

SCALE = 25.0
SEED = 3
#: simulated seconds compared. The Go pulse lasts 0.25-0.375 s, so a window of 0.5 s checks
#: the stimulus path (W_in, TimedArray) too; a 0.1-s window would see only u = 0.
COMPARED_S = 0.5


@pytest.fixture(scope="module")
def export(trained_path, tmp_path_factory):
    """The net at s = 25 without noise, exported with the first Go trial of a batch."""
    batch = get_task("gonogo").generate(8, seed=1)
    go = int(np.flatnonzero(batch.conditions == "go")[0])
    network = LIFNetwork(RateNetwork.load(trained_path), SCALE, LIFConstants(noise_mV=0.0),
                         {"source": str(trained_path)})
    folder = tmp_path_factory.mktemp("brian2_script")
    py_path, npz_path = write_brian2_script(network, folder / "gonogo_s25", batch.inputs[go],
                                            batch.dt_s, seed=SEED)
    return dict(network=network, inputs=batch.inputs[go], dt_s=batch.dt_s, folder=folder,
                py_path=py_path, npz_path=npz_path)


def test_writes_the_script_and_its_data_and_nothing_else(export):
    assert export["py_path"].name == "gonogo_s25.py"
    assert export["npz_path"].name == "gonogo_s25.npz"
    assert sorted(p.name for p in export["folder"].iterdir()) == ["gonogo_s25.npz", "gonogo_s25.py"]


def test_data_file_round_trips_the_arrays_exactly(export):
    network, data = export["network"], np.load(export["npz_path"])
    lam = float(synaptic_lambda(SCALE))
    np.testing.assert_array_equal(data["W_rec"], lam * network.rate.W_rec)
    np.testing.assert_allclose(data["W_rec"], network.W_rec_scaled, rtol=1e-15, atol=0)
    np.testing.assert_array_equal(data["W_in"], network.rate.W_in)
    np.testing.assert_array_equal(data["W_out"], lam * network.rate.W_out.reshape(-1))
    np.testing.assert_array_equal(data["tau_d_s"], network.rate.tau_d_s)
    np.testing.assert_array_equal(data["inputs"], export["inputs"])
    assert float(data["stim_dt_s"]) == export["dt_s"]
    assert float(data["scale_s"]) == SCALE and float(data["lambda"]) == lam
    for name, value in vars(network.constants).items():
        if isinstance(value, str):     # the timing switches: the export refuses all but defaults
            assert name not in data.files
            continue
        assert data[name].shape == () and float(data[name]) == value, name


def test_initial_voltages_are_rate2spikes(export):
    network = export["network"]
    expected = initial_voltages([0], network.n_units, network.constants, SEED)
    np.testing.assert_array_equal(np.load(export["npz_path"])["v0_mV"], expected)


def test_script_parses_and_imports_only_brian2_numpy_and_stdlib(export):
    tree = ast.parse(export["py_path"].read_text())
    optional = {id(node) for block in ast.walk(tree) if isinstance(block, ast.Try)
                for node in ast.walk(block)}
    imported = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        imported += [(name.split(".")[0], id(node) in optional) for name in names]
    required = {name for name, guarded in imported if not guarded}
    assert required <= {"brian2", "numpy"} | set(sys.stdlib_module_names), required
    assert {"brian2", "numpy", "argparse", "pathlib"} <= required
    assert {name for name, guarded in imported if guarded} <= {"matplotlib"}
    assert "rate2spike" not in {name for name, _ in imported}


def test_default_stimulus_is_one_second_of_zeros(export, tmp_path):
    _, npz_path = write_brian2_script(export["network"], tmp_path / "silent.py")
    data = np.load(npz_path)
    assert data["inputs"].shape == (1, 200) and not data["inputs"].any()
    assert float(data["stim_dt_s"]) == 0.005


def test_bad_destination_or_inputs_raise(export, tmp_path):
    with pytest.raises(Rate2SpikeError, match="does not exist"):
        write_brian2_script(export["network"], tmp_path / "missing" / "net")
    with pytest.raises(Rate2SpikeError, match="shape"):
        write_brian2_script(export["network"], tmp_path / "net", np.zeros((2, 10)))
    assert list(tmp_path.iterdir()) == []


def test_a_failed_script_write_leaves_no_half_pair(export, tmp_path, monkeypatch):
    import rate2spike.exporters.brian2_script as module

    def disk_full(path, text):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(module, "atomic_write_text", disk_full)
    with pytest.raises(OSError, match="No space"):
        write_brian2_script(export["network"], tmp_path / "net")
    assert list(tmp_path.iterdir()) == []


def test_script_reproduces_rate2spike_spikes_and_outputs_without_noise(export, tmp_path):
    """Both run Brian2's numpy target; about 3.5 s (script 1.5 s, rate2spike's 1-s trial 2 s)."""
    results = tmp_path / "results.npz"
    done = subprocess.run([sys.executable, str(export["py_path"]), "--duration", str(COMPARED_S),
                           "--no-noise", "--target", "numpy", "--out", str(results)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    script = np.load(results)

    network = export["network"]
    sim = simulate_lif(network, export["inputs"][None], export["dt_s"], raster_trials=[0],
                       seed=SEED, device="numpy")
    units, times = sim.runs[SCALE].rasters[0]
    dt = network.constants.dt_s
    in_window = times < COMPARED_S - dt / 2
    expected = sorted(zip(units[in_window].tolist(),
                          np.rint(times[in_window] / dt).astype(int).tolist()))
    got = sorted(zip(script["spike_unit"].tolist(),
                     np.rint(script["spike_time_s"] / dt).astype(int).tolist()))
    assert len(expected) > 300   # the window holds the Go response, not just the start
    assert got == expected       # same unit, same step: the same arithmetic in the same order

    n_samples = int(round(COMPARED_S / network.constants.readout_dt_s))
    assert script["output"].shape == (n_samples,)
    np.testing.assert_allclose(script["output_time_s"],
                               np.arange(n_samples) * network.constants.readout_dt_s, atol=1e-12)
    np.testing.assert_allclose(script["output"], sim.runs[SCALE].outputs[0, :n_samples],
                               rtol=0, atol=1e-9)
    assert script["v_mV"].shape == (5, int(round(COMPARED_S / dt)))
    v0_mV = initial_voltages([0], network.n_units, network.constants, SEED)
    np.testing.assert_allclose(script["v_mV"][:, 0], v0_mV[:5], rtol=1e-12)  # mV -> V -> mV


def test_a_net_with_784_inputs_exports_a_script_that_reproduces_its_spikes(tmp_path):
    """A classifier's pixels: the script's input current is one table of W_in u per unit (a sum
    of 784 terms in the equation overflowed Brian2's recursive parser)."""
    rng = np.random.default_rng(0)
    n, n_in = 20, 784
    sign = np.where(np.arange(n) < 16, 1.0, -1.0)
    net = RateNetwork(W_rec=np.abs(rng.normal(0, 0.3, (n, n))) * sign[None, :],
                      W_in=rng.normal(0, 0.05, (n, n_in)), W_out=rng.normal(0, 1, (1, n)),
                      b_out=np.zeros(1), tau_d_s=rng.uniform(0.02, 0.1, n), dale_sign=sign,
                      task="gonogo", act="sigmoid")
    network = LIFNetwork(net, SCALE, LIFConstants(noise_mV=0.0), {})
    inputs = (rng.random((n_in, 40)) < 0.25).astype(float)        # 40 rate-coded steps of 5 ms
    py_path, _ = write_brian2_script(network, tmp_path / "pixels", inputs, 0.005, seed=SEED)
    results = tmp_path / "results.npz"
    done = subprocess.run([sys.executable, str(py_path), "--no-noise", "--target", "numpy",
                           "--out", str(results)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    script = np.load(results)
    sim = simulate_lif(network, inputs[None], 0.005, raster_trials=[0], seed=SEED, device="numpy")
    units, times = sim.runs[SCALE].rasters[0]
    dt = network.constants.dt_s
    expected = sorted(zip(units.tolist(), np.rint(times / dt).astype(int).tolist()))
    got = sorted(zip(script["spike_unit"].tolist(),
                     np.rint(script["spike_time_s"] / dt).astype(int).tolist()))
    assert len(expected) > 20 and got == expected
