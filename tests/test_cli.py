import csv
import json

import numpy as np
import pytest
import yaml

from tests.conftest import make_rate_artifact


@pytest.mark.parametrize("extra,match", [
    (["--model", "missing.npz"], "does not exist"),
    (["--model", "FOREIGN"], "not a rate2spike artifact"),
    (["--model", "XOR"], "trained on task 'xor'"),
    (["--model", "TINY", "--trials", "0"], "trials = 0 is out of range"),
    (["--model", "TINY", "--scales", ""], "--scales is empty"),
    (["--model", "TINY", "--scales", "20,-5"], "must be a positive number; got -5.0"),
    (["--model", "TINY", "--device", "tpu"], "invalid choice: 'tpu'"),
    (["--model", "TINY", "--config", "BADCFG"], "unknown option 'trialz'"),
])
def test_convert_bad_input_exits_2_and_writes_nothing(tmp_path, run_cli, extra, match):
    make_rate_artifact(tmp_path / "tiny")
    make_rate_artifact(tmp_path / "xor", task="xor", n_in=2)
    (tmp_path / "foreign.npz").write_bytes(b"not a zip")
    (tmp_path / "foreign.json").write_text("{}")
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump({"convert": {"trialz": 3}}))
    subs = {"TINY": tmp_path / "tiny.npz", "XOR": tmp_path / "xor.npz",
            "FOREIGN": tmp_path / "foreign.npz", "BADCFG": tmp_path / "bad.yaml",
            "missing.npz": tmp_path / "missing.npz"}
    extra = [str(subs.get(a, a)) for a in extra]
    out = tmp_path / "out"
    code, cap = run_cli(["convert", "--task", "gonogo", "--out", str(out), "--quiet", *extra])
    assert code == 2
    assert match in cap.err
    assert not out.exists()


def test_unknown_task_exits_2(run_cli):
    code, cap = run_cli(["train", "--task", "tetris"])
    assert code == 2 and "invalid choice: 'tetris'" in cap.err


@pytest.mark.slow
def test_train_then_convert_end_to_end_with_resume(tmp_path, run_cli):
    cfg = tmp_path / "tiny.yaml"
    cfg.write_text(yaml.safe_dump({
        "train": {"units": 20, "batch_size": 4, "max_updates": 3, "eval_every": 1,
                  "eval_trials": 8, "min_trials": 0}}))
    tr = tmp_path / "train"
    code, cap = run_cli(["train", "--task", "gonogo", "--config", str(cfg), "--out", str(tr),
                         "--quiet"])
    assert code == 0, cap.err
    for f in ("rate_model.npz", "rate_model.json", "train_examples.png", "training_curve.png"):
        assert (tr / f).is_file()
    meta = json.loads((tr / "rate_model.json").read_text())
    assert meta["task"] == "gonogo" and meta["updates"] == 3 and len(meta["history"]) == 3
    out = tmp_path / "conv"
    args = ["convert", "--task", "gonogo", "--model", str(tr / "rate_model.npz"), "--out", str(out),
            "--trials", "4", "--scales", "20,30", "--quiet"]
    code, cap = run_cli(args)
    assert code == 0, cap.err
    rows = list(csv.DictReader((out / "lambda_sweep.csv").open()))
    assert [float(r["scale_s"]) for r in rows] == [20.0, 30.0]
    for f in ("report.md", "accuracy_vs_scale.png", "example_trials.png", "raster.png",
              "firing_rates.png", "rate_vs_lif.png", "lif_network.npz", "lif_network.json"):
        assert (out / f).is_file(), f
    lif = json.loads((out / "lif_network.json").read_text())
    assert lif["kind"] == "lif_network" and lif["b_out_dropped"] is True
    assert lif["lif_constants"]["tau_m_s"] == 0.01
    rate = np.load(tr / "rate_model.npz")
    spk = np.load(out / "lif_network.npz")
    assert np.allclose(spk["W_rec"], rate["W_rec"] / lif["scale_s"])
    assert np.array_equal(spk["W_in"], rate["W_in"])
    # running again without --resume refuses; with --resume nothing is recomputed
    code, cap = run_cli(args)
    assert code == 2 and "--resume" in cap.err
    before = {p.name: p.stat().st_mtime_ns for p in (out / "sweep").glob("scale_*")}
    code, cap = run_cli(args + ["--resume"])
    assert code == 0, cap.err
    assert before == {p.name: p.stat().st_mtime_ns for p in (out / "sweep").glob("scale_*")}


def test_cli_honours_omp_num_threads(monkeypatch, tmp_path, run_cli):
    """Side-by-side runs set OMP_NUM_THREADS=1; the CLI must not raise torch's threads again."""
    import torch

    before = torch.get_num_threads()
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    try:
        code, _ = run_cli(["train-snn", "--layers", "0", "--out", str(tmp_path / "x"), "--quiet"])
        assert code == 2
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
