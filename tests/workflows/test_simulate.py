"""``rate2spike simulate`` and ``export``: files, numbers recomputed from the saved arrays,
stimulation effects, and bad input."""
import json

import nir
import numpy as np
import pytest

from rate2spike.lif_models import LIFNetwork
from rate2spike.rate_models import RateNetwork
from rate2spike.tasks import get_task
from tests.conftest import TRAINED


@pytest.fixture(scope="module")
def lif_path(tmp_path_factory):
    return LIFNetwork(RateNetwork.load(TRAINED), 25.0).save(tmp_path_factory.mktemp("n") / "lif")


def _simulate(run_cli, lif_path, out, *extra):
    code, cap = run_cli(["simulate", str(lif_path), "--trials", "6", "--out", str(out),
                         "--quiet", *extra])
    assert code == 0, cap.err
    return json.loads((out / "simulation.json").read_text()), np.load(out / "simulation.npz")


@pytest.mark.slow
def test_simulate_writes_spikes_outputs_recordings_and_consistent_numbers(tmp_path, run_cli,
                                                                         lif_path):
    summary, arr = _simulate(run_cli, lif_path, tmp_path / "s", "--record", "v,I_syn")
    task = get_task("gonogo")
    correct = task.score(arr["outputs"], arr["labels"], float(arr["readout_dt_s"]), "lif")
    assert summary["accuracy"] == pytest.approx(correct.mean())
    counts = np.zeros_like(arr["spike_counts"])
    np.add.at(counts, (arr["spike_trial"], arr["spike_unit"]), 1)
    np.testing.assert_array_equal(counts, arr["spike_counts"])       # every spike is saved
    exc = RateNetwork.load(TRAINED).dale_sign > 0
    assert summary["rate_E_hz"] == pytest.approx(arr["spike_counts"][:, exc].mean() / 1.0)
    assert arr["v"].shape == (2, 200, 2000) and set(arr["conditions"][:2]) == {"go", "nogo"}
    v = arr["v"][:, :, 1:]                      # sample 0: initial voltages U(-65, 30) mV
    assert v.max() < -40 + 1e-9 and v.min() >= -100                  # mV; reset -65, th -40
    for name in ("raster.png", "psth.png", "outputs.png", "recorded.png", "report.md"):
        assert (tmp_path / "s" / name).stat().st_size > 0


@pytest.mark.slow
def test_inhibiting_the_inhibitory_units_silences_them_and_disinhibits_e(tmp_path, run_cli,
                                                                        lif_path):
    # recorded as the test above records: the same compiled program (the build cache's shape)
    _, base = _simulate(run_cli, lif_path, tmp_path / "b", "--record", "v,I_syn")
    summary, stim = _simulate(run_cli, lif_path, tmp_path / "i", "--stim", "inh", "--units", "I",
                              "--window", "0.3,0.6")
    inh = np.flatnonzero(RateNetwork.load(TRAINED).dale_sign < 0)
    assert summary["stimulation"]["units"] == inh.tolist()

    def window_rate(arr, units):
        t, u = arr["spike_time_s"], arr["spike_unit"]
        sel = (t >= 0.32) & (t < 0.6) & np.isin(u, units)
        return sel.sum() / len(units) / 6 / 0.28

    assert window_rate(stim, inh) == 0 < window_rate(base, inh)      # -0.25 mV/step: silenced
    exc = np.setdiff1d(np.arange(200), inh)
    assert window_rate(stim, exc) > 2 * window_rate(base, exc)


@pytest.mark.parametrize("extra, message", [
    (["--stim", "inh", "--units", "0-500", "--window", "0.3,0.6"], "out of range"),
    (["--stim", "inh", "--units", "0-5", "--window", "0.3,1.6"], "outside the trial"),
    (["--stim", "inh", "--units", "0-5", "--window", "0.3"], "START,STOP"),
    (["--units", "0-5"], "--units needs --stim"),
    (["--condition", "maybe"], "valid: go, nogo"),
    (["--record", "w"], "valid: v, I_syn, h, r"),
    (["--task", "xor"], "trained on task 'gonogo'"),
    (["--device", "reference", "--record", "v"], "records no state variables"),
    (["--device", "gpu"], "invalid choice: 'gpu'"),
])
def test_simulate_bad_input_exits_2_and_writes_nothing(tmp_path, run_cli, lif_path, extra,
                                                       message):
    code, cap = run_cli(["simulate", str(lif_path), "--out", str(tmp_path / "x"), *extra])
    assert code == 2 and message in cap.err
    assert not (tmp_path / "x").exists()


def test_export_nir_and_brian2_and_refuse_bad_formats_and_overwrites(tmp_path, run_cli,
                                                                     lif_path):
    code, _ = run_cli(["export", str(lif_path), "--format", "nir", "--nir-profile", "full",
                       "--out", str(tmp_path / "n")])
    assert code == 0
    graph = nir.read(tmp_path / "n.nir")
    lif = LIFNetwork.load(lif_path)
    np.testing.assert_array_equal(graph.nodes["input_linear"].weight, lif.rate.W_in)
    code, _ = run_cli(["export", str(lif_path), "--format", "brian2", "--out",
                       str(tmp_path / "net.py")])
    assert code == 0 and (tmp_path / "net.py").is_file() and (tmp_path / "net.npz").is_file()
    before = (tmp_path / "n.nir").read_bytes()
    for args, message in ((["--format", "nir", "--out", str(tmp_path / "n.nir")], "already exist"),
                          (["--format", "onnx", "--out", str(tmp_path / "o")], "valid: nir, brian2"),
                          (["--format", "nir", "--out", str(tmp_path / "no" / "n")], "does not exist")):
        code, cap = run_cli(["export", str(lif_path), *args])
        assert code == 2 and message in cap.err
    assert (tmp_path / "n.nir").read_bytes() == before and not (tmp_path / "o.nir").exists()
    (tmp_path / "folder").mkdir()
    code, cap = run_cli(["export", str(lif_path), "--format", "nir", "--out",
                         str(tmp_path / "folder")])
    assert code == 2 and "is a folder; give a file name" in cap.err
    assert not (tmp_path / "folder.nir").exists() and not any((tmp_path / "folder").iterdir())


@pytest.mark.slow
def test_recording_works_when_each_run_holds_fewer_trials_than_are_recorded(tmp_path, run_cli,
                                                                           lif_path):
    # 2 trials on 2 processes would be two runs of one copy; both recorded trials must land
    # in the first run, so it is planned with two copies
    summary, arr = _simulate(run_cli, lif_path, tmp_path / "r", "--record", "v",
                             "--trials", "2")
    assert arr["v"].shape == (2, 200, 2000) and summary["trials"] == 2
    assert list(arr["conditions"]) == ["go", "nogo"]


@pytest.mark.parametrize("condition", ["go", "nogo"])
def test_condition_gives_exactly_the_trials_asked_for(condition):
    from rate2spike.workflows.simulate import _trials

    batch, recorded = _trials(get_task("gonogo"), 120, condition, seed=3)
    assert len(batch.labels) == 120 and set(batch.conditions) == {condition}
    assert recorded.tolist() == [0]


def test_simulate_from_python_refuses_an_unknown_device_before_writing(tmp_path, lif_path):
    import rate2spike
    from rate2spike.errors import Rate2SpikeError

    with pytest.raises(Rate2SpikeError, match="--device = 'gpu' is not valid"):
        rate2spike.simulate(lif_path, trials=2, device="gpu", out=tmp_path / "x")
    assert not (tmp_path / "x").exists()
