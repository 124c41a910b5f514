"""The options of a directly trained SRC net, shared by ``train-src`` and ``compare``."""
from __future__ import annotations

import argparse

from ..config import SRCTrainConfig, build_config
from ..src_models.constants import ZS_GATES
from ..src_models.network import READOUTS
from .arguments import numbers


def add_src_options(p: argparse.ArgumentParser):
    """Options of a directly trained SRC net (defaults from :class:`SRCTrainConfig`)."""
    d = SRCTrainConfig()
    p.add_argument("--sizes", type=numbers(int, "--sizes"), metavar="LIST",
                   help=f"neurons per SRC layer, comma-separated ({','.join(map(str, d.sizes))})")
    p.add_argument("--no-recurrent", dest="recurrent", action="store_false", default=None,
                   help="no recurrent weights within a layer (the paper's feedforward cell)")
    p.add_argument("--readout", choices=READOUTS,
                   help="trained linear readout scored by the task's rule (linear), or the "
                        "paper's frozen class readout, last layer 20 neurons (classify)")
    p.add_argument("--step-ms", type=float, dest="step_ms",
                   help=f"milliseconds per SRC step ({d.step_s * 1e3:g}); must divide the task's "
                        f"5 ms step")
    p.add_argument("--max-updates", type=int, dest="max_updates",
                   help=f"Adam updates; the cosine lr schedule spans them ({d.max_updates})")
    p.add_argument("--lr", type=float, help=f"initial learning rate ({d.lr})")
    p.add_argument("--batch-size", type=int, dest="batch_size", help=f"trials per update ({d.batch_size})")
    p.add_argument("--stop-accuracy", type=float, dest="stop_accuracy",
                   help=f"stop once held-out accuracy reaches this ({d.stop_accuracy})")
    p.add_argument("--stop-loss", type=float, dest="stop_loss",
                   help=f"... and held-out loss (MSE per step) is below this ({d.stop_loss})")
    p.add_argument("--no-bypass", dest="bypass_relu", action="store_false", default=None,
                   help="backpropagate through the ReLU (the paper bypasses it)")
    p.add_argument("--no-detach", dest="detach", action="store_false", default=None,
                   help="keep gradients through the h, h_s and pulse recurrences")
    p.add_argument("--zs-gate", choices=ZS_GATES, dest="zs_gate",
                   help="z_s switches on the new h[t] (eq. 3c, default) or on h[t-1] "
                        "(previous_h, an earlier reading)")


def src_config(args, file_cfg: dict) -> SRCTrainConfig:
    step = None if args.step_ms is None else args.step_ms / 1000
    return build_config(SRCTrainConfig, file_cfg.get("src"), {
        "task": args.task, "seed": args.seed, "sizes": args.sizes, "recurrent": args.recurrent,
        "readout": args.readout, "step_s": step, "max_updates": args.max_updates, "lr": args.lr,
        "batch_size": args.batch_size, "stop_accuracy": args.stop_accuracy,
        "stop_loss": args.stop_loss,
        "bypass_relu": args.bypass_relu, "detach": args.detach, "zs_gate": args.zs_gate})
