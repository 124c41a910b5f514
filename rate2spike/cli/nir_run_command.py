"""``nir-run``: a recurrent LIF/CubaLIF NIR graph from another tool, simulated in Brian2.

Example::

    rate2spike nir-run snntorch_net.nir --input inputs.npy --out runs/imported
"""
from __future__ import annotations

from ..simulators.src import BRIAN_SRC_DEVICES


def add_nir_run_command(sub) -> None:
    """The ``nir-run`` sub-parser."""
    nr = sub.add_parser("nir-run", help="simulate a recurrent LIF/CubaLIF NIR graph (e.g. from "
                        "snnTorch's export_to_nir) in Brian2 on your input; writes spikes and outputs")
    nr.add_argument("graph", metavar="GRAPH", help="a .nir file: one Input, one LIF or CubaLIF "
                    "population (recurrent or not), Linear/Affine/Scale connections, one Output")
    nr.add_argument("--input", required=True, metavar="FILE", help=".npy array (steps, trials, "
                    "channels): the graph's input at each step")
    nr.add_argument("--dt", type=float, metavar="SECONDS", help="the step (default: the graph's "
                    "metadata dt_s, else 1e-4 s, the step snnTorch's exporter assumes)")
    nr.add_argument("--device", default="cpp_standalone", choices=BRIAN_SRC_DEVICES,
                    help="Brian2 device (cpp_standalone)")
    nr.add_argument("--out", required=True, metavar="DIR", help="folder for nir_run.npz and "
                    "nir_run.json")
    nr.add_argument("--force", action="store_true", help="overwrite an earlier nir-run's files")


def run_nir_run(args) -> int:
    from ..workflows.nir_run import nir_run

    run = nir_run(args.graph, args.input, args.out, args.dt, args.device, args.force)
    steps, trials, units = run.spikes.shape
    print(f"{units} units x {trials} trials x {steps} steps: {int(run.spikes.sum())} spikes, "
          f"mean rate {run.rate_hz:.1f} Hz, {run.wall_time_s:.1f} s")
    print(f"wrote {run.files['arrays']} and {run.files['summary']}")
    return 0
