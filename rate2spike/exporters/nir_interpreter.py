"""A small NumPy interpreter of NIR graphs, written from the NIR node definitions alone.

It knows nothing of rate2spike's simulators: it runs any graph of ``Input``, ``Output``,
``Linear``, ``Affine``, ``Scale`` (stateless), ``LI``, ``I``, ``CubaLI`` (continuous state)
and ``LIF``, ``IF``, ``CubaLIF`` (spiking) nodes on a fixed step ``dt_s``, cycles included.
Units are whatever the graph uses (rate2spike's graphs: seconds and mV).

Signals. Every edge carries a continuous part (held constant over a step) and an impulse
part: a spike is a unit-area Dirac impulse, and stateless nodes map both parts linearly
(an Affine bias goes to the continuous part only). A node's input is the sum over its
incoming edges. An impulse of weight w into a node with ``tau dx/dt = ... + r I`` makes x
jump by ``r w / tau`` at once (``r w`` for I and IF; CubaLI/CubaLIF: the synaptic current
jumps by ``w_in w / tau_syn``).

Discretisation of step n (time t_n = n dt, from t_n to t_n + dt):

* LIF membrane, forward Euler: ``v += dt/tau (v_leak - v + r I)``; spike when
  ``v >= v_threshold`` (the NIR text writes ``>``; they differ only when v lands exactly on
  the threshold, and ``>=`` is the rule of the models rate2spike exports), then
  ``v = v_reset``. IF: ``v += dt r I``. CubaLIF: v as LIF from the synaptic current of the
  previous step, then the current updates like an LI node. No refractory period.
* LI, exponential decay plus Euler input: ``x = v_leak + (x - v_leak) e^{-dt/tau}
  + dt r I / tau`` (I: ``x += dt r I``; CubaLI: synaptic current then membrane, both so).

Evaluation order per step, chosen to coincide with Brian2's schedule in
:mod:`rate2spike.brian_models.lif` (groups, thresholds, synapses):

1. every spiking node updates from the continuous values at t_n (the states left by step
   n - 1 and the external input of step n) and from the impulses of step n - 1's spikes
   (so a spike reaches a spiking node directly through stateless nodes one step later),
   then emits its spikes of step n and resets;
2. spikes propagate through stateless nodes within the same step;
3. every continuous node updates from the continuous values at t_n (all continuous nodes
   use the values from before this step) and the impulses of step n's spikes.

Recorded values. ``outputs[name][n]`` is the continuous value that Output node sees at
t_n, i.e. computed from the states left by step n - 1 (row 0: the initial state) and the
input of step n; ``output_impulses`` the impulse weights it receives in step n.
rate2spike's Brian2 readout takes sample k at the start of step k * stride from the
traces left by step k * stride - 1, so sample k equals ``outputs[name][k * stride]``.
``states[name][n]`` is a recorded node's state at t_n (before step n).

Agreement with rate2spike. On a graph from :mod:`.nir_export` of a network with
``refractory_s = 0`` and ``noise_mV = 0`` (what NIR can express), the same initial voltages
and the input of each rate step repeated for its LIF steps, the interpreter gives the same
spikes (unit and step) as rate2spike's Brian2 and NumPy simulators, and readout samples
within 1e-12 (tests/exporters/test_nir.py: 682 spikes over 0.4 s of a Go trial, none
differ, readout within 4e-15). The sums are ordered differently, so v differs by rounding
(~1e-14 mV); a spike could only flip if v landed that close to the threshold.

Initial state: ``initial_state[name]`` is v (an array), or a dict {"v": ..., "I": ...} for
CubaLI/CubaLIF. Default v = v_leak (rest) for LI/LIF/Cuba nodes, 0 for I/IF, I = 0.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import nir
import numpy as np

STATELESS = (nir.Linear, nir.Affine, nir.Scale, nir.Output)
SPIKING = (nir.LIF, nir.IF, nir.CubaLIF)
CONTINUOUS = (nir.LI, nir.I, nir.CubaLI)


@dataclass
class NIRRun:
    """What :func:`run_nir` returns: ``spikes`` {spiking node: (steps, size) bool},
    ``outputs`` / ``output_impulses`` {Output node: (steps, size)}, ``states`` {recorded
    node: (steps, size) state at t_n}, ``final_state`` {stateful node: dict of arrays}."""

    dt_s: float
    n_steps: int
    spikes: dict
    outputs: dict
    output_impulses: dict
    states: dict = field(default_factory=dict)
    final_state: dict = field(default_factory=dict)

    def spike_events(self, node: str):
        """(unit, step) arrays of one spiking node's spikes, ordered by step then unit."""
        steps, units = np.nonzero(self.spikes[node])
        return units, steps


def _add(a, b):
    if a is None:
        return b
    return a if b is None else a + b


def _flat(x) -> np.ndarray:
    return np.asarray(x, float).reshape(-1)


def _transform(node, cont, imp):
    """Output (continuous, impulse) of a stateless node."""
    if isinstance(node, (nir.Linear, nir.Affine)):
        w = np.asarray(node.weight, float)
        if w.ndim != 2:
            raise ValueError("only 2-D Linear/Affine weights are supported")
        cont = None if cont is None else w @ cont
        imp = None if imp is None else w @ imp
        if isinstance(node, nir.Affine):
            cont = _add(cont, _flat(node.bias))
        return cont, imp
    if isinstance(node, nir.Scale):
        s = _flat(node.scale)
        return (None if cont is None else s * cont), (None if imp is None else s * imp)
    return cont, imp  # Output


def _size(node) -> int:
    if isinstance(node, (nir.Input, nir.Output)):
        shape = node.input_type["input"] if isinstance(node, nir.Input) else node.output_type["output"]
        return int(np.prod(shape))
    return _flat(node.r).size  # every neuron node has a per-unit r


def _initial(node, given) -> dict:
    """Initial state dict of a stateful node."""
    n = _size(node)
    rest = _flat(node.v_leak) if hasattr(node, "v_leak") else np.zeros(n)
    state = {"v": rest.copy()}
    if isinstance(node, (nir.CubaLI, nir.CubaLIF)):
        state["I"] = np.zeros(n)
    if isinstance(given, dict):
        if set(given) - set(state):
            raise ValueError(f"initial state keys {sorted(set(given) - set(state))} not in {sorted(state)}")
        state.update({k: _flat(v).copy() for k, v in given.items()})
    elif given is not None:
        state["v"] = _flat(given).copy()
    for k, v in state.items():
        if v.shape != (n,):
            raise ValueError(f"initial {k} has {v.size} values, the node has {n}")
    return state


def _synapse(node, state, cont, imp, dt):
    """Cuba synaptic current: decay, then Euler for continuous and jump for impulse input."""
    tau, w_in = _flat(node.tau_syn), _flat(node.w_in)
    drive = _add(None if cont is None else dt * cont, imp)
    state["I"] = state["I"] * np.exp(-dt / tau) + (0.0 if drive is None else w_in * drive / tau)


def _step_spiking(node, state, cont, imp, dt) -> np.ndarray:
    """Phase 1: one step of a spiking node; returns its spikes (bool)."""
    v, r = state["v"], _flat(node.r)
    if isinstance(node, nir.IF):
        v = v + (0.0 if cont is None else dt * r * cont) + (0.0 if imp is None else r * imp)
    else:
        tau = _flat(node.tau_mem if isinstance(node, nir.CubaLIF) else node.tau)
        current = state["I"] if isinstance(node, nir.CubaLIF) else cont
        v = v + dt / tau * (_flat(node.v_leak) - v + (0.0 if current is None else r * current))
        if isinstance(node, nir.CubaLIF):
            _synapse(node, state, cont, imp, dt)
        elif imp is not None:
            v = v + r * imp / tau
    spiking = v >= _flat(node.v_threshold)
    state["v"] = np.where(spiking, _flat(node.v_reset), v)
    return spiking


def _step_continuous(node, state, cont, imp, dt) -> None:
    """Phase 3: one step of a continuous-state node."""
    r = _flat(node.r)
    if isinstance(node, nir.I):
        state["v"] = state["v"] + (0.0 if cont is None else dt * r * cont) + (
            0.0 if imp is None else r * imp)
        return
    if isinstance(node, nir.CubaLI):  # membrane from the previous synaptic current
        current = state["I"]
        _synapse(node, state, cont, imp, dt)
        cont, imp = current, None
    tau = _flat(node.tau_mem if isinstance(node, nir.CubaLI) else node.tau)
    leak = _flat(node.v_leak)
    x = leak + (state["v"] - leak) * np.exp(-dt / tau)
    x = x + (0.0 if cont is None else dt * r * cont / tau) + (0.0 if imp is None else r * imp / tau)
    state["v"] = x


class _Graph:
    """Nodes sorted into kinds, predecessor lists, and the order of the stateless nodes."""

    def __init__(self, graph: nir.NIRGraph):
        self.nodes = dict(graph.nodes)
        self.preds = {name: [] for name in self.nodes}
        for src, dst in graph.edges:
            self.preds[dst].append(src)
        supported = (nir.Input, *STATELESS, *SPIKING, *CONTINUOUS)
        for name, node in self.nodes.items():
            if not isinstance(node, supported):
                raise ValueError(f"node {name!r}: NIR type {type(node).__name__} is not supported "
                                 f"(supported: {', '.join(t.__name__ for t in supported)})")
        kind = {name: type(node) for name, node in self.nodes.items()}
        self.inputs = [n for n, t in kind.items() if t is nir.Input]
        self.spiking = [n for n, node in self.nodes.items() if isinstance(node, SPIKING)]
        self.continuous = [n for n, node in self.nodes.items() if isinstance(node, CONTINUOUS)]
        self.outputs = [n for n, t in kind.items() if t is nir.Output]
        self.order = self._stateless_order()

    def _stateless_order(self) -> list:
        """Stateless nodes so that each comes after its stateless predecessors."""
        pending = [n for n, node in self.nodes.items() if isinstance(node, STATELESS)]
        done, order = set(), []
        while pending:
            ready = [n for n in pending if all(
                p in done or not isinstance(self.nodes[p], STATELESS) for p in self.preds[n])]
            if not ready:
                raise ValueError(f"algebraic loop through stateless nodes {sorted(pending)}")
            order += ready
            done.update(ready)
            pending = [n for n in pending if n not in done]
        return order

    def propagate(self, sources: dict) -> dict:
        """{node: (cont, imp)} outputs of all nodes, given those of the source nodes."""
        signals = dict(sources)
        for name in self.order:
            signals[name] = _transform(self.nodes[name], *self.input_of(name, signals))
        return signals

    def input_of(self, name: str, signals: dict):
        cont = imp = None
        for p in self.preds[name]:
            c, i = signals[p]
            cont, imp = _add(cont, c), _add(imp, i)
        return cont, imp


def _external(graph: _Graph, inputs) -> dict:
    """{Input node: (steps, size)} from an array (one Input node) or a dict."""
    if not isinstance(inputs, dict):
        if len(graph.inputs) != 1:
            raise ValueError(f"the graph has {len(graph.inputs)} Input nodes: pass a dict of arrays")
        inputs = {graph.inputs[0]: inputs}
    out = {}
    for name in graph.inputs:
        x = np.asarray(inputs[name], float)
        x = x.reshape(len(x), -1)
        if x.shape[1] != _size(graph.nodes[name]):
            raise ValueError(f"input {name!r} has {x.shape[1]} columns, the node {_size(graph.nodes[name])}")
        out[name] = x
    if len({len(x) for x in out.values()}) > 1:
        raise ValueError("all inputs must have the same number of steps")
    return out


def _store(dest: dict, signals: dict, names, step: int, part: int) -> None:
    """Keep part ``part`` (0 continuous, 1 impulses) of each named signal at ``step``."""
    for name in names:
        value = signals[name][part]
        if value is not None:
            dest[name][step] = value


def run_nir(graph: nir.NIRGraph, inputs, dt_s: float, initial_state=None, record=()) -> NIRRun:
    """Run ``graph`` for ``len(inputs)`` steps of ``dt_s`` (see the module docstring).

    inputs : (steps, n_in) array, the value of the graph's one Input node during each step
    (or a dict {Input node: array}); initial_state : {node: v array or dict of arrays};
    record : names of stateful nodes whose state (v) is kept for every step.
    Returns a :class:`NIRRun`.
    """
    g = _Graph(graph)
    external = _external(g, inputs)
    n_steps = len(next(iter(external.values()))) if external else 0
    given = dict(initial_state or {})
    state = {n: _initial(g.nodes[n], given.pop(n, None)) for n in g.spiking + g.continuous}
    if given or set(record) - set(state):
        raise ValueError(f"not stateful nodes of the graph: {sorted(set(given) | set(record) - set(state))}")
    spikes = {n: np.zeros((n_steps, _size(g.nodes[n])), bool) for n in g.spiking}
    outputs = {n: np.zeros((n_steps, _size(g.nodes[n]))) for n in g.outputs}
    impulses = {n: np.zeros((n_steps, _size(g.nodes[n]))) for n in g.outputs}
    states = {n: np.zeros((n_steps, _size(g.nodes[n]))) for n in record}
    last = {n: None for n in g.spiking}  # impulses of the previous step's spikes
    for step in range(n_steps):
        for name in states:
            states[name][step] = state[name]["v"]
        sources = {n: (x[step], None) for n, x in external.items()}
        sources.update({n: (state[n]["v"], None) for n in g.continuous})
        # phase 1: spiking nodes, from the values at t_n and last step's impulses
        sources.update({n: (None, last[n]) for n in g.spiking})
        signals = g.propagate(sources)
        _store(outputs, signals, g.outputs, step, 0)
        for name in g.spiking:
            fired = _step_spiking(g.nodes[name], state[name], *g.input_of(name, signals), dt_s)
            spikes[name][step] = fired
            last[name] = fired.astype(float) if fired.any() else None
        # phases 2-3: this step's spikes through stateless nodes, then continuous nodes
        sources.update({n: (None, last[n]) for n in g.spiking})
        signals = g.propagate(sources)
        _store(impulses, signals, g.outputs, step, 1)
        updates = [(n, g.input_of(n, signals)) for n in g.continuous]
        for name, (cont, imp) in updates:
            _step_continuous(g.nodes[name], state[name], cont, imp, dt_s)
    return NIRRun(dt_s, n_steps, spikes, outputs, impulses, states, state)
