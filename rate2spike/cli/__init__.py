"""Command line: ``rate2spike train``, ``convert``, ``study``, ``train-src``, ``compare``,
``simulate`` and ``export`` (the last two in :mod:`.network_commands`).

Every bad input (unknown task/device, bad config, missing or foreign model file,
non-positive scales, trials < 1, ...) prints ``rate2spike: error: ...`` and exits with
status 2 before anything is written.
"""
from __future__ import annotations

import argparse
import os
import sys

from ..config import PRESETS, ConvertConfig, TrainConfig, build_config, load_yaml, with_preset
from ..converters import TIE_RULES
from ..errors import ConfigError
from ..rate_models.transfer import TRANSFER_FUNCTIONS
from ..simulators import BRIAN_SRC_DEVICES, DEVICES
from ..tasks import task_names
from ..validation import check_scales
from ..version import __version__
from ..workflows.study.plan import SYNAPSES, TAU_MODES
from .arguments import names, numbers, split_list
from .arguments import seed as seed_arg
from .boundary import guarded
from .family_options import add_family_options, alif_config, family_sections
from .finetune_command import add_finetune_command, run_finetune
from .network_commands import add_network_commands, run_network_command
from .neuron_command import add_neuron_command, run_neuron_command
from .nir_run_command import add_nir_run_command, run_nir_run
from .snn_command import add_snn_command, run_snn_command
from .src_options import add_src_options, src_config
from .study_command import run_study_command
from .sweep_flags import add_sweep_options, sweep_overrides


def _scales(text: str) -> list:
    try:
        return check_scales([float(x) for x in split_list(text)], "--scales")
    except ValueError:
        raise argparse.ArgumentTypeError(f"--scales must be comma-separated numbers, got {text!r}")
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _common(p: argparse.ArgumentParser, seed_help="random seed (default 0)"):
    p.add_argument("--task", required=True, choices=task_names(), help="task to train/convert")
    p.add_argument("--config", metavar="F", help="YAML file with 'train:' (rate net), 'convert:' "
                   "and 'src:' (SRC net) sections; CLI flags override it")
    p.add_argument("--out", metavar="DIR", help="output folder (default: runs/TASK-CMD-TIMESTAMP)")
    p.add_argument("--seed", type=seed_arg, help=seed_help)
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.add_argument("--preset", choices=PRESETS, default="default",
                   help="config profile: default, or reference (the authors' recipe: no "
                        "gradient clipping, tau_d 20-50 ms, loss < 7, smallest tied s, fresh "
                        "trials per s, the LIF's timing details); --config and flags override it")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rate2spike", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"rate2spike {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="train a rate RNN (Kim et al. 2019) and save it with plots")
    _common(t)
    t.add_argument("--act", choices=sorted(TRANSFER_FUNCTIONS), help="transfer function (sigmoid)")
    t.add_argument("--units", type=int, help="number of units N (200)")
    t.add_argument("--stop-loss", type=float, dest="stop_loss",
                   help="stop when eval loss < this and accuracy > 0.95 (default: 1.0 for gonogo, "
                   "3.0 for mante, the reference 7 for xor)")
    t.add_argument("--max-updates", type=int, dest="max_updates", help="cap on Adam updates (3000)")
    t.add_argument("--torch-device", choices=("cpu", "cuda", "auto"), dest="torch_device",
                   help="where torch trains: cpu (default), cuda (a GPU) or auto")
    t.add_argument("--grad-clip", type=float, dest="grad_clip",
                   help="gradient-norm clipping (1; 0 = off, as the authors' code)")

    c = sub.add_parser("convert", help="convert a rate RNN to a Brian2 LIF network, search lambda, "
                       "write a report (trains a rate net first if --model is not given)")
    _common(c)
    c.add_argument("--model", metavar="F", help="rate model: .npz from 'rate2spike train' or "
                   "a .mat saved by the authors' TensorFlow code (rkim35/spikeRNN)")
    c.add_argument("--device", choices=DEVICES, help="Brian2 device (cpp_standalone)")
    c.add_argument("--trials", type=int, help="trials per scale (100)")
    c.add_argument("--scales", type=_scales, metavar="LIST",
                   help="comma-separated s = 1/lambda values (default: 20..75 step 5 for sigmoid, "
                        "4..26 step 2 for softplus/relu)")
    c.add_argument("--resume", action="store_true", help="continue the sweep in --out")
    c.add_argument("--tie-rule", choices=TIE_RULES, dest="tie_rule",
                   help="scales of equal accuracy: the middle of the plateau (middle, default) "
                        "or the smallest s (smallest, as the authors' lambda_grid_search.m)")
    add_sweep_options(c)

    sr = sub.add_parser("train-src", help="train a Spiking Recurrent Cell net (De Geeter et al. "
                        "2023) directly on a task and save it with plots")
    _common(sr)
    add_src_options(sr)

    cp = sub.add_parser("compare", help="families of nets on the same trials (default: rate net, "
                        "converted LIF net, directly trained SRC net; any subset of the registered "
                        "families): accuracy, activity, energy, run time (trains or loads each net)")
    _common(cp)
    cp.add_argument("--rate-model", metavar="F", help="rate model .npz or authors' .mat "
                    "(default: train one)")
    cp.add_argument("--scale", type=float, metavar="S", help="s = 1/lambda of the LIF net "
                    "(default: run the lambda search of 'convert')")
    cp.add_argument("--src-model", metavar="F", help="SRC model .npz from 'train-src' "
                    "(default: train one with the SRC options below)")
    cp.add_argument("--trials", type=int, default=500, help="shared evaluation trials (500)")
    cp.add_argument("--device", choices=DEVICES, help="Brian2 device of the LIF net (cpp_standalone)")
    cp.add_argument("--src-device", choices=BRIAN_SRC_DEVICES,
                    default="cpp_standalone", dest="src_device",
                    help="Brian2 device of the SRC net (cpp_standalone)")
    add_sweep_options(cp)
    add_src_options(cp)
    add_family_options(cp)

    st = sub.add_parser("study", help="train and convert many nets per setting (Dask), report how "
                        "often conversion succeeds; resumable and extendable in --out")
    _common(st, seed_help="not used: net k of every setting is trained with seed k")
    st.add_argument("--act", type=names(TRANSFER_FUNCTIONS), default=["sigmoid"], metavar="LIST",
                    help="comma-separated transfer functions (sigmoid)")
    st.add_argument("--nets", type=int, default=20, help="nets per setting (20); a larger number "
                    "later reuses the first ones")
    st.add_argument("--units", type=_ints, default=[200], metavar="LIST", help="N per net (200)")
    st.add_argument("--tau", type=names(TAU_MODES), default=["trained"], metavar="LIST",
                    help="trained tau_d (20-100 ms) and/or fixed (20 ms)")
    st.add_argument("--refractory", type=_floats, default=[2.0], metavar="LIST",
                    help="LIF refractory periods in ms (2)")
    st.add_argument("--synapse", type=names(SYNAPSES), default=["double"], metavar="LIST",
                    help="LIF synapse: double (exponential, tau_r 2 ms) and/or single (tau_r 0)")
    st.add_argument("--trials", type=int, help="trials per scale (100)")
    add_sweep_options(st)
    st.add_argument("--nets-from", metavar="DIR", dest="nets_from",
                    help="convert the rate nets another study in DIR trained (same settings and "
                         "training options) instead of training them again")
    st.add_argument("--train-together", type=int, default=1, metavar="K", dest="train_together",
                    help="train the rate nets of a setting in groups of up to K nets, each group "
                         "one batched model on one worker (faster; the same nets up to float "
                         "rounding, which in float32 grows over training; not with --nets-from, "
                         "whose nets are trained; default 1: one by one)")
    st.add_argument("--scheduler", metavar="ADDRESS", help="address of a running Dask scheduler "
                    "(default: a local cluster of --workers processes)")
    st.add_argument("--workers", type=int, help="local worker processes (default: all cores)")
    add_network_commands(sub)
    add_nir_run_command(sub)
    add_finetune_command(sub)
    add_neuron_command(sub)
    add_snn_command(sub)
    return parser


_ints = numbers(int, "--units")
_floats = numbers(float, "--refractory")


def _run(args) -> int:
    import torch

    # every core, unless OMP_NUM_THREADS says otherwise: several runs side by side should set it
    # to 1, since torch's threads spin while waiting and oversubscribed cores slow small ops ~15x
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS") or 0) or os.cpu_count() or 1)
    if args.command in ("simulate", "export", "nir-check", "lesion"):
        return run_network_command(args)
    if args.command == "nir-run":
        return run_nir_run(args)
    if args.command == "finetune":
        return run_finetune(args)
    if args.command == "src-neuron":
        return run_neuron_command(args)
    if args.command in ("train-snn", "snn-study"):
        return run_snn_command(args)
    file_cfg = with_preset(load_yaml(args.config), args.preset, args.task)
    progress = not args.quiet
    if args.command == "train":
        from ..workflows import train

        cfg = build_config(TrainConfig, file_cfg.get("train"),
                           {"task": args.task, "seed": args.seed, "act": args.act, "units": args.units,
                            "stop_loss": args.stop_loss, "max_updates": args.max_updates,
                            "torch_device": args.torch_device, "grad_clip": args.grad_clip})
        result, files = train(cfg.task, args.out, cfg, progress=progress)
        return _training_summary(f"trained {cfg.task}", result, files, cfg)
    if args.command == "study":
        return run_study_command(args, file_cfg, progress)
    if args.command == "train-src":
        from ..workflows import train_src

        cfg = src_config(args, file_cfg)
        result, files = train_src(cfg.task, args.out, cfg, progress=progress)
        return _training_summary(f"trained SRC on {cfg.task}", result, files, cfg)
    if args.command == "compare":
        return _compare(args, file_cfg, progress)
    from ..workflows import convert

    cfg = build_config(ConvertConfig, file_cfg.get("convert"),
                       {"task": args.task, "seed": args.seed, "device": args.device,
                        "trials": args.trials, "scales": args.scales, "tie_rule": args.tie_rule,
                        **sweep_overrides(args)})
    tcfg = build_config(TrainConfig, file_cfg.get("train"),
                        {"task": args.task, "torch_device": args.torch_device})
    res = convert(cfg.task, args.model, args.out, cfg, tcfg, resume=args.resume, progress=progress)
    print(f"{res.task}: LIF accuracy {res.lif_accuracy:.1%} at s = {res.best_s:g} "
          f"(lambda = {1 / res.best_s:.4g}); rate net {res.rate_accuracy:.1%}; "
          f"device {res.device}; {res.wall_time_s:.1f} s")
    for warning in res.warnings:
        print(f"WARNING: {warning}")
    print(f"report: {res.files['report']}")
    return 0


def _training_summary(what: str, result, files: dict, cfg) -> int:
    """Print a training run's last evaluation and model path; warn if it did not converge."""
    last = result.history[-1]
    activity = last.get("activity")
    extra = f", activity T(s) {', '.join(f'{a:.3f}' for a in activity)}" if activity else ""
    print(f"{what}: eval loss {last['loss']:.3g}, accuracy {last['accuracy']:.1%}{extra} after "
          f"{result.updates} updates ({result.wall_time_s:.1f} s); converged={result.converged}")
    print(f"model: {files['model']}")
    if not result.converged:
        print(f"WARNING: the stopping rule (loss < {cfg.stop_loss}, accuracy "
              f"{cfg.stop_accuracy}) was not met in {cfg.max_updates} updates", file=sys.stderr)
    return 0


def _compare(args, file_cfg: dict, progress: bool) -> int:
    from ..workflows import CompareNets, compare

    ccfg = build_config(ConvertConfig, file_cfg.get("convert"),
                        {"task": args.task, "seed": args.seed, "device": args.device,
                         **sweep_overrides(args)})
    tcfg = build_config(TrainConfig, file_cfg.get("train"), {"task": args.task, "seed": args.seed})
    scfg = src_config(args, file_cfg)
    nets = CompareNets(args.rate_model, args.scale, args.src_model, tuple(args.families),
                       args.alif_model, args.plif_model, models=dict(args.family_models))
    res = compare(args.task, args.out, nets, args.trials, ccfg.seed, args.src_device, tcfg, ccfg,
                  scfg, progress, alif_config(args, file_cfg), family_sections(file_cfg))
    for name, r in res.nets.items():
        print(f"{name:>4}: accuracy {r['accuracy']:.1%}  energy {r['energy']['energy_J'] * 1e9:.3g} nJ"
              f"/trial  ({r['label']})")
    print(f"report: {res.files['report']}")
    return 0


def main(argv=None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    return guarded(_run, args)


if __name__ == "__main__":
    sys.exit(main())
