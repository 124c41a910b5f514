import json

import numpy as np
import pytest
import yaml

from rate2spike.artifacts import load_network, save_network
from rate2spike.config import ConvertConfig, SRCTrainConfig, TrainConfig, build_config, load_yaml
from rate2spike.errors import ArtifactError, ConfigError


def _arrays(n=4):
    rng = np.random.default_rng(0)
    return {"W_rec": rng.standard_normal((n, n)), "W_in": rng.standard_normal((n, 1)),
            "W_out": rng.standard_normal((1, n)), "b_out": np.zeros(1),
            "tau_d_s": np.full(n, 0.05), "dale_sign": np.ones(n)}


def test_round_trip(tmp_path):
    a = _arrays()
    save_network(tmp_path / "m", "rate_rnn", a, {"task": "gonogo", "act": "sigmoid"})
    arrays, meta = load_network(tmp_path / "m.npz", kind="rate_rnn")
    assert meta["task"] == "gonogo" and meta["format"] == "rate2spike"
    for k in a:
        assert np.array_equal(arrays[k], a[k])
    # readable without rate2spike
    assert json.loads((tmp_path / "m.json").read_text())["kind"] == "rate_rnn"
    assert set(np.load(tmp_path / "m.npz").files) == set(a)


def test_a_save_interrupted_between_its_two_files_leaves_no_npz(tmp_path, monkeypatch):
    """Runs that resume take an existing .npz as a saved model: it is written last, so a save
    stopped half-way leaves at most the .json (the model is then simply trained again)."""
    import rate2spike.artifacts as artifacts

    def stopped(path, data):
        raise KeyboardInterrupt

    monkeypatch.setattr(artifacts, "atomic_write_bytes", stopped)
    with pytest.raises(KeyboardInterrupt):
        save_network(tmp_path / "m", "rate_rnn", _arrays(), {"task": "gonogo"})
    assert not (tmp_path / "m.npz").exists()


def test_check_trained_with_names_every_option_that_differs(tmp_path):
    from rate2spike.artifacts import check_trained_with

    cfg = build_config(TrainConfig, {}, {"task": "gonogo"})
    meta = {"config": {k: v for k, v in json.loads(json.dumps(cfg.__dict__)).items()
                       if k != "grad_clip"}}           # an option added since: its default
    save_network(tmp_path / "m", "rate_rnn", _arrays(), meta)
    check_trained_with(tmp_path / "m.npz", cfg)
    other = build_config(TrainConfig, {"lr": 0.02, "units": 100}, {"task": "gonogo"})
    with pytest.raises(ArtifactError, match=r"units 200 \(now 100\); lr 0.01 \(now 0.02\)"):
        check_trained_with(tmp_path / "m.npz", other)
    changed = build_config(TrainConfig, {"grad_clip": 2.0}, {"task": "gonogo"})
    with pytest.raises(ArtifactError, match=r"grad_clip 1.0 \(now 2.0\)"):
        check_trained_with(tmp_path / "m.npz", changed)
    save_network(tmp_path / "user", "rate_rnn", _arrays(), {"task": "gonogo"})   # no config
    check_trained_with(tmp_path / "user.npz", other)


def test_missing_truncated_and_foreign_files(tmp_path):
    with pytest.raises(ArtifactError, match="does not exist"):
        load_network(tmp_path / "nope.npz")
    save_network(tmp_path / "m", "rate_rnn", _arrays(), {})
    data = (tmp_path / "m.npz").read_bytes()
    (tmp_path / "m.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ArtifactError, match="m.npz cannot be read"):
        load_network(tmp_path / "m.npz")
    (tmp_path / "f.npz").write_bytes(b"x")
    (tmp_path / "f.json").write_text('{"hello": 1}')
    with pytest.raises(ArtifactError, match="not a rate2spike artifact"):
        load_network(tmp_path / "f.npz")
    (tmp_path / "f.json").write_text('{"hello": ')
    with pytest.raises(ArtifactError, match="not valid JSON"):
        load_network(tmp_path / "f.npz")
    save_network(tmp_path / "l", "lif_network", _arrays(), {})
    with pytest.raises(ArtifactError, match="expected 'rate_rnn'"):
        load_network(tmp_path / "l.npz", kind="rate_rnn")


def test_config_file_and_overrides(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text(yaml.safe_dump({"train": {"units": 50, "lr": 0.005}, "convert": {"trials": 10}}))
    data = load_yaml(f)
    cfg = build_config(TrainConfig, data["train"], {"units": 60, "seed": None})
    assert cfg.units == 60 and cfg.lr == 0.005 and cfg.seed == 0
    assert build_config(ConvertConfig, data["convert"]).trials == 10


@pytest.mark.parametrize("section,values,match", [
    (TrainConfig, {"unitz": 3}, "unknown option 'unitz'"),
    (TrainConfig, {"units": "many"}, "must be of type int"),
    (TrainConfig, {"units": 1}, "out of range"),
    (TrainConfig, {"act": "tanh"}, "choose one of: relu, sigmoid, softplus"),
    (TrainConfig, {"tau_max_s": 0.01}, "tau_max_s"),
    (ConvertConfig, {"trials": 0}, "trials = 0 is out of range"),
    (ConvertConfig, {"scales": [20, -1]}, "positive number"),
    (ConvertConfig, {"device": "tpu"}, "device = 'tpu' is not valid"),
    # messages name the section as the config file spells it
    (TrainConfig, {"unitz": 3}, "in the 'train:' section"),
    (SRCTrainConfig, {"sizes": 3}, r"^src\.sizes must be of type list"),
    (SRCTrainConfig, {"size": [3]}, "in the 'src:' section"),
    (ConvertConfig, {"noise_mV": "x"}, r"^lifconstants\.noise_mV must be of type float"),
])
def test_config_validation(section, values, match):
    with pytest.raises(ConfigError, match=match):
        build_config(section, values)


def test_bad_yaml_files(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_yaml(tmp_path / "none.yaml")
    (tmp_path / "a.yaml").write_text("train: [1, 2")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_yaml(tmp_path / "a.yaml")
    (tmp_path / "b.yaml").write_text("fit: {}")
    with pytest.raises(ConfigError, match="unknown section 'fit'"):
        load_yaml(tmp_path / "b.yaml")


def test_atomic_writes_get_the_usual_file_mode_not_mkstemps_0600(tmp_path):
    import os

    from rate2spike.artifacts import atomic_write_text

    mask = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "f.txt", "x")
        assert os.stat(tmp_path / "f.txt").st_mode & 0o777 == 0o644
    finally:
        os.umask(mask)
