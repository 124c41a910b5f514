"""Directly trained nets as NIR graphs, where NIR can express them.

What NIR expresses. NIR's spiking neurons (``LIF``, ``CubaLIF``, ``IF``) reset the membrane to
a fixed ``v_reset`` and have a fixed threshold. So:

* the surrogate-gradient LIF classifier (``slif``) with reset to zero is written exactly
  (:func:`slif_to_nir`);
* a classifier that resets by subtracting the threshold, the LIF SRNN of Yin et al. (soft
  reset: u <- u - theta after a spike), its adaptive variant (the threshold theta = b0 +
  beta eta moves with each spike) and the Spiking Recurrent Cell (graded pulses from a
  bistable cell) are refused, each naming what NIR lacks (:data:`MISSING`).

The step. The graph is written for the consumers' discrete step (that of Norse and snnTorch,
:mod:`rate2spike.lif_models.imported`) at the model's own step ``dt_s = step_s`` (in the
metadata): per LIF layer, ``v <- v + (dt / tau)(v_leak - v + r x)`` then a spike if
``v > v_threshold`` and ``v <- v_reset``. With ``tau = dt / (1 - alpha_V)``, ``r = 1``, ``v_leak
= v_reset = 0`` and the layer's Affine scaled by ``1 / (1 - alpha_V)`` this is the classifier's
own step ``V <- alpha_V V + W s_in + b`` (:mod:`rate2spike.surrogate_models.network`). Norse runs
any step (``from_nir(graph, dt=...)``); snnTorch 1.0.0 assumes 0.1 ms, so it runs these graphs
correctly only for nets trained with ``step_s = 1e-4``.

The readout (a leaky integrator per class) is not in the graph, for the reason the portable
profile gives (snnTorch runs no ``LI`` node): the graph's output is ``W_out s_L`` each step, and
``metadata["readout"]`` says how to integrate it (:func:`integrate_readout`).
"""
from __future__ import annotations

import nir
import numpy as np

from ..errors import ArtifactError
from ..surrogate_models.network import SurrogateLIFNetwork
from ..version import __version__

#: why the other directly trained families cannot be written as NIR (family name -> reason)
MISSING = {
    "alif": "the adaptive threshold (theta = b0 + beta eta, eta a trace of the unit's own "
            "spikes) and the reset by subtraction have no NIR primitive (NIR's neurons have a "
            "fixed threshold and reset to v_reset)",
    "plif": "the soft reset (u <- u - theta after a spike) has no NIR primitive: NIR's LIF "
            "resets v to v_reset",
    "src": "the Spiking Recurrent Cell emits graded pulses from a bistable cell (h, h_s, z_s); "
           "NIR has no such neuron",
    "slif-subtract": "this classifier resets by subtracting the threshold, which NIR's LIF "
                     "(reset to v_reset) cannot express; train it with reset 'zero' to export it",
}


def slif_to_nir(net: SurrogateLIFNetwork) -> nir.NIRGraph:
    """The LIF classifier ``net`` (reset ``zero``) as a NIR graph: Input -> (Affine -> LIF) per
    layer -> Affine (W_out, no bias) -> Output, at ``dt_s = net.step_s``.

    Example
    -------
    >>> graph = slif_to_nir(SurrogateLIFNetwork.load("runs/snn/model.npz"))   # doctest: +SKIP
    >>> list(graph.nodes)                                                    # doctest: +SKIP
    ['input', 'affine0', 'lif0', 'affine1', 'lif1', 'readout_linear', 'output']
    """
    if net.reset != "zero":
        raise ArtifactError(f"cannot write this net as NIR: {MISSING['slif-subtract']}")
    dt = float(net.step_s)
    nodes, edges, prev = {"input": nir.Input(np.array([net.n_inputs]))}, [], "input"
    for l, layer in enumerate(net.layers):
        leak = 1.0 - float(layer.alpha_v)
        if leak <= 0:
            raise ArtifactError(f"cannot write this net as NIR: layer {l} has no leak (alpha_V = 1), "
                                f"and NIR's LIF needs a finite time constant")
        n = layer.size
        nodes[f"affine{l}"] = nir.Affine(np.asarray(layer.W, float) / leak, np.asarray(layer.b, float) / leak)
        nodes[f"lif{l}"] = nir.LIF(tau=np.full(n, dt / leak), r=np.ones(n), v_leak=np.zeros(n),
                                   v_threshold=np.full(n, float(layer.threshold)), v_reset=np.zeros(n))
        edges += [(prev, f"affine{l}"), (f"affine{l}", f"lif{l}")]
        prev = f"lif{l}"
    k = net.n_outputs
    nodes["readout_linear"] = nir.Affine(np.asarray(net.W_out, float), np.zeros(k))
    nodes["output"] = nir.Output(np.array([k]))
    edges += [(prev, "readout_linear"), ("readout_linear", "output")]
    metadata = {
        "source": f"rate2spike {__version__}", "family": "slif", "profile": "exact", "dt_s": dt,
        "approximations": {}, "task": str(net.meta.get("task", net.meta.get("dataset", ""))),
        "step": "per LIF node: v <- v + (dt/tau)(v_leak - v + r x); spike if v > v_threshold, "
                "then v <- v_reset; a spike is 1 for one step",
        "readout": {"alpha": float(net.readout_alpha), "gain": 1.0,
                    "b_out": np.asarray(net.b_out, float).tolist(),
                    "rule": "v <- alpha v + gain x (x: the graph's output), o = v + b_out; the "
                            "class is argmax o at the last step"},
    }
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata=metadata)


def integrate_readout(currents: np.ndarray, metadata: dict) -> np.ndarray:
    """The class outputs o (steps, trials, K) from the graph's outputs x (steps, trials, K), by
    ``metadata["readout"]``: v <- alpha v + gain x, o = v + b_out (v starts at 0)."""
    readout = metadata["readout"]
    alpha, gain = float(readout["alpha"]), float(readout["gain"])
    v, out = np.zeros(currents.shape[1:]), np.empty(currents.shape)
    for step, x in enumerate(np.asarray(currents, float)):
        v = alpha * v + gain * x
        out[step] = v
    return out + np.asarray(readout["b_out"], float)


def alif_to_nir(net) -> nir.NIRGraph:
    """Refuse an adaptive or plain LIF SRNN (Yin et al.), naming what NIR lacks."""
    raise ArtifactError(f"cannot write this net as NIR: {MISSING['plif' if net.beta == 0 else 'alif']}")


def src_to_nir(net) -> nir.NIRGraph:
    """Refuse a Spiking Recurrent Cell net, naming what NIR lacks."""
    raise ArtifactError(f"cannot write this net as NIR: {MISSING['src']}")

