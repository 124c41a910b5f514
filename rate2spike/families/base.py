"""The family record and its registry: what ``compare``, the artifact loader, the Brian2 runner
and the parity check need to know of a kind of net, in one place.

A *family* is a kind of net that ``compare`` can put on the shared trials of a task: Kim et al.'s
rate RNN, its converted LIF net, or a spiking net trained directly (SRC, adaptive / plain LIF
SRNN, or a user's own). Each built-in family is one package under :mod:`rate2spike.families`
that builds one :class:`Family` and calls :func:`register`; a user's family does the same from
its own package (or through the entry-point group ``rate2spike.families``), and every command
then accepts it (``compare --families rate,lif,NAME``).

What a family provides:

- ``obtain(context)``: the net to evaluate, loaded from the file the user gave
  (``context.model_path(name)``) or trained on the task into ``context.out / name``
  (:func:`obtain_trained` does this for any family with ``train_on_task`` and ``load``; the
  rate and converted LIF families ask the context, which runs the conversion pipeline);
- ``evaluate(net, task, batch, options)``: an :class:`Evaluation` on the shared trials
  (summary with accuracy overall and per condition, activity, energy, times; the traces of the
  first trial of each condition for the figure);
- optionally its plain-data network type with the Brian2 builder and the float64 torch model
  (``network_type``, ``brian_build``, ``torch_model``), which registers the net with the Brian2
  runner (:func:`rate2spike.simulators.register_brian_model`) and puts it in the parametrised
  torch == Brian2 parity test;
- its config section and class (``config_section``, ``config_class``, ``config_overrides``),
  energy formula and labels;
- optionally the ``kind`` its model files carry (``artifact_kind``) and ``to_nir(net)``, which
  returns the net as a NIR graph or raises :class:`~rate2spike.errors.ArtifactError` naming
  what NIR cannot express (``rate2spike export MODEL --format nir``).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, NamedTuple, Protocol

import numpy as np

from ..config import register_section
from ..errors import Rate2SpikeError
from ..simulators import register_brian_model
from ..tasks import Task, TrialBatch

#: the entry-point group through which installed packages add families
ENTRY_POINT_GROUP = "rate2spike.families"


class Evaluation(NamedTuple):
    """A net on the shared trials. summary: JSON-ready dict (``label``, ``simulator``,
    ``accuracy``, ``per_condition``, ``time_per_trial_s``, ``energy``, ``activity``; nets with a
    Brian2 twin also ``accuracy_brian2``, ``verdicts_agree``, ``max_output_difference``,
    ``torch_input_shift_difference``, ``compile_s``); traces (n_conditions, samples): the decision
    trace of the first trial of each condition (:func:`rate2spike.tasks.first_trial_per_condition`
    order); trace_dt_s: seconds per trace sample."""

    summary: dict
    traces: np.ndarray
    trace_dt_s: float


@dataclass(frozen=True)
class EvaluationOptions:
    """How nets are evaluated: ``seed`` (the run's seed: rate-net noise, LIF noise), the LIF
    simulator's ``lif_device`` / ``processes`` / ``threads`` (None: automatic), the Brian2
    ``brian_device`` of the directly trained nets, and ``torch_device`` / ``torch_dtype`` of
    the LIF simulator when ``lif_device`` is ``torch``."""

    seed: int = 0
    lif_device: str = "cpp_standalone"
    processes: int | None = None
    threads: int | None = None
    brian_device: str = "cpp_standalone"
    torch_device: str = "cpu"
    torch_dtype: str = "float32"


class NetSource(Protocol):
    """What ``compare`` offers a family's ``obtain``: the task, the output folder, the files the
    user gave, each family's validated config, and the conversion pipeline's nets."""

    task: Task
    out: Path
    progress: bool

    def model_path(self, family: str) -> str | None: ...

    def config(self, family: "Family") -> Any: ...

    def rate_network(self) -> Any: ...

    def converted_network(self) -> Any: ...


@dataclass(frozen=True)
class Family:
    """One kind of net (see the module docstring). ``name``: the key on the command line and in
    result files; ``title``: its short label in tables and figures; ``description``: one line for
    ``--help``; ``model_file``: its artifact's name in a run folder (``NAME_model.npz``)."""

    name: str
    title: str
    description: str
    obtain: Callable[[NetSource], Any]
    evaluate: Callable[[Any, Task, TrialBatch, EvaluationOptions], Evaluation]
    energy_formula: str
    model_file: str = ""
    load: Callable[[Any], Any] | None = None
    train_on_task: Callable[[Any, Path, bool], Path] | None = None
    config_section: str | None = None
    config_class: type | None = None
    config_overrides: dict = field(default_factory=dict)
    network_type: type | None = None
    brian_build: Callable | None = None
    torch_model: Callable[[Any], Any] | None = None
    example: Callable[[Task], Any] | None = None
    artifact_kind: str = ""
    to_nir: Callable[[Any], Any] | None = None


#: name -> Family, in registration order (the built-ins first)
FAMILIES: dict = {}


def register(family: Family, replace: bool = False) -> Family:
    """Make ``family`` available to every command; returns it. A name already taken is refused
    unless ``replace``."""
    if not isinstance(family, Family):
        raise Rate2SpikeError(f"a family must be a rate2spike.families.Family, got {family!r}")
    if not family.name.isidentifier():
        raise Rate2SpikeError(f"family name {family.name!r} must be a Python identifier "
                              f"(letters, digits, underscores)")
    if family.name in FAMILIES and FAMILIES[family.name] is not family and not replace:
        raise Rate2SpikeError(f"a family named {family.name!r} is already registered; pass "
                              f"replace=True to override it")
    if family.config_section and family.config_class:
        register_section(family.config_section, family.config_class)
    if family.network_type is not None and family.brian_build is not None:
        register_brian_model(family.network_type, family.brian_build)
    FAMILIES[family.name] = family
    return family


def unregister(name: str) -> None:
    """Remove a registered family (for tests and interactive sessions)."""
    FAMILIES.pop(name, None)


def family_names() -> list:
    """The registered family names, built-ins first."""
    return list(FAMILIES)


def get_family(name: str) -> Family:
    """The family called ``name``; an unknown name raises an error naming the valid ones."""
    try:
        return FAMILIES[name]
    except KeyError:
        raise Rate2SpikeError(f"unknown family {name!r}; valid families: "
                              f"{', '.join(FAMILIES)}") from None


def family_for_kind(kind: str) -> Family | None:
    """The first registered family whose model files carry ``kind``, or None."""
    return next((f for f in FAMILIES.values() if f.artifact_kind and f.artifact_kind == kind), None)


def family_of(net) -> Family:
    """The registered family whose plain-data ``network_type`` ``net`` is (the first registered,
    e.g. ``alif`` for an ALIFNetwork of either variant); an error if none has a torch twin."""
    for family in FAMILIES.values():
        if family.network_type is not None and isinstance(net, family.network_type) \
                and family.torch_model is not None:
            return family
    raise Rate2SpikeError(f"no registered family has networks of type {type(net).__name__}")


def load_plugins() -> list:
    """Register every installed package's ``rate2spike.families`` entry point (each names a
    :class:`Family` or a function returning one); returns their names. A plug-in that fails to
    load is skipped with a warning naming it."""
    from importlib.metadata import entry_points

    loaded = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
            loaded.append(register(obj if isinstance(obj, Family) else obj(), replace=True).name)
        except Exception as exc:          # a broken plug-in must not break the package
            warnings.warn(f"rate2spike family plug-in {ep.name!r} ({ep.value}) not loaded: {exc}",
                          stacklevel=2)
    return loaded
