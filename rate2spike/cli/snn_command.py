"""``rate2spike train-snn``: a spiking classifier (SRC stack or surrogate-gradient LIF) trained
directly on a dataset (De Geeter et al. 2023).

Examples::

    rate2spike train-snn --cell src --dataset digits --encoding rate --layers 2 --out runs/snn-src
    rate2spike train-snn --cell lif --dataset digits --encoding latency --layers 3 --epochs 20
    rate2spike train-snn --cell alif --dataset digits --layers 1 --hidden 128 --readout mean
    rate2spike train-snn --cell src --dataset mnist --layers 2 --hidden 512 --epochs 100 \\
        --data-root ~/data/mnist          # the paper's Table 1 row (needs the MNIST IDX files)
    rate2spike train-snn --cell rate --dataset digits --hidden 200 --epochs 20 --out runs/rate-digits
                                          # Kim's rate RNN, converted to LIF, lambda searched
    rate2spike snn-study --cells src,lif --encodings rate,latency --layers 1,2,3 --epochs 10 \\
        --out runs/snn-table              # a Table-1-shaped grid on digits, on Dask
"""
from __future__ import annotations

from ..classifiers.config import ALIF_READOUTS, ALIF_SURROGATES, CELLS, ClassifierConfig
from ..classifiers.kim_tasks import TASK_OUTPUTS
from ..classifiers.paper import paper_dataset_note
from ..config import build_config, load_yaml, with_preset
from ..datasets import DATASETS
from ..datasets.augment import MAX_SHIFT
from ..encoders import ENCODINGS
from ..simulators.base import DEVICES
from ..tasks import task_names
from .arguments import names, numbers
from .arguments import seed as seed_arg

#: options shared by train-snn and snn-study (ClassifierConfig fields)
SHARED = ("dataset", "hidden", "epochs", "steps", "batch_size", "lr", "alpha", "train_limit",
          "test_limit", "augment_shift", "data_root", "brian_samples", "recurrent", "adaptive",
          "readout", "surrogate", "search_samples", "scales", "lif_device")


def add_snn_command(sub) -> None:
    """The ``train-snn`` sub-parser (defaults from :class:`ClassifierConfig`)."""
    d = ClassifierConfig()
    p = sub.add_parser("train-snn", help="train a spiking classifier (SRC stack or surrogate-"
                       "gradient LIF, De Geeter et al. 2023) on a dataset; report and result.json")
    p.add_argument("--cell", choices=CELLS, help=f"src (Spiking Recurrent Cell), lif (surrogate-gradient "
                   f"LIF), alif (Yin et al.'s adaptive LIF SRNN) or rate (Kim et al.'s rate RNN, "
                   f"then converted to LIF with the lambda search) ({d.cell})")
    p.add_argument("--encoding", choices=(*ENCODINGS, "events"),
                   help=f"rate, latency or direct for images; events for nmnist/shd ({d.encoding})")
    p.add_argument("--layers", type=int, help=f"src, lif: layers in all, the last = 10 neurons per class; "
                   f"alif: recurrent hidden layers ({d.layers})")
    p.add_argument("--seed", type=seed_arg, help="random seed (0)")
    p.add_argument("--task", choices=task_names(),
                   help="train on a Kim et al. task instead of a dataset (--cell alif; the SRC: "
                        "train-src); its options: --hidden, --layers, --lr, --batch-size, "
                        "--max-updates, --step-ms, --task-output, --no-recurrent, --no-adaptive, "
                        "--surrogate")
    p.add_argument("--max-updates", type=int, dest="max_updates", help="with --task: Adam updates (600)")
    p.add_argument("--step-ms", type=float, dest="step_ms", help="with --task: ms per step (1)")
    p.add_argument("--task-output", dest="task_output", choices=TASK_OUTPUTS,
                   help="with --task: linear (one output, MSE to the target, the task's rule) or "
                        "classify (one integrator per class, cross-entropy, argmax) (linear)")
    _shared(p, "an interrupted run continues from its last epoch when started again")
    q = sub.add_parser("snn-study", help="a grid of spiking classifiers (cells x encodings x "
                       "depths x seeds) on Dask; a Table-1-shaped table and a depth figure")
    q.add_argument("--cells", type=names(CELLS), default=["src", "lif"],
                   help="cells (src,lif; also alif, and rate: a rate RNN converted to LIF)")
    q.add_argument("--encodings", type=names((*ENCODINGS, "events")), default=["rate"],
                   help="encodings (rate; rate,latency for the paper's table)")
    q.add_argument("--layers", type=numbers(int, "--layers"), default=[1, 2, 3],
                   help="depths, layers in all (1,2,3; the paper's depth study: 5,10,15)")
    q.add_argument("--seeds", type=int, default=1, help="runs per setting, seeds 0..N-1 (1)")
    q.add_argument("--workers", type=int, help="local worker processes (default: all cores)")
    q.add_argument("--scheduler", metavar="ADDRESS", help="address of a running Dask scheduler")
    _shared(q, "finished runs are kept; started again, the study runs only what is missing")


def _shared(p, out_note: str) -> None:
    d = ClassifierConfig()
    p.add_argument("--dataset", choices=DATASETS,
                   help=f"digits (scikit-learn's bundled 8x8, offline), mnist, fashion (IDX files), "
                        f"nmnist, shd (via tonic: pip install 'rate2spike[datasets]') ({d.dataset})")
    p.add_argument("--hidden", type=int, help=f"neurons per hidden layer ({d.hidden})")
    p.add_argument("--epochs", type=int, help=f"passes over the training split ({d.epochs})")
    p.add_argument("--steps", type=int, help=f"steps per sequence ({d.steps})")
    p.add_argument("--batch-size", type=int, dest="batch_size", help=f"samples per update ({d.batch_size})")
    p.add_argument("--lr", type=float, help=f"initial learning rate, cosine-annealed ({d.lr})")
    p.add_argument("--alpha", type=float, help="SRC integrator leak / LIF alpha_V init (0.9; 0.99 "
                                               "with latency coding)")
    p.add_argument("--train-limit", type=int, dest="train_limit",
                   help="use only this many training samples (0 = all)")
    p.add_argument("--test-limit", type=int, dest="test_limit", help="test samples scored (0 = all)")
    p.add_argument("--augment-shift", type=int, dest="augment_shift", metavar="PIXELS",
                   help="move each training image by random whole pixels, up to this many along "
                        "each axis, a fresh draw per sample and epoch (not in the paper; "
                        f"0 = none, up to {MAX_SHIFT}) ({d.augment_shift})")
    p.add_argument("--data-root", dest="data_root", metavar="DIR",
                   help="folder holding the dataset files ($RATE2SPIKE_DATA/NAME or "
                        "~/.cache/rate2spike/datasets/NAME)")
    p.add_argument("--brian-samples", type=int, dest="brian_samples",
                   help=f"test samples run again in Brian2 and compared with torch "
                        f"({d.brian_samples}; 0 = skip)")
    p.add_argument("--no-recurrent", dest="recurrent", action="store_false", default=None,
                   help="alif: no recurrent weights within a layer")
    p.add_argument("--no-adaptive", dest="adaptive", action="store_false", default=None,
                   help="alif: beta = 0, the plain LIF SRNN of Yin et al.")
    p.add_argument("--readout", choices=ALIF_READOUTS,
                   help="alif: decide on the readout integrators' mean, max or last value, or the "
                        f"sum over steps of their softmax (Yin et al.'s code) ({d.readout})")
    p.add_argument("--surrogate", choices=ALIF_SURROGATES, help=f"alif: surrogate gradient ({d.surrogate})")
    p.add_argument("--search-samples", type=int, dest="search_samples",
                   help=f"rate: validation samples of the lambda search ({d.search_samples})")
    p.add_argument("--scales", type=numbers(float, "--scales"),
                   help="rate: grid of s = 1/lambda, e.g. 20,30,40 (20,25,...,75)")
    p.add_argument("--lif-device", dest="lif_device", choices=DEVICES,
                   help=f"rate: Brian2 device of the converted net ({d.lif_device})")
    p.add_argument("--config", metavar="F", help="YAML file with an 'snn:' section; flags override it")
    p.add_argument("--out", metavar="DIR", help=f"output folder (runs/DATASET-COMMAND-TIMESTAMP); "
                   f"{out_note}")
    p.add_argument("--quiet", action="store_true", help="no progress bars")


def run_snn_command(args) -> int:
    if args.command == "snn-study":
        return _run_study(args)
    if args.task is not None:
        return _run_task(args)
    from ..workflows.train_snn import train_snn

    keys = ("cell", "encoding", "layers", "seed", *SHARED)
    cfg = build_config(ClassifierConfig, load_yaml(args.config).get("snn"),
                       {k: getattr(args, k) for k in keys})
    _, s, files = train_snn(cfg.cell, cfg.dataset, args.out, cfg, progress=not args.quiet)
    lo, hi = s["test_interval"]
    paper = "" if s["paper_accuracy"] is None else f" (paper: {100 * s['paper_accuracy']:.2f} %" + (
        f"; {paper_dataset_note(s['dataset'])})" if paper_dataset_note(s["dataset"]) else ")")
    print(f"{s['cell']} on {s['dataset']} ({s['encoding']}, {s['layers']} layers): test accuracy "
          f"{100 * s['test_accuracy']:.2f} % [{100 * lo:.1f}, {100 * hi:.1f}]{paper}; activity "
          f"{', '.join(f'{a:.3f}' for a in s['activity'])}; {s['time_per_epoch_s']:.1f} s per epoch")
    b = s.get("brian2")
    if b:
        print(f"Brian2 vs torch on {b['samples']} test samples: same predictions "
              f"{100 * b['same_predictions']:.0f} %, max |output difference| {b['max_output_diff']:.1e}")
    c = s.get("converted")
    if c:
        print(f"converted to LIF ({c['device']}): s = {c['best_s']:g} (lambda = {1 / c['best_s']:.3g}) "
              f"from {c['n_search']} validation samples; test accuracy {100 * c['test_accuracy']:.2f} %, "
              f"{c['firing_rate_hz']:.1f} Hz")
    print(f"report: {files['report']}")
    return 0


def _run_study(args) -> int:
    from ..workflows.snn_study import snn_study

    options = {**(load_yaml(args.config).get("snn") or {}),
               **{k: getattr(args, k) for k in SHARED if getattr(args, k) is not None}}
    results, files = snn_study(args.cells, args.encodings, args.layers, args.seeds, args.out,
                               args.scheduler, args.workers, progress=not args.quiet, **options)
    done = sum("test_accuracy" in r for r in results)
    print(f"{done} of {len(results)} runs finished; table: {files['table']}")
    return 0 if done == len(results) else 1


def _run_task(args) -> int:
    from ..classifiers.kim_tasks import ALIFTaskConfig
    from ..errors import ConfigError
    from ..workflows.train import train_alif_task

    if (args.cell or "alif") != "alif":
        raise ConfigError(f"--task trains the adaptive LIF SRNN (--cell alif); for --cell "
                          f"{args.cell} use {'train-src' if args.cell == 'src' else 'a --dataset'}")
    step = None if args.step_ms is None else args.step_ms / 1000
    cfg = build_config(ALIFTaskConfig, with_preset(load_yaml(args.config), "default",
                                                   args.task).get("alif"), {
        "task": args.task, "seed": args.seed, "hidden": args.hidden, "layers": args.layers,
        "lr": args.lr, "batch_size": args.batch_size, "max_updates": args.max_updates,
        "step_s": step, "recurrent": args.recurrent, "adaptive": args.adaptive,
        "surrogate": args.surrogate, "output": args.task_output})
    result, files = train_alif_task(cfg, args.out, progress=not args.quiet)
    last = result.history[-1]
    print(f"adaptive LIF on {cfg.task}: eval loss {last['loss']:.3g}, accuracy {last['accuracy']:.1%}, "
          f"activity {', '.join(f'{a:.3f}' for a in last['activity'])} after {result.updates} updates "
          f"({result.wall_time_s:.1f} s); converged={result.converged}")
    print(f"model: {files['model']}")
    return 0
