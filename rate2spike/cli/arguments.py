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


def numbers(kind, what):
    """An argparse type: a comma-separated list of non-negative ``kind`` numbers (``what``
    names the option in messages)."""
    def parse(text: str) -> list:
        try:
            values = [kind(x) for x in split_list(text)]
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be comma-separated numbers, got {text!r}")
        if not values or any(v < 0 for v in values):
            raise argparse.ArgumentTypeError(f"{what} must be non-negative numbers, got {text!r}")
        return values
    return parse
