"""Flags of the lambda search shared by ``convert``, ``compare`` and ``study``:
``--readout-fit``, ``--calibration-trials``, ``--search``, and the ``torch`` device's
``--torch-device`` and ``--torch-dtype``."""
from __future__ import annotations

import argparse
import sys

from ..config import fixed_by_preset
from ..converters import READOUT_FITS, SEARCHES
from ..simulators import TORCH_DEVICES, TORCH_DTYPES


def add_sweep_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--readout-fit", choices=READOUT_FITS, dest="readout_fit",
                   help="calibrate the LIF readout at every s on calibration trials: none "
                        "(default, Kim et al.'s lambda W_out), scale (a gain), affine (gain and "
                        "offset) or lstsq (W_out refitted by ridge regression on the traces); "
                        "ignored by --preset reference")
    p.add_argument("--calibration-trials", type=int, dest="calibration_trials",
                   help="trials the readout is fitted on, with their own seed (100)")
    p.add_argument("--search", choices=SEARCHES,
                   help="how s is searched: grid (default: --trials at every s, as the paper) or "
                        "adaptive (coarse grid, extension past an edge, refinement, more trials "
                        "where the 95 %% interval straddles 95 %%)")
    p.add_argument("--torch-device", choices=TORCH_DEVICES, dest="torch_device",
                   help="with --device torch: where torch simulates the LIF net, cpu (default), "
                        "cuda (a GPU) or auto; convert also trains its rate net there")
    p.add_argument("--torch-dtype", choices=tuple(TORCH_DTYPES), dest="torch_dtype",
                   help="with --device torch: float32 (default) or float64 (spike for spike "
                        "with cpp_standalone)")


def sweep_overrides(args) -> dict:
    """The convert-config overrides of these flags; a flag fixed by the preset is
    dropped with a note on stderr."""
    values = {"readout_fit": args.readout_fit, "calibration_trials": args.calibration_trials,
              "search": args.search, "torch_device": args.torch_device,
              "torch_dtype": args.torch_dtype}
    for key in fixed_by_preset(args.preset, "convert"):
        if values.get(key) is not None:
            print(f"note: --preset {args.preset} keeps {key} as in the authors' code; "
                  f"--{key.replace('_', '-')} {values[key]} is ignored", file=sys.stderr)
            values[key] = None
    return values
