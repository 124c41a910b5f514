"""A new family and a new task are their own package plus one registration: the toy family of
tests/plugins trains on Go/NoGo, runs in Brian2 and appears in compare; the 3-class task goes
through train -> convert -> compare; compare takes any subset of families."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch
import yaml

from rate2spike import families, tasks
from rate2spike.src_models.cell import SRCNet
from rate2spike.src_models.network import SRCNetwork, task_inputs_to_steps
from rate2spike.surrogate_models.alif import ALIFNet
from rate2spike.surrogate_models.alif_network import ALIFNetwork
from tests.conftest import make_rate_artifact
from tests.plugins.three_way_task import ThreeWay
from tests.plugins.toy_family import TOY, ToyNet, ToyNetwork


@pytest.fixture
def toy():
    families.register(TOY)
    yield TOY
    families.unregister("toy")


@pytest.fixture
def three_way():
    tasks.register(ThreeWay)
    yield tasks.get_task("threeway")
    tasks.unregister("threeway")


def test_unknown_family_exits_2_naming_the_valid_ones(tmp_path, run_cli):
    out = tmp_path / "cmp"
    code, cap = run_cli(["compare", "--task", "gonogo", "--families", "rate,izhikevich", "--out",
                         str(out), "--quiet"])
    assert code == 2 and "'rate,izhikevich': choose from" in cap.err
    assert all(name in cap.err for name in ("alif", "dlif", "lif", "plif", "rate", "slif", "src"))
    assert not out.exists()


def test_compare_src_and_alif_alone_uses_no_rate_net(tmp_path, run_cli):
    SRCNet(1, [4]).to_network({"task": "gonogo"}).save(tmp_path / "src")
    ALIFNet(1, [5], 1, step_s=0.005).to_network({"task": "gonogo"}).save(tmp_path / "alif")
    out = tmp_path / "cmp"
    code, cap = run_cli(["compare", "--task", "gonogo", "--families", "src,alif", "--src-model",
                         str(tmp_path / "src.npz"), "--model", f"alif={tmp_path / 'alif.npz'}",
                         "--trials", "4", "--src-device", "numpy", "--out", str(out), "--quiet"])
    assert code == 0, cap.err
    summary = json.loads((out / "compare.json").read_text())
    assert list(summary["nets"]) == ["src", "alif"] and list(summary["energy_formulas"]) == ["src", "alif"]
    assert not (out / "convert").exists() and not (out / "rate").exists()
    for r in summary["nets"].values():
        assert r["verdicts_agree"] == 1.0
    md = (out / "compare.md").read_text()
    assert "SRC in Brian2" in md and "adaptive LIF in Brian2" in md and "rate RNN" not in md


@pytest.mark.slow
def test_a_family_from_outside_trains_runs_in_brian2_and_joins_compare(tmp_path, run_cli, toy):
    rate = make_rate_artifact(tmp_path / "rate")
    cfg = tmp_path / "c.yaml"
    cfg.write_text(yaml.safe_dump({"toy": {"hidden": 7, "updates": 3}, "convert": {"device": "reference"}}))
    out = tmp_path / "cmp"
    code, cap = run_cli(["compare", "--task", "gonogo", "--families", "rate,lif,toy", "--rate-model",
                         str(rate), "--scale", "25", "--config", str(cfg), "--trials", "6",
                         "--src-device", "numpy", "--out", str(out), "--quiet"])
    assert code == 0, cap.err
    nets = json.loads((out / "compare.json").read_text())["nets"]
    assert list(nets) == ["rate", "lif", "toy"]
    toy_net = ToyNetwork.load(out / "toy" / "toy_model.npz")        # trained by compare, on Go/NoGo
    assert toy_net.meta["updates"] == 3 and len(toy_net.b) == 7 and nets["toy"]["training"]["updates"] == 3
    r = nets["toy"]
    assert r["verdicts_agree"] == 1.0 and r["max_output_difference"] < 1e-9      # Brian2 == torch
    # its accuracy is the task's rate rule on the shared trials (seed 0 + 5000), recomputed here
    task = tasks.get_task("gonogo")
    batch = task.generate(6, 5000)
    with torch.no_grad():
        o = ToyNet(toy_net)(task_inputs_to_steps(batch.inputs, task.dt_s, toy_net.step_s)).outputs
    assert r["accuracy"] == task.score(o[:, 0].numpy(), batch.labels, toy_net.step_s, "rate").mean()
    assert "toy LIF in Brian2" in (out / "compare.md").read_text()


@pytest.mark.slow
def test_a_three_class_task_from_outside_goes_through_train_convert_compare(tmp_path, run_cli, three_way):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(yaml.safe_dump({
        "train": {"units": 30, "max_updates": 10, "eval_every": 5, "eval_trials": 20},
        "convert": {"device": "reference", "trials": 6, "scales": [20, 30]},
        "src": {"sizes": [30], "readout": "classify", "max_updates": 2, "batch_size": 4,
                "eval_trials": 6},
        "alif": {"hidden": 6, "output": "classify", "max_updates": 2, "batch_size": 4,
                 "eval_trials": 6, "step_s": 0.005}}))
    common = ["--task", "threeway", "--config", str(cfg), "--quiet"]
    code, cap = run_cli(["train", *common, "--out", str(tmp_path / "rate")])
    assert code == 0, cap.err
    rate = tmp_path / "rate" / "rate_model.npz"
    code, cap = run_cli(["convert", *common, "--model", str(rate), "--out", str(tmp_path / "conv")])
    assert code == 0, cap.err
    rows = json.loads((tmp_path / "conv" / "lambda_sweep.json").read_text())
    assert [r["scale_s"] for r in rows] == [20.0, 30.0]
    out = tmp_path / "cmp"
    code, cap = run_cli(["compare", *common, "--families", "rate,lif,src,alif", "--rate-model",
                         str(rate), "--scale", "25", "--trials", "9", "--src-device", "numpy",
                         "--out", str(out)])
    assert code == 0, cap.err
    nets = json.loads((out / "compare.json").read_text())["nets"]
    for r in nets.values():                  # per-class accuracy for every family
        assert set(r["per_condition"]) <= {"minus", "zero", "plus"}
    assert "| minus | zero | plus |" in (out / "compare.md").read_text()
    # the SRC and the SRNN have one class integrator per class; their accuracy is the argmax
    # of the last step against the class index (label + 1), recomputed here
    task = tasks.get_task("threeway")
    batch = task.generate(9, 5000)
    assert batch.conditions.tolist().count("zero") > 0
    src = SRCNetwork.load(out / "src" / "src_model.npz")
    alif = ALIFNetwork.load(out / "alif" / "alif_model.npz")
    assert src.n_outputs == 3 and alif.n_outputs == 3
    with torch.no_grad():
        o = SRCNet.from_network(src)(task_inputs_to_steps(batch.inputs, task.dt_s, src.constants.step_s))
    pred = o.outputs[:, :, -1].numpy().argmax(axis=1)
    assert nets["src"]["accuracy"] == np.mean(pred == batch.labels + 1)
    assert nets["src"]["verdicts_agree"] == 1.0 and nets["alif"]["verdicts_agree"] == 1.0
