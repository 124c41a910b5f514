"""Commands on a converted LIF network file: ``simulate``, ``lesion``, ``export`` and
``nir-check``.

Examples::

    rate2spike simulate runs/gng/lif_network.npz --trials 50 --stim inh --units I --window 0.3,0.6
    rate2spike lesion runs/gng/lif_network.npz --kinds IE,EI --fractions 0,0.2,0.5
    rate2spike export runs/gng/lif_network.npz --format nir --out gonogo_lif.nir
    rate2spike nir-check gonogo_lif.nir --with norse,snntorch --net runs/gng/lif_network.npz
"""
from __future__ import annotations

from ..errors import ConfigError, Rate2SpikeError
from ..simulators import DEVICES, TORCH_DEVICES, TORCH_DTYPES
from ..tasks import task_names
from .arguments import seed as seed_arg

EXPORT_FORMATS = ("nir", "brian2")


def add_network_commands(sub) -> None:
    """The ``simulate``, ``lesion``, ``export`` and ``nir-check`` sub-parsers."""
    sm = sub.add_parser("simulate", help="run trials of a converted LIF net (optionally with the "
                        "reference's artificial stimulation) and write spikes, recordings, "
                        "outputs, figures and accuracy")
    sm.add_argument("network", metavar="LIF_NETWORK", help="lif_network.npz from 'convert'")
    sm.add_argument("--task", choices=task_names(), help="task (default: the net's own)")
    sm.add_argument("--trials", type=int, default=20, help="trials to simulate (20)")
    sm.add_argument("--condition", help="only trials of this condition (e.g. go, nogo)")
    sm.add_argument("--stim", choices=("exc", "inh"), help="artificial stimulation: +0.5 mV "
                    "(exc) or -0.5 mV (inh) kicks with probability 0.5 per 0.05-ms step")
    sm.add_argument("--units", metavar="LIST", help="stimulated units: indices and ranges "
                    "(0-49,60) or E / I for every excitatory / inhibitory unit")
    sm.add_argument("--window", metavar="START,STOP", help="stimulation window in seconds "
                    "(e.g. 0.3,0.6)")
    sm.add_argument("--record", metavar="LIST", default="", help="variables recorded every "
                    "0.5 ms for the first trial of each condition: v, I_syn, h, r")
    sm.add_argument("--device", choices=DEVICES, default="cpp_standalone",
                    help="simulator (cpp_standalone)")
    sm.add_argument("--torch-device", choices=TORCH_DEVICES, default="cpu", dest="torch_device",
                    help="with --device torch: cpu (default), cuda or auto")
    sm.add_argument("--torch-dtype", choices=tuple(TORCH_DTYPES), default="float32",
                    dest="torch_dtype", help="with --device torch: float32 (default) or float64")
    sm.add_argument("--seed", type=seed_arg, default=0, help="trials, noise, initial voltages (0)")
    sm.add_argument("--out", metavar="DIR", help="output folder (runs/TASK-simulate-TIMESTAMP)")
    sm.add_argument("--quiet", action="store_true", help="no progress bar")
    sm.add_argument("--force", action="store_true", help="overwrite the files of an earlier "
                    "simulate (or a convert's report.md) in --out")
    sm.add_argument("--lesion", metavar="FRACTION", help="first remove this fraction (0 ... 1) "
                    "of the recurrent connections of --lesion-type, chosen with --seed "
                    "(KIND:FRACTION[:FACTOR] also works, e.g. IE:0.5)")
    sm.add_argument("--lesion-type", dest="lesion_type", default="all", metavar="KIND",
                    help="all, EE, EI, IE or II, presynaptic type first (all)")
    sm.add_argument("--lesion-factor", dest="lesion_factor", type=float, default=0.0,
                    help="multiply the lesioned connections by this instead of removing them (0)")

    ex = sub.add_parser("export", help="write a converted LIF net as a NIR graph or a "
                        "self-contained Brian2 script, or a directly trained net as a NIR graph")
    ex.add_argument("network", metavar="MODEL", help="lif_network.npz from 'convert', or a directly "
                    "trained model (the LIF classifier exports; the SRC, adaptive and plain LIF "
                    "SRNN are refused, naming what NIR lacks)")
    ex.add_argument("--format", required=True, dest="fmt", metavar="FORMAT",
                    help=f"one of {', '.join(EXPORT_FORMATS)}")
    ex.add_argument("--out", required=True, metavar="F", help="file to write (nir: F.nir; "
                    "brian2: F.py and F.npz); never overwritten")
    ex.add_argument("--condition", help="brian2: condition of the trial the script carries")
    ex.add_argument("--seed", type=seed_arg, default=0, help="brian2: trial and initial voltages (0)")
    ex.add_argument("--nir-profile", dest="nir_profile", default="portable", metavar="PROFILE",
                    help="nir: portable (default: CubaLIF nodes that Norse and snnTorch load; what "
                         "it approximates is listed) or full (continuous time, the "
                         "double-exponential synapse and readout as LI nodes)")

    ls = sub.add_parser("lesion", help="accuracy of a converted net as a fraction of its "
                        "recurrent connections (all, or E->E, E->I, I->E, I->I) is removed")
    ls.add_argument("network", metavar="LIF_NETWORK", help="lif_network.npz from 'convert'")
    ls.add_argument("--kinds", default="all,EE,EI,IE,II", metavar="LIST",
                    help="kinds of connection, presynaptic type first (all,EE,EI,IE,II)")
    ls.add_argument("--fractions", default="0,0.1,0.2,0.3,0.5,0.8", metavar="LIST",
                    help="fractions removed, each in 0 ... 1 (0,0.1,0.2,0.3,0.5,0.8)")
    ls.add_argument("--factor", type=float, default=0.0, help="multiply the chosen connections "
                    "by this instead of removing them (0)")
    ls.add_argument("--trials", type=int, default=100, help="held-out trials per point (100)")
    ls.add_argument("--seed", type=seed_arg, default=0, help="trials, noise, which connections (0)")
    ls.add_argument("--device", choices=DEVICES, default="cpp_standalone",
                    help="simulator (cpp_standalone)")
    ls.add_argument("--out", metavar="DIR", help="output folder (runs/TASK-lesion-TIMESTAMP); "
                    "rerun the same command to continue an interrupted study")
    ls.add_argument("--quiet", action="store_true", help="no progress bar")

    nc = sub.add_parser("nir-check", help="run a portable NIR graph in Norse, snnTorch and "
                        "rate2spike on the same held-out trials and compare their accuracies")
    nc.add_argument("graph", metavar="GRAPH", help="a .nir file from 'export --format nir'")
    nc.add_argument("--with", dest="clients", default="rate2spike,norse,snntorch", metavar="LIST",
                    help="simulators, comma-separated: rate2spike, norse, snntorch (all three)")
    nc.add_argument("--trials", type=int, default=100, help="held-out trials (100)")
    nc.add_argument("--seed", type=seed_arg, default=0, help="which held-out trials (0)")
    nc.add_argument("--net", metavar="LIF_NETWORK", help="also the original lif_network.npz in "
                    "Brian2 (noise, refractory period and all) on the same trials")
    nc.add_argument("--quiet", action="store_true", help="no progress bar")


def _stimulation(args, dale_sign):
    from ..lif_models.stimulation import Stimulation, parse_units

    given = [f"--{k}" for k in ("units", "window") if getattr(args, k)]
    if args.stim is None:
        if given:
            raise ConfigError(f"{' and '.join(given)} need{'s' if len(given) == 1 else ''} "
                              f"--stim exc or --stim inh")
        return None
    if len(given) != 2:
        raise ConfigError("--stim needs --units (e.g. 0-49 or I) and --window START,STOP in "
                          "seconds")
    try:
        window = tuple(float(x) for x in args.window.split(","))
    except ValueError:
        window = ()
    if len(window) != 2:
        raise ConfigError(f"--window {args.window!r}: expected START,STOP in seconds, e.g. 0.3,0.6")
    return Stimulation(args.stim, parse_units(args.units, dale_sign), window)


def run_simulate(args, progress: bool) -> int:
    from ..lif_models import LIFNetwork
    from ..workflows.simulate import simulate

    dale_sign = LIFNetwork.load(args.network).rate.dale_sign
    record = tuple(x for x in args.record.replace(" ", "").split(",") if x)
    from ..lif_models import Lesion
    from ..seeds import stream_seed

    lesion = Lesion.parse(args.lesion, stream_seed("lesion_connections", args.seed),
                          args.lesion_type, args.lesion_factor) if args.lesion else None
    res = simulate(args.network, args.task, args.out, args.trials, args.condition,
                   _stimulation(args, dale_sign), record, args.seed, args.device,
                   progress, force=args.force, lesion=lesion,
                   torch_options=(args.torch_device, args.torch_dtype))
    conds = ", ".join(f"{c} {a:.0%}" for c, a in res.per_condition.items())
    print(f"{res.task}: accuracy {res.accuracy:.1%} ({conds}) on {res.trials} trials at "
          f"s = {res.s:g}; E {res.rate_E_hz:.1f} Hz, I {res.rate_I_hz:.1f} Hz; "
          f"{res.wall_time_s:.1f} s")
    print(f"report: {res.files['report']}")
    return 0


def run_export(args) -> int:
    from ..workflows.export import export

    if args.fmt not in EXPORT_FORMATS:
        raise Rate2SpikeError(f"unknown export format {args.fmt!r}; valid: "
                              f"{', '.join(EXPORT_FORMATS)}")
    for path in export(args.network, args.fmt, args.out, args.condition, args.seed,
                       args.nir_profile):
        print(f"wrote {path}")
    if args.fmt == "nir" and args.nir_profile == "portable":
        import nir

        meta = nir.read(str(path)).metadata
        if "family" in meta:                             # a directly trained net
            print(f"NIR graph of the {meta['family']} net: exact, {meta['dt_s']:g} s per step; the "
                  f"readout to apply is in its metadata (Norse: from_nir(graph, dt={meta['dt_s']:g}); "
                  f"snnTorch 1.0.0 runs graphs at 0.1 ms per step only)")
            return 0
        dropped = "; ".join(meta["approximations"].values())
        print(f"NIR profile: portable, {meta['profile']}" + (f" ({dropped})" if dropped else "")
              + f"; check it: rate2spike nir-check {path} --net {args.network}")
    return 0


def run_lesion(args) -> int:
    from ..workflows.lesion_study import lesion_study

    try:
        fractions = [float(f) for f in args.fractions.split(",") if f.strip()]
    except ValueError:
        raise ConfigError(f"--fractions {args.fractions!r}: expected numbers in 0 ... 1, e.g. "
                          f"0,0.2,0.5") from None
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    res = lesion_study(args.network, kinds, fractions, args.trials, args.factor, args.seed,
                       args.out, args.device, not args.quiet)
    for p in res.points:
        print(f"{p['kind']:>4} {p['fraction']:4.2f}: accuracy {p['accuracy']:6.1%} "
              f"[{p['interval'][0]:.1%}, {p['interval'][1]:.1%}], {p['connections_hit']} "
              f"connections hit, E {p['rate_E_hz']:.1f} Hz, I {p['rate_I_hz']:.1f} Hz")
    print(f"report: {res.files['report']}")
    return 0


def run_nir_check(args) -> int:
    from ..workflows.nir_check import nir_check

    clients = [c.strip() for c in args.clients.split(",") if c.strip()]
    scores = nir_check(args.graph, clients, args.trials, args.seed, args.net, not args.quiet)
    print(f"{args.trials} held-out trials (seed {args.seed}) of {args.graph}")
    print(f"{'simulator':<11} {'accuracy':>8}  {'95% interval':<15} {'spikes/trial':>12} {'seconds':>8}")
    for s in scores:
        lo, hi = s.interval
        print(f"{s.client:<11} {s.accuracy:>8.1%}  [{lo:5.1%}, {hi:5.1%}]  {s.spikes_per_trial:>12.0f} "
              f"{s.seconds:>8.1f}")
    return 0


def run_network_command(args) -> int:
    """Run ``simulate``, ``export`` or ``nir-check`` (parsed by :func:`add_network_commands`)."""
    if args.command == "simulate":
        return run_simulate(args, not args.quiet)
    if args.command == "nir-check":
        return run_nir_check(args)
    if args.command == "lesion":
        return run_lesion(args)
    return run_export(args)


__all__ = ["add_network_commands", "run_network_command"]
