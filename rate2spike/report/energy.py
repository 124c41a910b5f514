"""Activity measures and the AC/MAC energy estimate (Yin et al. 2020, fact sheet).

Per layer and step, with m inputs, n neurons and firing rate Fr (events per neuron per step):
a rate RNN costs ``(m n + n n) E_MAC``; a spiking recurrent LIF layer ``(m n + n n) E_AC Fr``.
Summed over a trial that is *events x fan-out x E_AC*, which is what we count, using the
nets' real fan-outs (nonzero weights), so sparse matrices are not charged for absent synapses:

- **rate RNN**: every step, every synapse is a MAC:
  ``E = T_task (nnz W_in + nnz W_rec + nnz W_out) E_MAC``.
- **LIF** (converted): every spike of unit j is an AC on each of its outgoing recurrent and
  readout synapses: ``E = sum_j spikes_j (nnz W_rec[:, j] + nnz W_out[:, j]) E_AC``.
- **SRC**: pulses are graded (ReLU(h) in (0, 1)), so each active step of neuron j is a MAC on
  its outgoing synapses (next layer or readout, and W_r): ``E = sum_j active_j fanout_j E_MAC``.

The task input is analog in all three nets; it is charged alike, as MACs of the first layer's
input weights once per task step (5 ms): ``T_task nnz(W_in) E_MAC``. Neuron state updates
are not counted (the fact sheet's LIF formula has none). E_MAC = 3.2 pJ, E_AC = 0.1 pJ
(32-bit integer, 45 nm).
"""
from __future__ import annotations

import numpy as np

E_MAC_J = 3.2e-12
E_AC_J = 0.1e-12

FORMULAS = {
    "rate": "T_task · (nnz W_in + nnz W_rec + nnz W_out) · E_MAC",
    "lif": "T_task · nnz W_in · E_MAC + Σ_j spikes_j · (nnz W_rec[:, j] + nnz W_out[:, j]) · E_AC",
    "src": "T_task · nnz W_s⁰ · E_MAC + Σ_layers Σ_j active_steps_j · fan-out_j · E_MAC",
    "alif": "T_task · nnz W_in⁰ · E_MAC + Σ_layers Σ_j spikes_j · (fan-out_j + nnz W_rec[:, j]) · E_AC"
            " + Σ_layers (2 · spikes_l · E_AC + 2 · n_l · T · E_MAC) if adaptive",
}


def fan_out(*weights: np.ndarray) -> np.ndarray:
    """Outgoing synapses per presynaptic unit: nonzero entries per column, summed over
    the (post, pre) matrices given."""
    return sum((np.asarray(W) != 0).sum(axis=0) for W in weights)


def _estimate(mac: float, ac: float) -> dict:
    return {"MAC": float(mac), "AC": float(ac), "energy_J": float(mac * E_MAC_J + ac * E_AC_J)}


def rate_energy(W_in, W_rec, W_out, task_steps: int) -> dict:
    """Energy per trial of a rate RNN run for ``task_steps`` steps (dict: MAC, AC, energy_J)."""
    n_syn = sum(int((np.asarray(W) != 0).sum()) for W in (W_in, W_rec, W_out))
    return _estimate(task_steps * n_syn, 0)


def lif_energy(W_in, W_rec, W_out, spikes_per_unit, task_steps: int) -> dict:
    """Energy per trial of a LIF net; ``spikes_per_unit`` (N,): mean spikes per trial."""
    ac = float(np.dot(spikes_per_unit, fan_out(W_rec, W_out)))
    return _estimate(task_steps * int((np.asarray(W_in) != 0).sum()), ac)


def src_energy(net, active_steps_per_layer, task_steps: int) -> dict:
    """Energy per trial of an SRC net; ``active_steps_per_layer``: per layer (n_l,) mean
    number of steps with s > 0 per trial."""
    mac = task_steps * int((net.layers[0].W_s != 0).sum())
    for l, (layer, active) in enumerate(zip(net.layers, active_steps_per_layer)):
        nxt = net.layers[l + 1].W_s if l + 1 < len(net.layers) else net.W_out
        targets = [nxt] + ([layer.W_r] if layer.W_r is not None else [])
        mac += float(np.dot(active, fan_out(*targets)))
    return _estimate(mac, 0)


def alif_energy(net, spikes_per_layer, task_steps: int, steps: int) -> dict:
    """Energy per trial of an adaptive (or plain, beta = 0) LIF SRNN on a Kim task:
    ``spikes_per_layer`` per layer (n_l,) mean spikes per trial; the analog input charged like
    the other families (MACs of the first layer's input weights per task step); ``steps`` the
    net's own steps (Yin et al.'s threshold terms: 2 ACs per spike, 2 MACs per neuron and step)."""
    mac = task_steps * int((net.layers[0].W_in != 0).sum())
    ac = 0.0
    for l, (layer, spikes) in enumerate(zip(net.layers, spikes_per_layer)):
        nxt = net.layers[l + 1].W_in if l + 1 < len(net.layers) else net.W_out
        ac += float(np.dot(spikes, fan_out(nxt, *([layer.W_rec] if layer.W_rec is not None else []))))
        if net.beta > 0:
            ac += 2 * float(np.sum(spikes))
            mac += 2 * layer.size * steps
    return _estimate(mac, ac)


CLASSIFIER_FORMULAS = {
    "input_spikes": "Σ_k input_events_k · fan-out_k(W⁰) · E_AC",
    "input_graded": "T · nnz W⁰ · E_MAC",
    "src": "Σ_layers Σ_j active_steps_j · fan-out_j · E_MAC (graded pulses)",
    "lif": "Σ_layers Σ_j spikes_j · fan-out_j · E_AC (binary spikes)",
    "alif": "Σ_layers Σ_j spikes_j · (fan-out_j + nnz W_rec[:, j]) · E_AC (binary spikes)",
    "adaptive": "Σ_layers (2 · spikes_l · E_AC + 2 · n_l · T · E_MAC) (Yin et al.'s threshold terms)",
}


def classifier_energy(cell: str, weights: list, input_events, active_steps: list, steps: int,
                      graded_input: bool, recurrent: list | None = None, adaptive: bool = False) -> dict:
    """Energy per sample of a spiking classifier (SRC, LIF, or adaptive LIF SRNN), or of a rate
    RNN classifier (``cell = "rate"``: :func:`rate_energy` with ``recurrent[0]`` its W_rec).

    weights : the (post, pre) matrices from the input to the readout, ``[W⁰, W¹, ..., W_out]``;
    input_events : (channels,) mean input per sample summed over steps (spike counts);
    active_steps : per layer (n_l,) mean steps with s > 0 per sample (SRC) or spikes (LIF);
    graded_input : direct coding (every input weight is a MAC on every step);
    recurrent : per layer the (n, n) W_rec or None (adaptive LIF SRNN: its spikes also reach W_rec);
    adaptive : add Yin et al.'s threshold adaptation per layer and step, ``2 n E_AC Fr + 2 n E_MAC``
    (summed over steps: 2 ACs per spike and 2 MACs per neuron and step).
    Returns MAC, AC, energy_J and the formula used.

    Example
    -------
    >>> W0, W1 = np.ones((2, 3)), np.ones((1, 2))
    >>> e = classifier_energy("lif", [W0, W1], np.array([1.0, 0, 2]), [np.array([4.0, 0])], 10, False)
    >>> e["AC"], e["MAC"]              # 3 input spikes x 2 synapses + 4 spikes x 1 synapse
    (10.0, 0.0)
    """
    if cell == "rate":       # dense: every synapse is a MAC on every step
        return {**rate_energy(weights[0], recurrent[0], weights[-1], steps), "formula": FORMULAS["rate"]}
    mac = ac = 0.0
    if graded_input:
        mac += steps * int((np.asarray(weights[0]) != 0).sum())
    else:
        ac += float(np.dot(input_events, fan_out(weights[0])))
    recurrent = recurrent or [None] * len(active_steps)
    events = sum(float(np.dot(a, fan_out(W) + (0 if R is None else fan_out(R))))
                 for a, W, R in zip(active_steps, weights[1:], recurrent))
    if cell == "src":
        mac += events
    else:
        ac += events
    spiking = "alif" if cell == "lif" and any(R is not None for R in recurrent) else cell
    parts = [CLASSIFIER_FORMULAS["input_graded" if graded_input else "input_spikes"],
             CLASSIFIER_FORMULAS[spiking]]   # a recurrent LIF (the converted rate net) as alif
    if adaptive:
        ac += 2 * sum(float(np.sum(a)) for a in active_steps)
        mac += 2 * steps * sum(len(a) for a in active_steps)
        parts.append(CLASSIFIER_FORMULAS["adaptive"])
    formula = " + ".join(parts)
    return {**_estimate(mac, ac), "formula": formula}
