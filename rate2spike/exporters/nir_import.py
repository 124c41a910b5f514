"""Read a NIR graph of one recurrent LIF or CubaLIF population (as snnTorch's ``export_to_nir``
writes an ``RLeaky``/``RSynaptic`` net, or any exporter that keeps to the same nodes) into an
:class:`~rate2spike.lif_models.imported.ImportedLIFNetwork`, and simulate it in Brian2.

What is read. Nested graphs are flattened. The graph must have one ``Input``, one ``Output`` and
one spiking node (``LIF`` or ``CubaLIF``); every other node must be stateless and linear
(``Linear``, ``Affine``, ``Scale``). Paths through stateless nodes are composed into affine
maps: Input -> population (W_in, b), population -> population (W_rec; the loop), population ->
Output (W_out, b_out; the identity if the population feeds the Output directly). Anything
else (a second population, a convolution, a leaky integrator, an input that reaches the Output
without spiking) is refused, naming the node.

The step. NIR's nodes are continuous-time equations; Norse and snnTorch run them in discrete
time with the step written out in :mod:`rate2spike.lif_models.imported` (a recurrent edge
delays by one step). The Brian2 model (:mod:`rate2spike.brian_models.imported_lif`) runs the
same step, so on the same input it gives the same spikes as the library that wrote the graph,
up to that library's float32 rounding. snnTorch writes no step into its graphs (it assumes
0.1 ms); give ``dt_s`` when the graph's metadata has no ``dt_s``.
"""
from __future__ import annotations

from pathlib import Path

import nir
import numpy as np

from ..brian_models.imported_lif import build_imported_network
from ..errors import ArtifactError
from ..lif_models.imported import ImportedLIFNetwork
from ..simulators.src import register_brian_model, simulate_trained_brian
from .nir_export import read_graph

register_brian_model(ImportedLIFNetwork, build_imported_network)

#: the step snnTorch's exporter assumes when it writes tau = dt / (1 - beta)
DEFAULT_DT_S = 1e-4
SPIKING = (nir.LIF, nir.CubaLIF)
STATELESS = (nir.Linear, nir.Affine, nir.Scale)


def flatten(graph: nir.NIRGraph, prefix: str = "") -> tuple[dict, list]:
    """The nodes and edges of ``graph`` with every nested graph spliced in: a subgraph's Input
    and Output nodes become pass-through nodes named ``outer.inner``."""
    nodes, edges = {}, []
    for name, node in graph.nodes.items():
        full = prefix + name
        if isinstance(node, nir.NIRGraph):
            inner, inner_edges = flatten(node, full + ".")
            nodes.update(inner)
            edges += inner_edges
        else:
            nodes[full] = node
    for src, dst in graph.edges:
        edges.append((_endpoint(graph, src, prefix, nir.Output), _endpoint(graph, dst, prefix, nir.Input)))
    return nodes, edges


def _endpoint(graph: nir.NIRGraph, name: str, prefix: str, kind: type) -> str:
    """The flattened name of an edge's end: a nested graph's Output (as a source) or Input."""
    node = graph.nodes[name]
    return prefix + name + ("." + _single(node, kind) if isinstance(node, nir.NIRGraph) else "")


def _single(graph: nir.NIRGraph, kind: type) -> str:
    names = [n for n, node in graph.nodes.items() if isinstance(node, kind)]
    if len(names) != 1:
        raise ArtifactError(f"a nested graph must have one {kind.__name__} node; found {names}")
    return names[0]


def _map_of(node, width: int, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(matrix, bias) of a stateless node taking ``width`` values (Input and Output pass them
    through)."""
    if isinstance(node, (nir.Input, nir.Output)):
        return np.eye(width), np.zeros(width)
    if isinstance(node, nir.Scale):
        scale = np.broadcast_to(np.asarray(node.scale, float).ravel(), (width,))
        return np.diag(scale), np.zeros(width)
    weight = np.atleast_2d(np.asarray(node.weight, float))
    if weight.shape[1] != width:
        raise ArtifactError(f"the graph's shapes do not chain: node {name!r} takes {weight.shape[1]} "
                            f"values but receives {width}")
    bias = np.asarray(getattr(node, "bias", np.zeros(weight.shape[0])), float)
    return weight, np.broadcast_to(bias, (weight.shape[0],)).copy()


def read_nir(graph, dt_s: float | None = None) -> ImportedLIFNetwork:
    """The population that ``graph`` (a ``nir.NIRGraph`` or a path to a NIR file) describes,
    simulated at ``dt_s`` seconds per step (default: the graph's ``metadata["dt_s"]``, else
    :data:`DEFAULT_DT_S`)."""
    source = ""
    if isinstance(graph, (str, Path)):
        source = str(graph)
        graph = read_graph(graph, "give a .nir file")
    nodes, edges = flatten(graph)
    spiking = [n for n, node in nodes.items() if isinstance(node, SPIKING)]
    inputs = [n for n, node in nodes.items() if isinstance(node, nir.Input)
              and not any(dst == n for _, dst in edges)]
    outputs = [n for n, node in nodes.items() if isinstance(node, nir.Output)
               and not any(src == n for src, _ in edges)]
    other = {n: type(node).__name__ for n, node in nodes.items()
             if not isinstance(node, (*SPIKING, *STATELESS, nir.Input, nir.Output))}
    if other:
        raise ArtifactError(f"rate2spike imports one recurrent LIF/CubaLIF population with "
                            f"Linear, Affine and Scale connections; unsupported nodes: {other}")
    if len(spiking) != 1 or len(inputs) != 1 or len(outputs) != 1:
        raise ArtifactError(f"the graph must have one Input, one Output and one LIF or CubaLIF node; "
                            f"it has inputs {inputs}, outputs {outputs}, spiking nodes {spiking}")
    pop = nodes[spiking[0]]
    n = np.size(pop.tau_mem if isinstance(pop, nir.CubaLIF) else pop.tau)
    width = {inputs[0]: _input_width(nodes, edges, inputs[0]), spiking[0]: n}
    maps = _compose(nodes, edges, sources=(inputs[0], spiking[0]), width=width)
    into_pop, into_out = maps[spiking[0]], maps[outputs[0]]
    if inputs[0] in into_out[0] or spiking[0] not in into_out[0]:
        raise ArtifactError("the Output must be reached from the population's spikes only (the "
                            "input may not bypass the population)")
    if inputs[0] not in into_pop[0]:
        raise ArtifactError("the Input does not reach the population")
    dt_s = float(dt_s if dt_s is not None else (graph.metadata or {}).get("dt_s", DEFAULT_DT_S))
    W_in = into_pop[0][inputs[0]]
    W_rec = into_pop[0].get(spiking[0], np.zeros((n, n)))
    unit = {name: np.broadcast_to(np.asarray(value, float).ravel(), (n,)).copy()
            for name, value in _unit_values(pop).items()}
    return ImportedLIFNetwork(dt_s=dt_s, W_in=W_in, b=into_pop[1], W_rec=W_rec,
                              W_out=into_out[0][spiking[0]], b_out=into_out[1], source=source, **unit)


def _input_width(nodes: dict, edges: list, name: str) -> int:
    """The number of input channels: the Input's declared type, else the columns of the first
    weighted node it feeds."""
    declared = (getattr(nodes[name], "input_type", None) or {}).get("input")
    if declared is not None and np.size(declared) == 1:
        return int(np.asarray(declared).ravel()[0])
    for src, dst in edges:
        if src == name and hasattr(nodes[dst], "weight"):
            return int(np.atleast_2d(np.asarray(nodes[dst].weight)).shape[1])
    raise ArtifactError(f"the width of the input {name!r} is not declared and cannot be inferred")


def _unit_values(pop) -> dict:
    common = {"r": pop.r, "v_leak": pop.v_leak, "v_threshold": pop.v_threshold,
              "v_reset": pop.v_reset if pop.v_reset is not None else np.zeros(np.shape(pop.v_leak))}
    if isinstance(pop, nir.CubaLIF):
        return {**common, "tau_mem_s": pop.tau_mem, "tau_syn_s": pop.tau_syn, "w_in": pop.w_in}
    return {**common, "tau_mem_s": pop.tau}


def _compose(nodes: dict, edges: list, sources: tuple, width: dict) -> dict:
    """For every node, its input as an affine map of the sources' values: ({source: W}, b).
    Sources (the Input, the population) start new maps; stateless nodes compose in order."""
    incoming = {name: [src for src, dst in edges if dst == name] for name in nodes}
    done = {s: ({s: np.eye(width[s])}, np.zeros(width[s])) for s in sources}
    into = {}

    def input_of(name, visiting):
        if name in into:
            return into[name]
        weights, bias = {}, None
        for src in incoming[name]:
            if src not in done:
                if src in visiting:
                    raise ArtifactError(f"the graph has a loop that does not pass through the "
                                        f"population (at node {src!r})")
                ws, bs = input_of(src, visiting | {src})
                matrix, offset = _map_of(nodes[src], _width(ws, src), src)
                done[src] = ({k: matrix @ w for k, w in ws.items()}, matrix @ bs + offset)
            ws, bs = done[src]
            for key, w in ws.items():
                if key in weights and weights[key].shape != w.shape:
                    raise ArtifactError(f"the graph's shapes do not chain at node {name!r}")
                weights[key] = weights.get(key, 0) + w
            bias = bs if bias is None else _add(bias, bs, name)
        into[name] = (weights, bias if bias is not None else np.zeros(0))
        return into[name]

    return {name: input_of(name, {name}) for name in nodes}


def _width(weights: dict, name) -> int:
    if not weights:
        raise ArtifactError(f"node {name!r} receives nothing")
    return next(iter(weights.values())).shape[0]


def _add(a: np.ndarray, b: np.ndarray, name: str) -> np.ndarray:
    if a.shape != b.shape:
        raise ArtifactError(f"the graph's shapes do not chain at node {name!r}: {a.shape} and {b.shape}")
    return a + b


def simulate_nir(net: ImportedLIFNetwork, inputs: np.ndarray, device: str = "cpp_standalone"):
    """Spikes (batch, N, steps) and outputs (batch, K, steps) of ``net`` in Brian2 on ``inputs``
    (batch, n_inputs, steps), float64; returns (spikes, outputs, the simulation result)."""
    result = simulate_trained_brian(net, inputs, device=device, record_pulses=True)
    return result.pulses[0], result.outputs, result
