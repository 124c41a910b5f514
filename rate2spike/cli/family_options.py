"""``compare``'s options for the surrogate-gradient families (adaptive LIF SRNN and its plain-LIF
variant): which families, and files to load instead of training."""
from __future__ import annotations

from ..classifiers.kim_tasks import ALIFTaskConfig
from ..config import build_config
from .arguments import names

FAMILY_NAMES = ("rate", "lif", "src", "alif", "plif")


def add_family_options(p) -> None:
    p.add_argument("--families", type=names(FAMILY_NAMES), default=["rate", "lif", "src"],
                   help="nets to compare (rate,lif,src; add alif for Yin et al.'s adaptive LIF "
                        "SRNN and plif for its plain-LIF variant, trained with the 'alif:' section "
                        "of --config unless given as files)")
    p.add_argument("--alif-model", metavar="F", dest="alif_model",
                   help="adaptive LIF SRNN .npz from 'train-snn --cell alif --task ...'")
    p.add_argument("--plif-model", metavar="F", dest="plif_model",
                   help="plain LIF SRNN .npz from 'train-snn --cell alif --no-adaptive --task ...'")


def alif_config(args, file_cfg: dict) -> ALIFTaskConfig:
    return build_config(ALIFTaskConfig, file_cfg.get("alif"), {"task": args.task, "seed": args.seed})
