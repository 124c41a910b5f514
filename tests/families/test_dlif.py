"""The converted net's own kind of spiking net trained directly (family ``dlif``): Kim et al.'s
initialisation, Dale's signs and connectivity kept through training, the trained net saved as
a LIF network that ``compare`` runs as it runs a converted one, and clear refusals."""
from __future__ import annotations

import json

import numpy as np
import pytest

from rate2spike.families import get_family
from rate2spike.families.dlif.training import DaleLIFTrainConfig, initial_network, train_dale_lif
from rate2spike.lif_models import LIFNetwork
from rate2spike.rate_models import RateNetwork
from rate2spike.tasks import get_task
from tests.conftest import TRAINED


def test_the_initial_net_is_kims_rate_net_initialisation():
    cfg = DaleLIFTrainConfig(units=400, seed=3)
    lif = initial_network(cfg)
    r = lif.rate
    n, p = cfg.units, cfg.p_rec
    inhibitory = r.dale_sign < 0
    assert abs(inhibitory.mean() - cfg.p_inh) < 3 * np.sqrt(cfg.p_inh * (1 - cfg.p_inh) / n)
    assert np.all(r.W_rec[:, ~inhibitory] >= 0) and np.all(r.W_rec[:, inhibitory] <= 0)
    present = r.W_rec != 0
    assert abs(present.mean() - p) < 3 * np.sqrt(p * (1 - p) / n**2)
    # |N(0, 1)| gain / sqrt(N p): mean sqrt(2/pi) gain / sqrt(N p)
    expected = np.sqrt(2 / np.pi) * cfg.gain / np.sqrt(n * p)
    assert np.abs(r.W_rec[present]).mean() == pytest.approx(expected, rel=0.02)
    assert np.std(r.W_out) == pytest.approx(0.03, rel=0.1)      # N(0, 1) x 0.03
    assert np.all((r.tau_d_s >= cfg.tau_min_s) & (r.tau_d_s <= cfg.tau_max_s))
    assert lif.s == 25.0 and lif.meta["family"] == "dlif"
    again = initial_network(DaleLIFTrainConfig(units=400, seed=3))
    assert np.array_equal(again.rate.W_rec, r.W_rec)                # seeded


def test_training_keeps_dale_signs_connectivity_and_tau_and_moves_the_weights(tmp_path):
    cfg = DaleLIFTrainConfig(units=20, updates=3, batch_size=4, eval_every=3, eval_trials=4,
                             train_dt_s=1e-3, lr=0.05, seed=1)
    start = initial_network(cfg)
    net, record = train_dale_lif(cfg, tmp_path / "state.pt", progress=False)
    r0, r = start.rate, net.rate
    assert record.updates == 3 and len(record.history) == 1
    assert np.array_equal(r.W_rec != 0, (r0.W_rec != 0) & (r.W_rec != 0))   # no new connection
    assert np.all(r.W_rec * r0.dale_sign[None, :] >= 0)                     # Dale's signs
    assert np.array_equal(r.tau_d_s, r0.tau_d_s) and np.array_equal(r.dale_sign, r0.dale_sign)
    assert not np.allclose(r.W_in, r0.W_in) and not np.allclose(r.W_out, r0.W_out)
    assert net.s == cfg.s and net.meta["family"] == "dlif" and net.meta["updates"] == 3


def test_compare_trains_it_and_runs_it_as_a_converted_net(tmp_path, run_cli):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("dlif: {units: 20, updates: 2, batch_size: 4, eval_every: 2, eval_trials: 4, "
                   "train_dt_s: 0.001}\nconvert: {device: reference}\n")
    out = tmp_path / "cmp"
    code, cap = run_cli(["compare", "--task", "gonogo", "--families", "dlif", "--trials", "6",
                         "--config", str(cfg), "--out", str(out), "--quiet"])
    assert code == 0, cap.err
    summary = json.loads((out / "compare.json").read_text())["nets"]["dlif"]
    assert summary["label"].startswith("Dale LIF trained directly (20 units")
    assert summary["simulator"] == "NumPy reference"
    assert summary["training"]["updates"] == 2
    model = out / "dlif" / "dlif_model.npz"
    assert model.is_file() and (out / "dlif" / "dlif_training.md").is_file()
    assert not (out / "dlif" / "dlif_state.pt").exists()         # done: no resume state left
    net = get_family("dlif").load(model, get_task("gonogo"))
    assert isinstance(net, LIFNetwork) and net.n_units == 20


def test_a_converted_net_or_a_bad_option_is_refused_with_exit_2(tmp_path, run_cli):
    lif = LIFNetwork(RateNetwork.load(TRAINED), 25.0).save(tmp_path / "converted")
    code, cap = run_cli(["compare", "--task", "gonogo", "--families", "dlif", "--model",
                         f"dlif={lif}", "--out", str(tmp_path / "a"), "--quiet"])
    assert code == 2 and "not one trained directly" in cap.err and not (tmp_path / "a").exists()
    cfg = tmp_path / "c.yaml"
    for bad, message in (("units: 1", "units"), ("units: 2.5", "dlif.units must be of type int"),
                         ("train_dt_s: 0.0003", "must divide"), ("unitz: 3", "'dlif:' section")):
        cfg.write_text(f"dlif: {{{bad}}}\n")
        code, cap = run_cli(["compare", "--task", "gonogo", "--families", "dlif", "--config",
                             str(cfg), "--out", str(tmp_path / "b"), "--quiet"])
        assert code == 2 and message in cap.err and not (tmp_path / "b").exists(), bad


def test_a_resume_with_other_dlif_options_is_refused_by_name(tmp_path):
    from rate2spike.errors import Rate2SpikeError

    cfg = DaleLIFTrainConfig(units=20, updates=2, batch_size=2, eval_every=1, eval_trials=2,
                             train_dt_s=1e-3)
    train_dale_lif(cfg, tmp_path / "state.pt", progress=False)
    other = DaleLIFTrainConfig(**{**cfg.__dict__, "input_gain": 5.0, "updates": 3})
    with pytest.raises(Rate2SpikeError, match="input_gain"):
        train_dale_lif(other, tmp_path / "state.pt", progress=False)
