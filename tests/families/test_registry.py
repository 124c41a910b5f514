"""The family and task registries: every registered family satisfies the record, plug-ins are
found through entry points, and the torch model of every family with a Brian2 twin matches it
step by step (float64)."""
from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from rate2spike import families, tasks
from rate2spike.config import SECTIONS, load_yaml
from rate2spike.errors import Rate2SpikeError
from rate2spike.families import FAMILIES, Family, family_names, family_of, get_family
from rate2spike.simulators import simulate_trained_brian
from tests.plugins.three_way_task import ThreeWay
from tests.plugins.toy_family import TOY, ToyNetwork

BUILTIN = ("rate", "lif", "src", "alif", "plif", "slif", "dlif")


@pytest.fixture
def toy():
    families.register(TOY)
    yield TOY
    families.unregister("toy")


def test_the_built_in_families_are_registered_in_order():
    assert tuple(family_names()[:7]) == BUILTIN


@pytest.mark.parametrize("name", BUILTIN)
def test_every_registered_family_satisfies_the_record(name):
    f = get_family(name)
    assert isinstance(f, Family) and f.name == name and f.title and f.description
    assert callable(f.obtain) and callable(f.evaluate) and f.energy_formula
    if f.train_on_task is not None:           # trains on a task: loadable, with a config section
        assert f.load is not None and f.model_file.endswith(".npz")
        assert SECTIONS[f.config_section] is f.config_class
    if f.network_type is not None:            # has a Brian2 twin: a torch twin and an example
        assert f.brian_build and f.torch_model and f.example


def test_a_name_is_taken_once_and_unknown_names_list_the_valid_ones(toy):
    with pytest.raises(Rate2SpikeError, match="already registered"):
        families.register(Family(**{**TOY.__dict__}))
    with pytest.raises(Rate2SpikeError, match="valid families: rate, lif, src, alif, plif, slif, dlif, toy"):
        get_family("izhikevich")
    with pytest.raises(Rate2SpikeError, match="must be a rate2spike.families.Family"):
        families.register("toy")


def test_registering_a_family_adds_its_config_section(toy, tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("toy: {hidden: 3}\n")
    assert load_yaml(cfg) == {"toy": {"hidden": 3}}
    assert family_of(TOY.example(tasks.get_task("gonogo"))) is TOY


def _entry_point(obj):
    return SimpleNamespace(name="mine", value="pkg:obj", load=lambda: obj)


def test_plug_ins_are_found_through_entry_points(monkeypatch):
    import importlib.metadata as md

    groups = {"rate2spike.tasks": [_entry_point(ThreeWay)],
              "rate2spike.families": [_entry_point(lambda: TOY)]}
    monkeypatch.setattr(md, "entry_points", lambda group: groups.get(group, []))
    try:
        assert tasks.load_plugins() == ["threeway"] and families.load_plugins() == ["toy"]
        assert tasks.get_task("threeway").n_classes == 3 and get_family("toy") is TOY
    finally:
        tasks.unregister("threeway")
        families.unregister("toy")


def test_a_broken_plug_in_is_skipped_with_a_warning(monkeypatch):
    import importlib.metadata as md

    def broken():
        raise ImportError("no module named mine")

    monkeypatch.setattr(md, "entry_points", lambda group: [SimpleNamespace(
        name="mine", value="mine:Task", load=broken)])
    with pytest.warns(UserWarning, match="'mine'.*not loaded: no module named mine"):
        assert tasks.load_plugins() == []


def test_a_task_must_be_a_task_class_with_classes():
    with pytest.raises(Rate2SpikeError, match="subclass of rate2spike.tasks.Task"):
        tasks.register(dict)
    @dataclass
    class Impostor(ThreeWay):
        name: str = "gonogo"

    with pytest.raises(Rate2SpikeError, match="'gonogo' is already registered"):
        tasks.register(Impostor)
    assert tasks.get_task("gonogo").n_classes == 2


TWINS = [f for f in FAMILIES.values() if f.network_type is not None] + [TOY]


@pytest.mark.parametrize("family", TWINS, ids=lambda f: f.name)
def test_torch_and_brian2_agree_step_by_step_for_every_family(family):
    """Each family's example net (random weights) on random inputs: outputs of every step within
    float rounding, and the same spike (active-step) counts in every layer."""
    task = tasks.get_task("gonogo")
    if family is TOY:
        families.register(TOY, replace=True)      # (its Brian2 model with it)
    try:
        _check_twins(family, family.example(task))
    finally:
        if family is TOY:
            families.unregister("toy")


def _check_twins(family, net):
    x = np.random.default_rng(3).uniform(0.0, 3.0, (3, net.n_inputs, 40))
    with torch.no_grad():
        ref = family.torch_model(net)(x, record_pulses=True)
    got = simulate_trained_brian(net, x, device="numpy", record_pulses=True)
    scale = max(1.0, float(np.abs(ref.outputs.numpy()).max()))
    assert np.abs(ref.outputs.numpy() - got.outputs).max() < 1e-9 * scale
    for a, b in zip(ref.active_steps, got.active_steps):
        assert np.array_equal(a.numpy().astype(int), b)
    for a, b in zip(ref.pulses, got.pulses):
        assert np.abs(a.numpy() - b).max() < 1e-9
    if family.name in ("alif", "plif", "slif", "toy"):     # binary spikes: some, not all, fired
        total = sum(int(a.sum()) for a in got.active_steps)
        assert 0 < total < sum(a.size for a in got.active_steps) * 40
    assert isinstance(net, ToyNetwork) == (family is TOY)
