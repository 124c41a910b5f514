"""The in-memory form of a classification dataset, its error type, and where its files live.

A :class:`Dataset` holds the labels of every sample and either

- ``kind = "static"``: the values themselves, ``values`` of shape (n, channels), float32 in
  [0, 1] (pixels), encoded into spikes on demand with one of :data:`~rate2spike.encoders.ENCODINGS`;
- ``kind = "events"``: a ``frame(indices, steps)`` callable that reads the requested samples
  (lazily; a whole event dataset does not fit in memory as frames) and returns them already as a
  sequence of event counts, float32 (batch, channels, steps). Its only encoding is ``"events"``.

Either way :meth:`Dataset.inputs` gives float32 (batch, channels, steps).

The files of the downloadable datasets are looked up in :func:`default_root` (``root=`` overrides).

Example
-------
>>> ds = Dataset("toy", "train", np.array([0, 1]), ["a", "b"], 3, "static",
...              values=np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.5]], dtype=np.float32))
>>> ds.inputs([1], "direct", steps=2).shape
(1, 3, 2)
>>> len(ds.subset([1])), ds.subset([1]).labels
(1, array([1]))
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import numpy as np

from ..encoders import ENCODINGS, RATE_GAIN, encode
from ..errors import Rate2SpikeError
from ..validation import check_int

#: the splits every dataset has
SPLITS = ("train", "test")
#: environment variable naming the folder that holds one sub-folder per dataset
DATA_ENV = "RATE2SPIKE_DATA"
KINDS = ("static", "events")


class DatasetError(Rate2SpikeError):
    """A dataset is unknown, its files are missing or corrupt, or it was asked for something it
    cannot give (a split, an encoding)."""


def default_root(name: str) -> Path:
    """The documented cache folder where the files of dataset ``name`` are looked up (and where
    users put them): ``$RATE2SPIKE_DATA/<name>`` if that environment variable is set, else
    ``~/.cache/rate2spike/datasets/<name>``. Nothing is created.

    Example
    -------
    >>> default_root("mnist").name         # e.g. /home/me/.cache/rate2spike/datasets/mnist
    'mnist'
    """
    base = os.environ.get(DATA_ENV)
    folder = Path(base).expanduser() if base else Path.home() / ".cache" / "rate2spike" / "datasets"
    return folder / name


def check_split(split) -> str:
    """``split`` must be ``"train"`` or ``"test"`` (there is no validation split)."""
    if split not in SPLITS:
        raise DatasetError(f"split = {split!r} is not valid; choose one of: {', '.join(SPLITS)}")
    return split


class _SubsetFrames:
    """``frame`` of a subset: sample i of the subset is sample ``index[i]`` of the parent."""

    def __init__(self, frame: Callable, index: np.ndarray):
        self.frame, self.index = frame, index

    def __call__(self, indices, steps: int) -> np.ndarray:
        return self.frame(self.index[np.asarray(indices, dtype=np.int64)], steps)


@dataclass
class Dataset:
    """One split of a classification dataset.

    Attributes
    ----------
    name, split : dataset name (one of ``DATASETS``) and ``"train"`` or ``"test"``.
    labels : (n,) int64 class indices into ``classes``.
    classes : class names, ``len(classes)`` classes.
    n_channels : input channels (pixels, or polarity x pixel, or cochlea units).
    kind : ``"static"`` (``values`` given, encoded on demand) or ``"events"`` (``frame`` given).
    values : (n, n_channels) float32 in [0, 1]; static only.
    frame : ``frame(indices, steps)`` -> float32 (batch, n_channels, steps) event counts per time
        bin; events only.
    source : where the samples were read from (a path, or a description).
    image_shape : the shape one sample's channels unflatten to, e.g. (28, 28) or (2, 34, 34).
    graded : events only: ``frame`` gives graded values (a population code), not event counts;
        for the energy model, every input synapse is then a MAC on every step.
    """

    name: str
    split: str
    labels: np.ndarray
    classes: list
    n_channels: int
    kind: str
    values: np.ndarray | None = None
    frame: Callable[[np.ndarray, int], np.ndarray] | None = None
    source: str = ""
    image_shape: tuple = ()
    graded: bool = False

    def __post_init__(self):
        self.labels = np.asarray(self.labels, dtype=np.int64)
        if self.kind not in KINDS:
            raise DatasetError(f"kind = {self.kind!r} is not valid; choose one of: {', '.join(KINDS)}")
        if self.kind == "static":
            if self.values is None or np.shape(self.values) != (len(self.labels), self.n_channels):
                raise DatasetError(f"{self.name}: a static dataset needs values of shape "
                                   f"({len(self.labels)}, {self.n_channels}), got "
                                   f"{None if self.values is None else np.shape(self.values)}")
        elif self.frame is None:
            raise DatasetError(f"{self.name}: an event dataset needs a frame(indices, steps) function")

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    def valid_encodings(self) -> tuple:
        """``ENCODINGS`` (rate, latency, direct) for static data, ``("events",)`` for events."""
        return ENCODINGS if self.kind == "static" else ("events",)

    def _index(self, indices) -> np.ndarray:
        idx = np.atleast_1d(np.asarray(indices))
        if idx.ndim != 1 or (idx.size and not np.issubdtype(idx.dtype, np.integer)):
            raise DatasetError(f"{self.name}: sample indices must be a 1-D list of whole numbers, "
                               f"got {indices!r}")
        idx = idx.astype(np.int64)
        if idx.size and (idx.min() < 0 or idx.max() >= len(self)):
            raise DatasetError(f"{self.name} ({self.split}): sample index out of range; "
                               f"valid: [0, {len(self) - 1}]")
        return idx

    def inputs(self, indices, encoding: str, steps: int, rng=None, gain: float = RATE_GAIN) -> np.ndarray:
        """The samples ``indices`` as input sequences, float32 (batch, n_channels, steps).

        Static data is encoded with ``encoding`` (``rng`` and ``gain`` are used by ``"rate"``
        only); event data only accepts ``encoding="events"`` and is framed into ``steps`` bins.
        """
        valid = self.valid_encodings()
        if encoding not in valid:
            raise DatasetError(f"encoding = {encoding!r} is not valid for the {self.kind} dataset "
                               f"{self.name!r}; choose one of: {', '.join(valid)}")
        idx = self._index(indices)
        if self.kind == "static":
            return encode(self.values[idx], encoding, steps, rng=rng, gain=gain)
        steps = check_int("steps", steps, 1, 10**6)
        return np.asarray(self.frame(idx, steps), dtype=np.float32)

    def subset(self, indices) -> Dataset:
        """A dataset of the samples ``indices`` only (in that order); event data is not read."""
        idx = self._index(indices)
        if self.kind == "static":
            return replace(self, labels=self.labels[idx], values=self.values[idx])
        return replace(self, labels=self.labels[idx], frame=_SubsetFrames(self.frame, idx))
