"""``finetune``: train a converted LIF net further as a spiking net (surrogate-gradient BPTT),
measured back at the model's own step before and after.

Example::

    rate2spike finetune runs/gng/lif_network.npz --scale 45 --updates 40 --out runs/gng-ft45
"""
from __future__ import annotations

from ..converters.finetune import FinetuneConfig
from ..simulators import DEVICES
from .arguments import seed as seed_arg


def add_finetune_command(sub) -> None:
    """The ``finetune`` sub-parser (defaults: :class:`~rate2spike.converters.finetune.FinetuneConfig`)."""
    ft = sub.add_parser("finetune", help="train a converted LIF net further as a spiking net "
                        "(BPTT, surrogate spike derivative; Dale's signs and tau_d kept) and measure "
                        "it before and after at the model's own step")
    ft.add_argument("network", metavar="LIF_NETWORK", help="lif_network.npz from 'convert'")
    ft.add_argument("--scale", type=float, metavar="S", help="start from the net's rate net "
                    "converted at this s instead of the net's own s (e.g. one where it fails)")
    d = FinetuneConfig()
    ft.add_argument("--updates", type=int, default=d.updates,
                    help=f"Adam updates at most ({d.updates})")
    ft.add_argument("--batch-size", type=int, default=d.batch_size, dest="batch_size",
                    help=f"trials per update ({d.batch_size})")
    ft.add_argument("--lr", type=float, default=d.lr, help="Adam step relative to each weight "
                    f"group's mean size ({d.lr:g})")
    ft.add_argument("--train-dt-ms", type=float, default=d.train_dt_s * 1e3, dest="train_dt_ms",
                    help=f"training time step in ms ({d.train_dt_s * 1e3:g}; the model's is 0.05)")
    ft.add_argument("--dampening", type=float, default=d.dampening,
                    help=f"factor on the surrogate derivative ({d.dampening:g}; a finer step "
                         "needs a smaller one, e.g. 0.03 at 0.1 ms)")
    ft.add_argument("--stop-accuracy", type=float, dest="stop_accuracy",
                    help="stop once the torch evaluation (32 trials, training step) reaches this "
                         "accuracy (default: train every update)")
    ft.add_argument("--keep-best", action="store_true", dest="keep_best",
                    help="return the weights of the best torch evaluation (the untrained net's "
                         "included) instead of the last: a net that collapses late is not lost")
    ft.add_argument("--trials", type=int, default=200, help="held-out trials measured before and "
                    "after at the model's step (200)")
    ft.add_argument("--device", choices=DEVICES, default="cpp_standalone",
                    help="simulator of those measurements (cpp_standalone)")
    ft.add_argument("--seed", type=seed_arg, default=0, help="batches, noise, trials (0)")
    ft.add_argument("--out", metavar="DIR", help="output folder (runs/TASK-finetune-TIMESTAMP)")
    ft.add_argument("--resume", action="store_true", help="continue an interrupted run in --out")
    ft.add_argument("--quiet", action="store_true", help="no progress bar")


def run_finetune(args) -> int:
    from ..workflows.finetune import finetune_net

    cfg = FinetuneConfig(updates=args.updates, batch_size=args.batch_size, lr=args.lr,
                         train_dt_s=args.train_dt_ms / 1000, seed=args.seed,
                         stop_accuracy=args.stop_accuracy, dampening=args.dampening,
                         keep_best=args.keep_best)
    res = finetune_net(args.network, args.out, cfg, args.scale, args.trials, args.device,
                       args.resume, not args.quiet)
    b, a = res.before, res.after
    print(f"s = {res.s:g}: accuracy {b['accuracy']:.1%} -> {a['accuracy']:.1%} on {res.trials} "
          f"trials ({res.device}); E {b['rate_E_hz']:.1f} -> {a['rate_E_hz']:.1f} Hz, I "
          f"{b['rate_I_hz']:.1f} -> {a['rate_I_hz']:.1f} Hz; {res.training['updates']} updates, "
          f"{res.training['wall_time_s']:.0f} s training")
    print(f"report: {res.files['report']}")
    return 0
