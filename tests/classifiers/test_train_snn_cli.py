"""``rate2spike train-snn`` end to end on a tiny digits run, and its bad inputs."""
import json

import numpy as np
import pytest

from rate2spike.cli import main

TINY = ["--dataset", "digits", "--layers", "2", "--hidden", "8", "--epochs", "1", "--steps", "10",
        "--train-limit", "80", "--test-limit", "40", "--brian-samples", "3", "--quiet"]


@pytest.mark.parametrize("cell, encoding", [("src", "latency"), ("lif", "rate")])
def test_train_snn_end_to_end(cell, encoding, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train-snn", "--cell", cell, "--encoding", encoding, "--out", str(out), *TINY]) == 0
    res = json.loads((out / "result.json").read_text())
    assert res["cell"] == cell and res["n_test"] == 40 and res["n_train"] + res["n_validation"] == 80
    lo, hi = res["test_interval"]
    assert lo <= res["test_accuracy"] <= hi
    assert len(res["activity"]) == 2 and res["energy"]["energy_J"] > 0
    # spiking input: ACs; SRC pulses are graded (MACs), LIF spikes binary (ACs only)
    assert "E_AC" in res["energy"]["formula"]
    assert ("E_MAC" in res["energy"]["formula"]) == (cell == "src")
    for f in ("report.md", "model.npz", "model.json", "learning_curves.png", "confusion.png",
              "activity.png", "input_examples.png", "checkpoint.pt"):
        assert (out / f).is_file(), f
    b = res["brian2"]           # the Brian2 re-run of 3 test samples agrees with torch
    assert b["samples"] == 3 and b["same_predictions"] == 1.0 and b["max_output_diff"] < 1e-6
    assert "Brian2 (equation level, numpy)" in (out / "report.md").read_text()
    assert "test accuracy" in capsys.readouterr().out
    # running again with the same options finds every epoch done and only scores
    assert main(["train-snn", "--cell", cell, "--encoding", encoding, "--out", str(out), *TINY]) == 0
    again = json.loads((out / "result.json").read_text())
    np.testing.assert_allclose(again["test_accuracy"], res["test_accuracy"])


@pytest.mark.parametrize("args, message", [
    (["--layers", "0"], "layers = 0"),
    (["--encoding", "events"], "not valid for the static dataset digits"),
    (["--dataset", "mnist", "--data-root", "{tmp}/nothing"], "train-images-idx3-ubyte"),
    (["--dataset", "nmnist", "--encoding", "events", "--data-root", "{tmp}/nothing"], "Train"),
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
