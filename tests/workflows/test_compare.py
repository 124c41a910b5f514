"""Energy estimate by hand, and ``train-src`` / ``compare`` from the command line."""
import json

import numpy as np
import pytest
import torch
import yaml

from rate2spike.converters import convert
from rate2spike.rate_models import RateNetwork
from rate2spike.report import energy
from rate2spike.simulators import simulate_lif
from rate2spike.src_models import SRCLayer, SRCNetwork
from rate2spike.tasks import get_task, per_condition_accuracy
from tests.conftest import make_rate_artifact


def test_energy_by_hand():
    W_in = np.array([[1.0], [0.0], [2.0]])                  # 2 input synapses
    W_rec = np.array([[0, 1, 0], [1, 0, 1], [0, 0, 0.0]])   # fan-out per unit: 1, 1, 1
    W_out = np.array([[1.0, 0, 1]])                         # fan-out: 1, 0, 1
    e = energy.rate_energy(W_in, W_rec, W_out, task_steps=10)
    assert e["MAC"] == 10 * (2 + 3 + 2) and e["AC"] == 0
    assert e["energy_J"] == pytest.approx(70 * 3.2e-12)
    spikes = np.array([4.0, 0.0, 2.0])
    e = energy.lif_energy(W_in, W_rec, W_out, spikes, task_steps=10)
    assert e["AC"] == 4 * 2 + 0 + 2 * 2 and e["MAC"] == 20
    assert e["energy_J"] == pytest.approx(20 * 3.2e-12 + 12 * 0.1e-12)
    net = SRCNetwork([SRCLayer(W_in, np.full(3, -6.0), W_rec), SRCLayer(np.eye(2, 3), np.full(2, -6.0))],
                     np.ones((1, 2)), np.zeros(1))
    # layer 0 fan-out = W_r column + next layer's W_s column: (1+1, 1+1, 1+0); layer 1: W_out 1, 1
    e = energy.src_energy(net, [np.array([1.0, 2.0, 3.0]), np.array([5.0, 0.0])], task_steps=10)
    assert e["MAC"] == 20 + (2 + 4 + 3) + 5 and e["AC"] == 0


def test_input_shift_difference_of_a_linear_and_a_chaotic_map():
    from types import SimpleNamespace

    from rate2spike.families import INPUT_SHIFT, perturbed_difference

    u = torch.rand(2, 3, 5, dtype=torch.float64)

    def linear(x):                              # o = 2 (u_0 + u_1 + u_2): moves by 6 x the shift
        return SimpleNamespace(outputs=2 * x.sum(dim=1, keepdim=True))

    assert perturbed_difference(linear, u, linear(u).outputs.numpy()) == pytest.approx(6 * INPUT_SHIFT,
                                                                                       rel=1e-3)

    def logistic(x):                            # 60 steps of x -> 4x(1-x): chaos amplifies 1e-12
        y = x[:, :1]
        for _ in range(60):
            y = 4 * y * (1 - y)
        return SimpleNamespace(outputs=y)

    assert perturbed_difference(logistic, u, logistic(u).outputs.numpy()) > 1e-3


@pytest.mark.parametrize("args,match", [
    (["--sizes", "0"], "every layer size = 0 is out of range"),
    (["--step-ms", "2"], "whole number"),
    (["--readout", "classify"], "needs a last layer of 20 neurons"),
    (["--lr", "-1"], "lr = -1.0 is out of range"),
])
def test_train_src_bad_input_exits_2_and_writes_nothing(tmp_path, run_cli, args, match):
    out = tmp_path / "out"
    code, cap = run_cli(["train-src", "--task", "gonogo", "--out", str(out), "--quiet", *args])
    assert code == 2 and match in cap.err
    assert not out.exists()


@pytest.mark.parametrize("args,match", [
    (["--trials", "0"], "trials = 0 is out of range"),
    (["--scale", "-2"], "--scale s = 1/lambda must be a positive number"),
    (["--src-model", "XOR_SRC"], "trained on task 'xor'"),
    (["--rate-model", "missing.npz"], "does not exist"),
])
def test_compare_bad_input_exits_2_and_writes_nothing(tmp_path, run_cli, args, match):
    from rate2spike.src_models.cell import SRCNet

    SRCNet(2, [4]).to_network({"task": "xor"}).save(tmp_path / "xor_src")
    args = [str(tmp_path / "xor_src.npz") if a == "XOR_SRC" else
            str(tmp_path / a) if a.endswith(".npz") else a for a in args]
    out = tmp_path / "out"
    code, cap = run_cli(["compare", "--task", "gonogo", "--out", str(out), "--quiet", *args])
    assert code == 2 and match in cap.err
    assert not out.exists()


@pytest.mark.slow
def test_train_src_then_compare_end_to_end(tmp_path, run_cli):
    cfg = tmp_path / "tiny.yaml"
    cfg.write_text(yaml.safe_dump({"src": {"sizes": [6], "batch_size": 2, "max_updates": 2,
                                           "eval_trials": 4}}))
    code, cap = run_cli(["train-src", "--task", "gonogo", "--config", str(cfg), "--out",
                         str(tmp_path / "src"), "--quiet"])
    assert code == 0, cap.err
    src = SRCNetwork.load(tmp_path / "src" / "src_model.npz")
    assert src.sizes == [6] and src.meta["updates"] == 2 and src.task == "gonogo"
    rate = make_rate_artifact(tmp_path / "rate")
    out = tmp_path / "cmp"
    code, cap = run_cli(["compare", "--task", "gonogo", "--rate-model", str(rate), "--scale", "25",
                         "--src-model", str(tmp_path / "src" / "src_model.npz"), "--trials", "6",
                         "--src-device", "numpy", "--out", str(out), "--quiet"])
    assert code == 0, cap.err
    summary = json.loads((out / "compare.json").read_text())
    nets = summary["nets"]
    assert set(nets) == {"rate", "lif", "src"} and summary["trials"] == 6
    for r in nets.values():
        assert r["energy"]["energy_J"] > 0 and all(t > 0 for t in r["time_per_trial_s"].values())
    # each accuracy is the task's rule on the shared trials (seed 0 + 5000), recomputed here
    task = get_task("gonogo")
    batch = task.generate(6, 5000)
    rate_o, _ = RateNetwork.load(rate).run(batch.inputs, seed=0)
    assert nets["rate"]["accuracy"] == task.score(rate_o, batch.labels, task.dt_s, "rate").mean()
    sim = simulate_lif(convert(RateNetwork.load(rate), 25.0), batch.inputs, batch.dt_s)
    lif_ok = task.score(sim.runs[25.0].outputs, batch.labels, sim.readout_dt_s, "lif")
    assert nets["lif"]["accuracy"] == lif_ok.mean()
    assert nets["lif"]["per_condition"] == per_condition_accuracy(lif_ok, batch.conditions,
                                                                  task.condition_names)
    # the SRC net gives the same verdicts and outputs in Brian2 as in torch
    assert nets["src"]["verdicts_agree"] == 1.0 and nets["src"]["max_output_difference"] < 1e-6
    assert nets["src"]["torch_input_shift_difference"] < 1e-6          # not chaotic either
    # rate energy is the hand count: 200 task steps x all nonzero weights x E_MAC
    arrays = np.load(rate)
    nnz = sum(int((arrays[k] != 0).sum()) for k in ("W_in", "W_rec", "W_out"))
    assert nets["rate"]["energy"]["MAC"] == 200 * nnz
    md = (out / "compare.md").read_text()
    assert "compare_summary.png" in md and (out / "compare_summary.png").stat().st_size > 1000
    assert (out / "compare_examples.png").is_file()


@pytest.mark.slow
def test_compare_without_a_scale_runs_the_search_and_uses_its_best_s(tmp_path, run_cli):
    rate = make_rate_artifact(tmp_path / "rate")
    cfg = tmp_path / "c.yaml"
    cfg.write_text(yaml.safe_dump({"convert": {"trials": 4, "scales": [20, 30]}}))
    out = tmp_path / "cmp"
    code, cap = run_cli(["compare", "--task", "gonogo", "--rate-model", str(rate), "--families",
                         "rate,lif", "--trials", "4", "--config", str(cfg), "--out", str(out),
                         "--quiet"])
    assert code == 0, cap.err
    search = json.loads((out / "convert" / "convert_result.json").read_text())
    rows = json.loads((out / "convert" / "lambda_sweep.json").read_text())
    assert [r["scale_s"] for r in rows] == [20.0, 30.0]
    best = max(rows, key=lambda r: (r["accuracy"], -r["scale_s"]))["scale_s"]
    assert search["best_scale_s"] == best
    nets = json.loads((out / "compare.json").read_text())["nets"]
    assert nets["lif"]["label"].startswith(f"converted LIF (s = {best:g},")


def test_compare_at_a_given_scale_with_a_calibrated_readout_uses_it(tmp_path, run_cli):
    from rate2spike.src_models.cell import SRCNet

    SRCNet(1, [4]).to_network({"task": "gonogo"}).save(tmp_path / "src")
    rate = make_rate_artifact(tmp_path / "rate")
    cfg = tmp_path / "c.yaml"
    cfg.write_text(yaml.safe_dump({"convert": {"trials": 3, "calibration_trials": 4,
                                               "device": "reference"}}))
    out = tmp_path / "cmp"
    code, cap = run_cli(["compare", "--task", "gonogo", "--rate-model", str(rate), "--src-model",
                         str(tmp_path / "src.npz"), "--trials", "3", "--config", str(cfg),
                         "--scale", "25", "--readout-fit", "affine", "--src-device", "numpy",
                         "--out", str(out), "--quiet"])
    assert code == 0, cap.err
    rows = json.loads((out / "convert" / "lambda_sweep.json").read_text())
    assert [r["scale_s"] for r in rows] == [25.0] and rows[0]["readout_fit"] == "affine"
    nets = json.loads((out / "compare.json").read_text())["nets"]
    assert nets["lif"]["label"] == "converted LIF (s = 25, λ = 0.04, affine readout)"


@pytest.mark.slow
def test_compare_adds_the_adaptive_and_plain_lif_srnns(tmp_path, run_cli):
    models = {}
    for family, extra in (("alif", []), ("plif", ["--no-adaptive"])):
        code, cap = run_cli(["train-snn", "--cell", "alif", "--task", "gonogo", "--hidden", "6",
                             "--max-updates", "2", "--batch-size", "4", "--step-ms", "5", *extra,
                             "--out", str(tmp_path / family), "--quiet"])
        assert code == 0, cap.err
        models[family] = tmp_path / family / "alif_model.npz"
    rate = make_rate_artifact(tmp_path / "rate")
    src_cfg = tmp_path / "tiny.yaml"
    src_cfg.write_text(yaml.safe_dump({"src": {"sizes": [6], "batch_size": 2, "max_updates": 2,
                                               "eval_trials": 4}}))
    out = tmp_path / "cmp"
    code, cap = run_cli(["compare", "--task", "gonogo", "--rate-model", str(rate), "--scale", "25",
                         "--config", str(src_cfg), "--families", "rate,lif,src,alif,plif", "--alif-model",
                         str(models["alif"]), "--plif-model", str(models["plif"]), "--trials", "4",
                         "--src-device", "numpy", "--out", str(out), "--quiet"])
    assert code == 0, cap.err
    nets = json.loads((out / "compare.json").read_text())["nets"]
    assert set(nets) == {"rate", "lif", "src", "alif", "plif"}
    for family in ("alif", "plif"):
        r = nets[family]
        assert r["verdicts_agree"] == 1.0 and r["max_output_difference"] < 1e-9   # Brian2 == torch
        W_in = np.load(models[family])["L0_W_in"]
        adaptive_macs = 2 * 6 * 200 if family == "alif" else 0      # 2 n T, T = 1 s / 5 ms
        assert r["energy"]["MAC"] == 200 * int((W_in != 0).sum()) + adaptive_macs
    assert "LIF SRNN" in nets["plif"]["label"] and "adaptive LIF" in nets["alif"]["label"]
    assert "adaptive LIF in Brian2" in (out / "compare.md").read_text()
    # training cost per net, read from each model's metadata: 2 updates each, the LIF converted
    assert nets["alif"]["training"]["updates"] == 2 and nets["plif"]["training"]["updates"] == 2
    assert nets["src"]["training"]["updates"] == 2 and nets["lif"]["training"]["updates"] == 0
    assert "2 updates" in (out / "compare.md").read_text()


@pytest.mark.slow
def test_compare_reuses_a_trained_family_only_when_trained_with_the_same_options(tmp_path, run_cli):
    """A second compare in the same --out reuses the SRC net it trained there; with other SRC
    options it refuses (exit 2, the differing option named) instead of scoring the old net
    under the new options, and changes nothing."""
    rate = make_rate_artifact(tmp_path / "rate")
    out = tmp_path / "cmp"

    def run(max_updates: int):
        cfg = tmp_path / f"src{max_updates}.yaml"
        cfg.write_text(yaml.safe_dump({"src": {"sizes": [6], "batch_size": 2, "eval_trials": 4,
                                               "max_updates": max_updates}}))
        return run_cli(["compare", "--task", "gonogo", "--families", "rate,src", "--rate-model",
                        str(rate), "--trials", "4", "--src-device", "numpy", "--config", str(cfg),
                        "--out", str(out), "--quiet"])

    code, cap = run(2)
    assert code == 0, cap.err
    model = out / "src" / "src_model.npz"
    stamp = model.stat().st_mtime_ns
    code, cap = run(2)
    assert code == 0, cap.err
    assert model.stat().st_mtime_ns == stamp                    # reused, not trained again
    code, cap = run(3)
    assert code == 2 and "trained with other options: max_updates 2 (now 3)" in cap.err
    assert model.stat().st_mtime_ns == stamp
