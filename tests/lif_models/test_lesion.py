"""Lesions of the recurrent connections: which connections each kind names, how many a
fraction hits, nesting and seeding; then through ``simulate --lesion`` and the ``lesion`` study."""
from __future__ import annotations

import json

import numpy as np
import pytest

from rate2spike import RateNetwork
from rate2spike.converters import convert
from rate2spike.errors import Rate2SpikeError
from rate2spike.lif_models import Lesion, lesion
from rate2spike.lif_models.lesion import connections_of, lesioned_weights
from tests.conftest import TRAINED

# 2 E units (0, 1) and 2 I units (2, 3); W[i, j] from j to i; every off-diagonal entry exists
SIGN = np.array([1.0, 1.0, -1.0, -1.0])
W = (np.ones((4, 4)) - np.eye(4)) * SIGN[None, :]


@pytest.mark.parametrize("kind, expected", [
    ("EE", {(0, 1), (1, 0)}),
    ("EI", {(2, 0), (2, 1), (3, 0), (3, 1)}),       # from E (columns 0, 1) to I (rows 2, 3)
    ("IE", {(0, 2), (0, 3), (1, 2), (1, 3)}),
    ("II", {(2, 3), (3, 2)}),
])
def test_each_kind_names_the_connections_from_its_first_to_its_second_type(kind, expected):
    assert set(zip(*np.nonzero(connections_of(W, SIGN, kind)))) == expected
    assert connections_of(W, SIGN, "all").sum() == 12


def test_a_fraction_hits_round_fraction_times_count_of_its_kind_only_and_nests():
    w, hit = lesioned_weights(W, SIGN, Lesion("EI", 0.5, seed=3))
    assert hit.sum() == 2 and np.all(connections_of(W, SIGN, "EI")[hit])
    assert np.all(w[hit] == 0) and np.array_equal(w[~hit], W[~hit])
    more = lesioned_weights(W, SIGN, Lesion("EI", 0.75, seed=3))[1]
    assert more.sum() == 3 and np.all(more[hit])                       # a superset
    scaled = lesioned_weights(W, SIGN, Lesion("all", 1.0, factor=0.25))[0]
    np.testing.assert_array_equal(scaled, W * 0.25)
    again = lesioned_weights(W, SIGN, Lesion("EI", 0.5, seed=3))[1]
    other = [lesioned_weights(W, SIGN, Lesion("all", 0.5, seed=s))[1] for s in range(5)]
    assert np.array_equal(again, hit) and len({m.tobytes() for m in other}) > 1


def test_lesion_copies_the_network_and_records_itself():
    net = convert(RateNetwork.load(TRAINED), 20.0)
    before = net.rate.W_rec.copy()
    cut = lesion(net, Lesion("IE", 1.0))
    n_ie = int(connections_of(before, net.rate.dale_sign, "IE").sum())
    assert cut.meta["lesion"] == {"kind": "IE", "fraction": 1.0, "factor": 0.0, "seed": 0,
                                  "connections_hit": n_ie,
                                  "synapses_before": int(np.count_nonzero(before))}
    assert np.array_equal(net.rate.W_rec, before) and n_ie > 0
    inhibitory_to_excitatory = cut.rate.W_rec[np.ix_(net.rate.dale_sign > 0, net.rate.dale_sign < 0)]
    assert not inhibitory_to_excitatory.any()


@pytest.mark.parametrize("bad", [dict(kind="EX"), dict(fraction=1.5), dict(fraction=-0.1),
                                 dict(factor=-1.0), dict(fraction=float("nan")), dict(seed=-1)])
def test_bad_lesions_are_refused(bad):
    with pytest.raises(Rate2SpikeError):
        Lesion(**{"kind": "all", "fraction": 0.5, **bad})


def test_the_lesion_option_reads_a_fraction_with_a_type_or_kind_fraction_factor():
    assert Lesion.parse("0.2", 5, "EI") == Lesion("EI", 0.2, 0.0, 5)
    assert Lesion.parse("IE:0.5:0.25", 5) == Lesion("IE", 0.5, 0.25, 5)
    for bad in ("half", "IE:", "IE:0.5:x:1", "1.5"):
        with pytest.raises(Rate2SpikeError):
            Lesion.parse(bad)


@pytest.mark.slow
def test_simulate_and_the_lesion_study_remove_inhibition_and_e_units_fire_more(tmp_path, run_cli):
    stem = tmp_path / "lif_network"
    convert(RateNetwork.load(TRAINED), 20.0).save(stem)
    net = f"{stem}.npz"
    code, out = run_cli(["simulate", net, "--trials", "10", "--lesion", "1", "--lesion-type", "IE", "--out",
                         str(tmp_path / "sim"), "--quiet"])
    assert code == 0, out.err
    recorded = json.loads((tmp_path / "sim" / "simulation.json").read_text())["lesion"]
    rate = RateNetwork.load(TRAINED)
    assert recorded["connections_hit"] == int(connections_of(rate.W_rec, rate.dale_sign, "IE").sum())
    args = ["lesion", net, "--kinds", "IE", "--fractions", "0,1", "--trials", "10", "--out",
            str(tmp_path / "les"), "--quiet"]
    code, out = run_cli(args)
    assert code == 0, out.err
    points = {p["kind"]: p for p in json.loads((tmp_path / "les" / "lesion.json").read_text())["points"]}
    assert points["IE"]["rate_E_hz"] > 1.5 * points["none"]["rate_E_hz"]     # disinhibited
    assert (tmp_path / "les" / "lesion.png").is_file() and (tmp_path / "les" / "lesion.md").is_file()
    done = tmp_path / "les" / "points" / "IE_1.0.json"
    stamp = done.stat().st_mtime_ns
    assert run_cli(args)[0] == 0 and done.stat().st_mtime_ns == stamp        # rerun: nothing redone
    code, out = run_cli([*args[:-3], "--trials", "12", "--out", str(tmp_path / "les")])
    assert code == 2 and "other options (trials differ)" in out.err
    code, out = run_cli(["lesion", net, "--fractions", "0,1.5", "--out", str(tmp_path / "x")])
    assert code == 2 and "lesion fraction must be a number in 0 ... 1" in out.err
    code, out = run_cli(["simulate", net, "--lesion", "XY:0.5", "--out", str(tmp_path / "y")])
    assert code == 2 and "valid kinds are all, EE, EI, IE, II" in out.err
    code, out = run_cli(["simulate", net, "--lesion", "0.2", "--lesion-type", "EX", "--out",
                         str(tmp_path / "z")])
    assert code == 2 and "valid kinds are all, EE, EI, IE, II" in out.err
    assert not (tmp_path / "y").exists() and not (tmp_path / "z").exists()


def test_every_lesion_of_a_net_runs_the_intact_nets_compiled_program():
    """Removed synapses stay in the program with weight 0: the same shape (one compile per
    lesion study), the same weights where connections remain, 0 where they were cut."""
    from rate2spike.brian_models import LIFBatchModel

    net = convert(RateNetwork.load(TRAINED), 20.0)
    intact = LIFBatchModel.from_network(net, 4, 200, 0.005)
    for spec in (Lesion("IE", 1.0), Lesion("all", 0.5, seed=2), Lesion("all", 1.0)):
        cut = LIFBatchModel.from_network(lesion(net, spec), 4, 200, 0.005)
        assert cut.shape_signature() == intact.shape_signature(), spec
        assert cut.synapse_slots() == intact.synapse_slots() >= np.count_nonzero(net.rate.W_rec)
    assert np.count_nonzero(lesion(net, Lesion("all", 1.0)).rate.W_rec) == 0
