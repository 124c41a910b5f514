"""``rate2spike src-neuron``: one SRC neuron's Fig. 6 and f-I curve.

Example::

    rate2spike src-neuron --out runs/src-neuron
    rate2spike src-neuron --b-h -5 --zs-fixed 0.5 --drives 0,1,1.5,2,3 --out runs/src-neuron-b5
"""
from __future__ import annotations

from .arguments import numbers


def add_neuron_command(sub) -> None:
    """The ``src-neuron`` sub-parser."""
    from ..workflows.src_neuron import DEFAULT_DRIVES

    p = sub.add_parser("src-neuron", help="one SRC neuron: the paper's Fig. 6 (fixed vs variable "
                       "z_s) and the f-I curve (rate, pulse width, refractory gap) of both z_s "
                       "readings")
    p.add_argument("--b-h", type=float, default=-6.0, dest="b_h", help="bias b_h (-6; <= -4)")
    p.add_argument("--zs-fixed", type=float, default=0.9, dest="zs_fixed",
                   help="z_s of the fixed-z_s neuron (0.9 = z_s_hyp)")
    p.add_argument("--drives", type=numbers(float, "--drives", allow_negative=True), metavar="LIST",
                   default=list(DEFAULT_DRIVES),
                   help="constant inputs x of the f-I curve (0,0.25,...,4)")
    p.add_argument("--steps", type=int, default=1000, help="steps measured per drive (1000; at most 100000)")
    p.add_argument("--out", metavar="DIR", help="output folder (runs/src-neuron-TIMESTAMP)")


def run_neuron_command(args) -> int:
    from ..workflows.src_neuron import src_neuron

    files = src_neuron(args.out, args.b_h, args.zs_fixed, args.drives, args.steps)
    print(f"wrote {files['report']} (figures: {files['fig6']}, {files['fi_curve']})")
    return 0
