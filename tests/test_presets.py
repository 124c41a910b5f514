"""Config presets: what the reference profile sets, and the precedence
defaults < preset < config file < command-line flags."""
import json

import pytest

from rate2spike.config import ConvertConfig, TrainConfig, build_config, preset_sections, with_preset
from rate2spike.errors import ConfigError


def test_reference_preset_is_the_authors_recipe_and_default_changes_nothing():
    ref = preset_sections("reference", "gonogo")
    assert ref["train"] == {"grad_clip": 0.0, "tau_min_s": 0.02, "tau_max_s": 0.05,
                            "stop_loss": 7.0, "min_trials": 1500}
    assert ref["convert"] == {"tie_rule": "smallest", "readout_fit": "none", "trial_sampling": "fresh",
                              "input_switch": "round", "start_hold_s": 0.002,
                              "refractory_holds": "drift"}
    lif = build_config(ConvertConfig, ref["convert"], {"task": "gonogo"}).lif
    assert (lif.input_lead_steps(0.005), lif.start_hold_steps, lif.refractory_holds) == (
        51, 40, "drift")
    assert preset_sections("reference", "mante")["train"]["min_trials"] == 0   # Go/NoGo only
    assert set(preset_sections("default", "gonogo")) == {"alif"}   # only the SRNN's recipe
    with pytest.raises(ConfigError, match="reference"):
        preset_sections("paper", "gonogo")


def test_the_config_file_overrides_the_preset_and_flags_override_both():
    merged = with_preset({"train": {"grad_clip": 0.5}, "convert": {"trials": 50}}, "reference",
                         "gonogo")
    cfg = build_config(TrainConfig, merged["train"], {"task": "gonogo", "stop_loss": 3.0})
    assert (cfg.grad_clip, cfg.tau_max_s, cfg.stop_loss) == (0.5, 0.05, 3.0)
    conv = build_config(ConvertConfig, merged["convert"], {"task": "gonogo"})
    assert (conv.trials, conv.tie_rule) == (50, "smallest")


def test_train_with_the_reference_preset_records_its_recipe(tmp_path, run_cli):
    code, cap = run_cli(["train", "--task", "xor", "--preset", "reference", "--units", "20",
                         "--max-updates", "2", "--out", str(tmp_path / "t"), "--quiet"])
    assert code == 0, cap.err
    config = json.loads((tmp_path / "t" / "rate_model.json").read_text())["config"]
    assert (config["grad_clip"], config["tau_max_s"], config["stop_loss"],
            config["min_trials"]) == (0.0, 0.05, 7.0, 0)
    code, cap = run_cli(["train", "--task", "xor", "--preset", "paper", "--out",
                         str(tmp_path / "x")])
    assert code == 2 and "invalid choice: 'paper'" in cap.err and not (tmp_path / "x").exists()


def test_the_reference_preset_keeps_kim_readout_whatever_the_file_or_flags_say(tmp_path, run_cli,
                                                                              tiny_model):
    merged = with_preset({"convert": {"readout_fit": "lstsq"}}, "reference", "gonogo")
    assert merged["convert"]["readout_fit"] == "none"
    assert with_preset({"convert": {"readout_fit": "lstsq"}}, "default",
                       "gonogo")["convert"]["readout_fit"] == "lstsq"
    code, cap = run_cli(["convert", "--task", "gonogo", "--model", str(tiny_model), "--preset",
                         "reference", "--readout-fit", "affine", "--trials", "2", "--scales",
                         "20", "--device", "reference", "--out", str(tmp_path / "c"), "--quiet"])
    assert code == 0, cap.err
    assert "--readout-fit affine is ignored" in cap.err
    row = json.loads((tmp_path / "c" / "lambda_sweep.json").read_text())[0]
    assert row["readout_fit"] == "none" and "accuracy_affine" not in row
    assert "fresh trials and noise for every s" in (tmp_path / "c" / "report.md").read_text()


def test_src_recipe_per_task_in_every_preset_and_flags_win():
    """XOR's and Mante's SRC recipe (class readout on a 20-neuron last layer, 5 ms steps) comes with both
    presets; Go/NoGo keeps the defaults; a config file's key wins over the recipe."""
    for name, task in (("default", "xor"), ("reference", "xor"), ("default", "mante")):
        src = preset_sections(name, task)["src"]
        assert src["readout"] == "classify" and src["sizes"][-1] == 20 and src["step_s"] == 0.005
        assert "src" not in preset_sections(name, "gonogo")
        assert preset_sections(name, task)["alif"]["output"] == "classify"
    assert preset_sections("default", "gonogo")["alif"] == {"step_s": 0.005, "beta": 0.2}
    merged = with_preset({"src": {"readout": "linear", "sizes": [50]}}, "default", "xor")
    assert merged["src"]["readout"] == "linear" and merged["src"]["step_s"] == 0.005
