"""The families of nets, one package each, and their registry (:mod:`.base`).

Built in: ``rate`` (Kim et al.'s rate RNN), ``lif`` (the rate net converted to LIF), ``src``
(De Geeter et al.'s Spiking Recurrent Cell), ``alif`` and ``plif`` (Yin et al.'s adaptive LIF
SRNN and its beta = 0 variant), ``slif`` (De Geeter et al.'s surrogate-gradient LIF
classifier) and ``dlif`` (the converted net's own LIF neuron and synapses, trained directly).
A new family is its own package that builds a :class:`Family` and calls
:func:`register` (or names it in the entry-point group ``rate2spike.families``); nothing else
in rate2spike changes. What the directly trained families share is in :mod:`.trained`.

Example
-------
>>> family_names()[:5]
['rate', 'lif', 'src', 'alif', 'plif']
>>> get_family("plif").config_overrides
{'adaptive': False}
"""
from . import alif, dlif, lif, rate, slif, src  # noqa: F401  (each package registers its family)
from .base import (
                   ENTRY_POINT_GROUP,
                   FAMILIES,
                   Evaluation,
                   EvaluationOptions,
                   Family,
                   NetSource,
                   family_names,
                   family_of,
                   get_family,
                   load_plugins,
                   register,
                   unregister,
)
from .parity import brian_parity
from .trained import INPUT_SHIFT, evaluate_on_trials, obtain_trained, perturbed_difference

#: the built-ins in the order commands list them, whatever order their packages were imported in
BUILTIN_ORDER = ("rate", "lif", "src", "alif", "plif", "slif", "dlif")
for _name in BUILTIN_ORDER:
    FAMILIES[_name] = FAMILIES.pop(_name)
load_plugins()

__all__ = ["ENTRY_POINT_GROUP", "FAMILIES", "Evaluation", "EvaluationOptions", "Family", "NetSource",
           "BUILTIN_ORDER", "family_names", "family_of", "get_family", "brian_parity", "load_plugins",
           "register", "unregister",
           "INPUT_SHIFT", "evaluate_on_trials", "obtain_trained", "perturbed_difference"]
