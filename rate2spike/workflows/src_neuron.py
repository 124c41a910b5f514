"""``src-neuron``: one Spiking Recurrent Cell neuron, measured and drawn: the paper's Fig. 6
(fixed vs variable z_s) and the f-I curve of both z_s readings.

Data path: :mod:`rate2spike.src_models.single_neuron` -> :mod:`rate2spike.report.src_neuron_report`.
"""
from __future__ import annotations

import numpy as np

from ..errors import Rate2SpikeError
from ..locking import folder_lock
from ..report.src_neuron_report import write_src_neuron
from ..src_models.constants import SRCConstants
from ..src_models.single_neuron import VARIANTS, drive_neuron, f_i_curve, fig6_stimulus
from ..validation import check_int, check_range
from .common import check_out_dir, default_out_dir

#: constant inputs x of the default f-I curve
DEFAULT_DRIVES = tuple(np.round(np.arange(0.0, 4.01, 0.25), 2))


def src_neuron(out=None, b_h: float = -6.0, zs_fixed: float = 0.9, drives=DEFAULT_DRIVES,
               steps: int = 1000, settle: int = 100, sub: float = 0.5,
               supra: float = 3.0) -> dict:
    """Draw Fig. 6 and measure the f-I curve of one SRC neuron; returns the files written.

    b_h : bias (the paper's -6 init, <= -4); zs_fixed : z_s of the "fixed z_s" neuron (the
    hyperpolarised value 0.9 by default: only the switch differs); drives : constant inputs
    x of the f-I curve; steps, settle : steps measured after ``settle`` steps of each drive;
    sub, supra : the sub- and supra-threshold inputs of Fig. 6. Writes ``fig6.png``,
    ``fi_curve.png``, ``src_neuron.json`` and ``report.md`` into ``out`` (default
    ``runs/src-neuron-TIMESTAMP``).

    Example
    -------
    >>> files = rate2spike.src_neuron(out="runs/src-neuron")          # doctest: +SKIP
    >>> files["fig6"]                                                 # doctest: +SKIP
    'runs/src-neuron/fig6.png'
    """
    check_range("b_h", b_h, -20.0, SRCConstants().b_h_max)
    check_range("zs_fixed", zs_fixed, 0.0, 1.0)
    steps, settle = check_int("steps", steps, 10, 10**5), check_int("settle", settle, 0, 10**5)
    for name, value in (("sub", sub), ("supra", supra)):
        check_range(name, value, -10.0, 10.0)
    drives = [float(d) for d in drives]
    if not drives:
        raise Rate2SpikeError("drives: give at least one constant input x, e.g. 0,1,2,3")
    for d in drives:
        check_range("every drive", d, -10.0, 10.0)
    out = check_out_dir(out if out else default_out_dir("neuron", "src"))
    if (out / "src_neuron.json").exists():
        raise Rate2SpikeError(f"{out} already holds a src-neuron run; choose another --out or "
                              f"remove it")
    x = fig6_stimulus(sub, supra)
    traces = {"fixed z_s": drive_neuron(x, b_h, zs_fixed=zs_fixed, rest_steps=settle)}
    for label, (gate, fixed) in VARIANTS.items():
        if not fixed:
            traces[label] = drive_neuron(x, b_h, SRCConstants(zs_gate=gate), rest_steps=settle)
    segments = [(20, 60, "A"), (80, 120, "B-D")]
    curves = f_i_curve(drives, b_h, steps, settle, zs_fixed)
    params = {"b_h": b_h, "zs_fixed": zs_fixed, "steps": steps, "settle": settle,
              "fig6_sub": sub, "fig6_supra": supra}
    with folder_lock(out):
        return write_src_neuron(out, params, traces, segments, drives, curves)
