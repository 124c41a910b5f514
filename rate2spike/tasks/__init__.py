"""Trial generators and scorers of the Kim et al. (2019) tasks, and the task registry.

A task is a :class:`Task` subclass (trial generator, scorer, number of response classes, the rate
net's default stop loss and the per-family recipes). The three built-in tasks are registered
here; a user's own task is added with :func:`register`, or from another installed package through
the entry-point group ``rate2spike.tasks`` (each entry point names a :class:`Task` subclass), and
is then available to every command (``--task NAME``) and function.

Example
-------
>>> from dataclasses import dataclass
>>> @dataclass
... class Quiet(GoNoGo):             # Go/NoGo under another name, for the example
...     name: str = "quiet-gonogo"
>>> _ = register(Quiet)
>>> get_task("quiet-gonogo").n_classes
2
>>> unregister("quiet-gonogo")
"""
from __future__ import annotations

import warnings

from ..errors import Rate2SpikeError
from .base import (
                   REFERENCE_STOP_LOSS,
                   Task,
                   TrialBatch,
                   check_model_task,
                   first_trial_per_condition,
                   per_condition_accuracy,
                   window_slice,
)
from .gonogo import GoNoGo
from .mante import Mante
from .xor import XOR

#: the entry-point group through which installed packages add tasks
ENTRY_POINT_GROUP = "rate2spike.tasks"
#: task name -> Task subclass; filled by :func:`register` (never edit it directly)
TASKS: dict = {}


def register(task_class: type, replace: bool = False) -> type:
    """Make ``task_class`` (a :class:`Task` subclass whose default ``name`` is its key) available
    by name; returns it, so it can be used as a class decorator. A name already taken is refused
    unless ``replace``."""
    if not (isinstance(task_class, type) and issubclass(task_class, Task)):
        raise Rate2SpikeError(f"a task must be a subclass of rate2spike.tasks.Task, got {task_class!r}")
    task = task_class()
    if not task.name or not isinstance(task.name, str):
        raise Rate2SpikeError(f"task class {task_class.__name__} has no name")
    if task.n_classes < 2 or len(task.condition_names) < 1:
        raise Rate2SpikeError(f"task {task.name!r}: n_classes must be >= 2 and condition_names "
                              f"non-empty")
    if task.name in TASKS and TASKS[task.name] is not task_class and not replace:
        raise Rate2SpikeError(f"a task named {task.name!r} is already registered "
                              f"({TASKS[task.name].__name__}); pass replace=True to override it")
    TASKS[task.name] = task_class
    return task_class


def unregister(name: str) -> None:
    """Remove a registered task (for tests and interactive sessions)."""
    TASKS.pop(name, None)


def load_plugins() -> list:
    """Register the tasks of every installed package's ``rate2spike.tasks`` entry point; returns
    their names. A plug-in that fails to load is skipped with a warning naming it."""
    from importlib.metadata import entry_points

    loaded = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            loaded.append(register(ep.load(), replace=True)().name)
        except Exception as exc:          # a broken plug-in must not break the package
            warnings.warn(f"rate2spike task plug-in {ep.name!r} ({ep.value}) not loaded: {exc}",
                          stacklevel=2)
    return loaded


def task_names() -> list:
    """The registered task names, sorted."""
    return sorted(TASKS)


def get_task(name: str) -> Task:
    """Return a fresh task by name; unknown names raise a clear error."""
    try:
        return TASKS[str(name).lower()]()
    except KeyError:
        raise Rate2SpikeError(
            f"unknown task {name!r}; valid tasks: {', '.join(sorted(TASKS))}") from None


for _builtin in (GoNoGo, XOR, Mante):
    register(_builtin)
load_plugins()

__all__ = ["Task", "TrialBatch", "window_slice", "first_trial_per_condition",
           "per_condition_accuracy", "check_model_task", "GoNoGo", "XOR", "Mante", "TASKS",
           "get_task", "register", "unregister", "load_plugins", "task_names", "ENTRY_POINT_GROUP",
           "REFERENCE_STOP_LOSS"]
