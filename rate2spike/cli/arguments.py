"""Argument types of the command line: comma-separated lists of names or numbers."""
from __future__ import annotations

import argparse


def split_list(text: str) -> list:
    """Items of a comma-separated command-line list, spaces ignored."""
    return [x for x in text.replace(" ", "").split(",") if x]


def names(valid):
    """An argparse type: a comma-separated list of names from ``valid``."""
    def parse(text: str) -> list:
        values = split_list(text)
        bad = [v for v in values if v not in valid]
        if not values or bad:
            raise argparse.ArgumentTypeError(f"{text!r}: choose from {', '.join(sorted(valid))}")
        return values
    return parse


def numbers(kind, what, allow_negative: bool = False):
    """An argparse type: a comma-separated list of ``kind`` numbers, non-negative unless
    ``allow_negative`` (``what`` names the option in messages)."""
    def parse(text: str) -> list:
        try:
            values = [kind(x) for x in split_list(text)]
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be comma-separated numbers, got {text!r}")
        if not values:
            raise argparse.ArgumentTypeError(f"{what} needs at least one number, got {text!r}")
        if not allow_negative and any(v < 0 for v in values):
            raise argparse.ArgumentTypeError(f"{what} must be non-negative numbers, got {text!r}")
        return values
    return parse


def seed(text: str) -> int:
    """An argparse type: a random seed, a whole number in [0, 2**32 - 1]."""
    from ..validation import MAX_SEED

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--seed must be a whole number, got {text!r}") from None
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"--seed = {value} is out of range; valid: 0 ... {MAX_SEED}")
    return value
