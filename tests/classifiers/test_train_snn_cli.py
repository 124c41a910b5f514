"""``rate2spike train-snn`` end to end on a tiny digits run, and its bad inputs."""
import json

import numpy as np
import pytest

from rate2spike.cli import main

TINY = ["--dataset", "digits", "--layers", "2", "--hidden", "8", "--epochs", "1", "--steps", "10",
        "--train-limit", "80", "--test-limit", "40", "--brian-samples", "3", "--quiet"]


@pytest.mark.parametrize("cell, encoding", [("src", "latency"), ("lif", "rate"), ("alif", "rate")])
def test_train_snn_end_to_end(cell, encoding, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train-snn", "--cell", cell, "--encoding", encoding, "--out", str(out), *TINY]) == 0
    res = json.loads((out / "result.json").read_text())
    assert res["cell"] == cell and res["n_test"] == 40 and res["n_train"] + res["n_validation"] == 80
    k, n, z = round(res["test_accuracy"] * 40), 40, 1.959964            # Wilson's formula by hand
    centre = (k / n + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((k / n) * (1 - k / n) / n + z * z / (4 * n * n)) ** 0.5 / (1 + z * z / n)
    np.testing.assert_allclose(res["test_interval"], [max(0, centre - half), min(1, centre + half)],
                               atol=1e-6)
    assert len(res["activity"]) == 2 and res["energy"]["energy_J"] > 0      # 2 layers
    # spiking input: ACs; SRC pulses are graded (MACs), LIF spikes binary (ACs only)
    assert "E_AC" in res["energy"]["formula"]
    assert ("E_MAC" in res["energy"]["formula"]) == (cell in ("src", "alif"))   # alif: threshold MACs
    for f in ("report.md", "model.npz", "model.json", "learning_curves.png", "confusion.png",
              "activity.png", "input_examples.png", "checkpoint.pt"):
        assert (out / f).is_file(), f
    b = res["brian2"]           # the Brian2 re-run of 3 test samples agrees with torch
    assert b["samples"] == 3 and b["same_predictions"] == 1.0 and b["max_output_diff"] < 1e-6
    assert "Brian2 (equation level, numpy)" in (out / "report.md").read_text()
    assert "test accuracy" in capsys.readouterr().out
    # running again with the same options finds every epoch done and only scores
    stamp = (out / "checkpoint.pt").stat().st_mtime_ns
    assert main(["train-snn", "--cell", cell, "--encoding", encoding, "--out", str(out), *TINY]) == 0
    assert (out / "checkpoint.pt").stat().st_mtime_ns == stamp          # no epoch ran again
    again = json.loads((out / "result.json").read_text())
    np.testing.assert_allclose(again["test_accuracy"], res["test_accuracy"])


@pytest.mark.parametrize("args, message", [
    (["--layers", "0"], "layers = 0"),
    (["--train-limit", "1"], "need >= 2"),
    (["--encoding", "events"], "not valid for the static dataset digits"),
    (["--dataset", "mnist", "--data-root", "{tmp}/nothing"], "train-images-idx3-ubyte"),
    (["--dataset", "nmnist", "--encoding", "events", "--data-root", "{tmp}/nothing"], "Train"),
    (["--dataset", "sdigits", "--encoding", "events", "--augment-shift", "1"], "an event dataset"),
    (["--augment-shift", "8"], "augment_shift = 8 is out of range; valid: [0, 7]"),
    (["--augment-shift", "-1"], "valid: [0, 7]"),
])
def test_bad_input_exit_2_nothing_written(args, message, tmp_path, capsys):
    out = tmp_path / "out"
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    assert main(["train-snn", "--cell", "src", "--out", str(out), "--quiet", *args]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("args", [["--dataset", "cifar"], ["--cell", "gru"], ["--encoding", "delta"]])
def test_unknown_choices_exit_2(args, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["train-snn", *args])
    assert exc.value.code == 2 and "invalid choice" in capsys.readouterr().err


@pytest.mark.slow
def test_snn_study_grid_table_and_resume(tmp_path, capsys):
    out = tmp_path / "study"
    args = ["snn-study", "--cells", "src,lif", "--encodings", "rate", "--layers", "1,2", "--epochs", "1",
            "--steps", "8", "--hidden", "6", "--train-limit", "40", "--test-limit", "20",
            "--brian-samples", "2", "--workers", "1", "--out", str(out), "--quiet"]
    assert main(args) == 0
    table = (out / "table.md").read_text()
    for row in ("| 1 | SRC |", "| 1 | LIF |", "| 2 | SRC |", "| 2 | LIF |"):
        assert row in table
    assert (out / "depth.png").is_file() and len(list(out.glob("*-rate-L*-s0/result.json"))) == 4
    first = json.loads((out / "results.json").read_text())
    assert main(args) == 0                            # everything done: nothing runs again
    assert "4 of 4 runs finished" in capsys.readouterr().out
    assert json.loads((out / "results.json").read_text()) == first
    bad = [a if a != "8" else "9" for a in args]      # other options in the same folder
    assert main(bad) == 2
    # a study written before --augment-shift existed resumes; the option it did not have is 0
    manifest = json.loads((out / "study.json").read_text())
    del manifest["options"]["augment_shift"]
    (out / "study.json").write_text(json.dumps(manifest))
    assert main(args) == 0
    assert main([*args, "--augment-shift", "1"]) == 2


def test_snn_study_runs_on_an_event_dataset(tmp_path, capsys):
    """A grid on sequential digits (encoding events only): the shared options are checked with
    the grid's own encoding, not the static default (rate), which an event dataset refuses."""
    out = tmp_path / "events"
    args = ["snn-study", "--dataset", "sdigits", "--cells", "alif", "--encodings", "events",
            "--layers", "1", "--epochs", "1", "--steps", "8", "--hidden", "4", "--train-limit", "20",
            "--test-limit", "10", "--brian-samples", "0", "--workers", "1", "--out", str(out), "--quiet"]
    assert main(args) == 0, capsys.readouterr().err
    assert "| 1 | ALIF | " in (out / "table.md").read_text()
    assert json.loads((out / "alif-events-L1-s0" / "result.json").read_text())["n_test"] == 10


@pytest.mark.parametrize("args", [["--workers", "0"], ["--seeds", "0"]])
def test_snn_study_bad_counts(args, tmp_path, capsys):
    assert main(["snn-study", *args, "--out", str(tmp_path / "s"), "--quiet"]) == 2
    assert ">= 1" in capsys.readouterr().err and not (tmp_path / "s").exists()


def test_alif_on_a_kim_task_end_to_end(tmp_path, capsys):
    out = tmp_path / "alif"
    assert main(["train-snn", "--cell", "alif", "--task", "gonogo", "--hidden", "8", "--max-updates", "2",
                 "--batch-size", "4", "--step-ms", "5", "--out", str(out), "--quiet"]) == 0
    res = json.loads((out / "result.json").read_text())
    assert res["task"] == "gonogo" and res["updates"] == 2 and 0 <= res["accuracy"] <= 1
    for f in ("alif_model.npz", "alif_train_examples.png", "alif_training_curve.png"):
        assert (out / f).is_file()
    assert main(["train-snn", "--cell", "lif", "--task", "gonogo", "--out", str(tmp_path / "x")]) == 2
    assert "--cell alif" in capsys.readouterr().err and not (tmp_path / "x").exists()


def test_alif_on_sequential_digits_counts_the_graded_population_input_as_macs(tmp_path):
    """sdigits: 40 graded channels, one pixel per step; the softmax-sum readout; energy by hand."""
    out = tmp_path / "sd"
    args = ["train-snn", "--cell", "alif", "--dataset", "sdigits", "--encoding", "events",
            "--steps", "64", "--layers", "1", "--hidden", "6", "--epochs", "1", "--readout",
            "softmax_sum", "--train-limit", "40", "--test-limit", "10", "--brian-samples", "2",
            "--quiet", "--out", str(out)]
    assert main(args) == 0
    res = json.loads((out / "result.json").read_text())
    w = np.load(out / "model.npz")
    # every input synapse a MAC on each of 64 steps + Yin's 2 MACs per neuron and step
    assert res["energy"]["MAC"] == 64 * np.count_nonzero(w["L0_W_in"]) + 2 * 6 * 64
    spikes = res["activity"][0] * 6 * 64                   # mean spikes of the layer per sample
    fan = np.count_nonzero(w["W_out"]) / 6 + np.count_nonzero(w["L0_W_rec"]) / 6
    np.testing.assert_allclose(res["energy"]["AC"], spikes * (fan + 2), rtol=0.05)
    assert res["brian2"]["same_predictions"] == 1.0 and res["brian2"]["max_output_diff"] < 1e-6


def test_rate_cell_trains_converts_and_searches_s(tmp_path, capsys):
    """--cell rate: Kim's rate RNN on digits, converted to LIF, s chosen on validation samples."""
    out = tmp_path / "rate"
    args = ["train-snn", "--cell", "rate", "--dataset", "digits", "--hidden", "16", "--epochs", "1",
            "--steps", "20", "--train-limit", "60", "--test-limit", "12", "--search-samples", "4",
            "--scales", "30,20", "--lif-device", "reference", "--quiet", "--out", str(out)]
    assert main(args) == 0
    res = json.loads((out / "result.json").read_text())
    c = res["converted"]
    assert res["layers"] == 1 and res["activity"] == [1.0]           # rate units: always active
    assert c["scales"] == [20.0, 30.0] and len(c["search_accuracy"]) == 2
    assert c["n_search"] == 4 and c["n_test"] == 12 and len(c["test_predictions"]) == 12
    assert c["best_s"] in (20.0, 30.0) and 0.0 <= c["test_accuracy"] <= 1.0
    assert c["spikes_per_neuron"] == pytest.approx(c["firing_rate_hz"] * 20 * 0.005)
    # rate net: every synapse a MAC per step, by hand: 20 steps x (nnz W_in + W_rec + W_out)
    w = np.load(out / "model.npz")
    nnz = sum(int(np.count_nonzero(w[k])) for k in ("W_in", "W_rec", "W_out"))
    assert res["energy"]["MAC"] == 20 * nnz and res["energy"]["AC"] == 0
    assert "E_AC" in c["energy"]["formula"] and "nnz W_rec" in c["energy"]["formula"]   # recurrent LIF
    assert (out / "lambda_search.png").is_file()
    assert "converted LIF (Kim et al.)" in (out / "report.md").read_text()
    assert "converted to LIF (reference): s = " in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (["--scales", "0"], "every scale s"), (["--search-samples", "0"], "search_samples = 0")])
def test_rate_cell_bad_search_options_exit_2(args, message, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["train-snn", "--cell", "rate", "--out", str(out), "--quiet", *args]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_shifted_training_images_train_and_say_so_in_the_report(tmp_path):
    out = tmp_path / "run"
    args = ["train-snn", "--cell", "lif", "--dataset", "digits", "--layers", "1", "--epochs", "1",
            "--steps", "10", "--train-limit", "80", "--test-limit", "40", "--brian-samples", "0",
            "--augment-shift", "2", "--quiet"]
    assert main([*args, "--out", str(out)]) == 0
    assert main([*args[:-3], "--quiet", "--out", str(tmp_path / "plain")]) == 0   # no shift
    res = json.loads((out / "result.json").read_text())
    plain = json.loads((tmp_path / "plain" / "result.json").read_text())
    assert res["config"]["augment_shift"] == 2 and plain["config"]["augment_shift"] == 0
    assert res["train_accuracy"] != plain["train_accuracy"]       # other training inputs
    assert "training images shifted (not in the paper) | up to 2 pixel(s)" in \
        (out / "report.md").read_text()
    assert "shifted" not in (tmp_path / "plain" / "report.md").read_text()
