"""De Geeter et al. (2023), Table 1: mean test accuracy (%) of directly trained classifiers.

Keyed by (cell, dataset, encoding, layers); N-MNIST's encoding is ``events``. Used to print the
paper's number beside every row this package measures.

Example
-------
>>> PAPER_TABLE1[("src", "mnist", "rate", 2)]
98.32
>>> paper_accuracy("src", "mnist5k", "rate", 2), paper_accuracy("src", "digits", "rate", 2)
(98.32, None)
"""
from __future__ import annotations

_COLUMNS = [("mnist", "rate"), ("mnist", "latency"), ("fashion", "rate"), ("fashion", "latency"),
            ("nmnist", "events")]
_ROWS = {
    ("src", 1): (97.27, 96.54, 86.24, 86.28, 97.42),
    ("lif", 1): (97.18, 96.98, 86.02, 84.72, 98.18),
    ("src", 2): (98.32, 98.30, 87.80, 87.06, 98.25),
    ("lif", 2): (98.06, 96.92, 79.32, 87.27, 97.34),
    ("src", 3): (98.44, 98.21, 88.35, 84.86, 98.34),
    ("lif", 3): (98.18, 94.73, 80.64, 78.09, 97.36),
    ("src", 5): (98.39, 97.52, 88.54, 82.09, 98.11),
    ("lif", 5): (98.08, 97.61, 84.22, 85.88, 98.05),
}

PAPER_TABLE1 = {(cell, ds, enc, layers): acc for (cell, layers), accs in _ROWS.items()
                for (ds, enc), acc in zip(_COLUMNS, accs)}


#: datasets that are a part of one of the paper's: name -> (the paper's dataset, how they differ)
PART_OF_PAPER_DATASET = {
    "mnist5k": ("mnist", "the paper's number is on full MNIST, 60,000 training images; "
                         "mnist5k trains on 4,000 (3,600 after the validation split)"),
}


def paper_accuracy(cell: str, dataset: str, encoding: str, layers: int) -> float | None:
    """The paper's Table 1 accuracy (%) for this setting, or None (e.g. digits: not in the paper).
    A dataset that is a part of the paper's (:data:`PART_OF_PAPER_DATASET`) gets the paper's
    number for the whole: ``paper_accuracy("src", "mnist5k", "rate", 2) == 98.32``."""
    paper_dataset = PART_OF_PAPER_DATASET.get(dataset, (dataset,))[0]
    return PAPER_TABLE1.get((cell, paper_dataset, encoding, layers))


def paper_dataset_note(dataset: str) -> str:
    """How ``dataset`` differs from the paper's dataset its number is from ("" if it does not)."""
    return PART_OF_PAPER_DATASET.get(dataset, ("", ""))[1]
