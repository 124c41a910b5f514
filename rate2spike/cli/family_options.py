"""``compare``'s family options: which registered families (:mod:`rate2spike.families`), and
files to load instead of training."""
from __future__ import annotations

import argparse

from ..classifiers.kim_tasks import ALIFTaskConfig
from ..config import build_config
from ..families import FAMILIES, family_names
from .arguments import names


def _model_option(text: str) -> tuple:
    family, sep, path = text.partition("=")
    if not sep or not path:
        raise argparse.ArgumentTypeError(f"--model must be FAMILY=FILE, got {text!r}")
    if family not in FAMILIES:
        raise argparse.ArgumentTypeError(f"--model {text!r}: unknown family {family!r}; valid "
                                         f"families: {', '.join(family_names())}")
    return family, path


def add_family_options(p) -> None:
    help_lines = "; ".join(f"{f.name}: {f.description}" for f in FAMILIES.values())
    p.add_argument("--families", type=names(FAMILIES), default=["rate", "lif", "src"],
                   help=f"comma-separated families to compare, any subset (default rate,lif,src). "
                        f"{help_lines}")
    p.add_argument("--model", metavar="FAMILY=FILE", type=_model_option, action="append", default=[],
                   dest="family_models", help="load this family's net from FILE instead of training "
                   "it (repeatable), e.g. --model alif=runs/alif/alif_model.npz")
    p.add_argument("--alif-model", metavar="F", dest="alif_model",
                   help="adaptive LIF SRNN .npz from 'train-snn --cell alif --task ...'")
    p.add_argument("--plif-model", metavar="F", dest="plif_model",
                   help="plain LIF SRNN .npz from 'train-snn --cell alif --no-adaptive --task ...'")


def alif_config(args, file_cfg: dict) -> ALIFTaskConfig:
    return build_config(ALIFTaskConfig, file_cfg.get("alif"), {"task": args.task, "seed": args.seed})


def family_sections(file_cfg: dict) -> dict:
    """The config file's sections of the registered families (by section name)."""
    sections = {f.config_section for f in FAMILIES.values() if f.config_section}
    return {k: v for k, v in file_cfg.items() if k in sections}
