"""Event (neuromorphic) datasets: N-MNIST and the Spiking Heidelberg Digits (SHD).

Both give ``kind = "events"`` datasets whose only encoding is ``"events"``: the samples are
already spike trains, read from disk lazily per requested batch and binned into ``steps`` time
bins by :func:`bin_events`. The values are **event counts** per (channel, bin), float32, not
clipped to 0/1 (several events of one channel can fall into one bin).

Time bins: each sample's own span, from its first to its last event (integer microseconds),
is split into ``steps`` equal bins: ``bin = (t - t_first) * steps // (t_last - t_first + 1)``.
This is tonic's ``ToFrame(n_time_bins=steps)`` slicing except that every event is kept (tonic
1.7 uses ``(t_last - t_first) // steps`` as the bin width, which always drops the last event and
drops all events when the span is shorter than ``steps`` microseconds). A sample without events
gives zeros.

Channel layouts (flattened, channels-first, as tonic's frames (time, polarity, y, x)):

- N-MNIST: 2 x 34 x 34 = 2312 channels, ``channel = p * 34 * 34 + y * 34 + x`` (polarity p 0
  off / 1 on, y the row, x the column); ``image_shape = (2, 34, 34)`` = (polarity, y, x).
- SHD: 700 channels, ``channel = unit`` (cochlea unit 0..699); ``image_shape = (700,)``.

Files (in ``root``, default :func:`~rate2spike.datasets.base.default_root`):

- N-MNIST: the extracted ``Train/`` and ``Test/`` folders, ``<split>/<digit>/<id>.bin``, in
  ``root`` or ``root/NMNIST`` (tonic's layout); read with tonic (``pip install
  "rate2spike[datasets]"``).
- SHD: ``shd_train.h5`` and ``shd_test.h5`` (decompressed) in ``root`` or ``root/SHD``, with
  ``spikes/times`` (seconds), ``spikes/units`` and ``labels``; read with h5py.

Example
-------
>>> frames = bin_events(np.array([0, 10, 99]), np.array([2, 0, 2]), n_channels=3, steps=2)
>>> frames
array([[1., 0.],
       [0., 0.],
       [1., 1.]], dtype=float32)
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .base import Dataset, DatasetError, check_split, default_root

NMNIST_SIZE = 34                      # pixels per side
NMNIST_CHANNELS = 2 * NMNIST_SIZE ** 2
SHD_UNITS = 700
SHD_CLASSES = 20
INSTALL_HINT = 'pip install "rate2spike[datasets]"'


def require_tonic():
    """The ``tonic`` module (imported here, never at module import: it is an optional GPL-3
    dependency), or :class:`DatasetError` telling how to install it."""
    try:
        import tonic
        import tonic.io  # noqa: F401  (read_mnist_file)
    except ImportError as exc:
        raise DatasetError(f"reading this event dataset needs the optional package tonic; install it "
                           f"with: {INSTALL_HINT}") from exc
    return tonic


def bin_events(t, channel, n_channels: int, steps: int, out: np.ndarray | None = None) -> np.ndarray:
    """Event counts of one sample, float32 (n_channels, steps): event k (time ``t[k]`` in
    integer microseconds, channel ``channel[k]``) is counted in bin
    ``(t[k] - min t) * steps // (max t - min t + 1)``. Added into ``out`` when given.

    Example
    -------
    >>> bin_events(np.array([5, 5]), np.array([1, 1]), n_channels=2, steps=3)[1]
    array([2., 0., 0.], dtype=float32)
    """
    if out is None:
        out = np.zeros((n_channels, steps), dtype=np.float32)
    t = np.asarray(t, dtype=np.int64)
    if t.size:
        t0 = t.min()
        bins = (t - t0) * steps // (t.max() - t0 + 1)
        np.add.at(out, (np.asarray(channel, dtype=np.int64), bins), 1.0)
    return out


class NmnistFrames:
    """``frame(indices, steps)`` of N-MNIST: reads the ``.bin`` files of those samples."""

    def __init__(self, files: list, tonic):
        self.files, self.tonic = files, tonic

    def events(self, path: str) -> np.ndarray:
        """The events of one file: structured array with fields x, y, t (microseconds), p."""
        size = Path(path).stat().st_size
        if size % 5:
            raise DatasetError(f"{path} is truncated or not an N-MNIST file: {size} bytes is not a "
                               "multiple of 5 (one event = 5 bytes)")
        ev = self.tonic.io.read_mnist_file(path, dtype=self.tonic.datasets.NMNIST.dtype)
        if len(ev) and (ev["x"].max() >= NMNIST_SIZE or ev["y"].max() >= NMNIST_SIZE or ev["p"].max() > 1):
            raise DatasetError(f"{path} is corrupt: event coordinates outside the 34x34 sensor")
        return ev

    def __call__(self, indices, steps: int) -> np.ndarray:
        indices = np.asarray(indices, dtype=np.int64)
        out = np.zeros((len(indices), NMNIST_CHANNELS, steps), dtype=np.float32)
        for row, k in enumerate(indices):
            ev = self.events(self.files[k])
            channel = (ev["p"] * NMNIST_SIZE + ev["y"]) * NMNIST_SIZE + ev["x"]
            bin_events(ev["t"], channel, NMNIST_CHANNELS, steps, out=out[row])
        return out


def load_nmnist(split: str = "train", root=None) -> Dataset:
    """N-MNIST from its ``.bin`` files (60,000 train / 10,000 test in the full set), 2312 channels
    (polarity, y, x), labels from the digit folder names; files sorted by (digit, file name).
    Only the file list is read here; events are read per batch by ``frame``.

    Example
    -------
    >>> ds = load_nmnist("test")                                  # doctest: +SKIP
    >>> ds.inputs([0, 1], "events", steps=100).shape              # doctest: +SKIP
    (2, 2312, 100)
    """
    check_split(split)
    tonic = require_tonic()
    root = Path(root).expanduser() if root is not None else default_root("nmnist")
    sub = "Train" if split == "train" else "Test"
    folders = [base / sub for base in (root, root / "NMNIST") if (base / sub).is_dir()]
    if not folders:
        raise DatasetError(f"N-MNIST {split} files not found: put the extracted Train/ and Test/ "
                           f"folders of N-MNIST (Train/<digit>/<id>.bin) in {root} (or set "
                           "RATE2SPIKE_DATA, or pass root=)")
    folder = folders[0]
    digits = sorted((d for d in folder.iterdir() if d.is_dir() and d.name.isdigit() and int(d.name) < 10),
                    key=lambda d: int(d.name))
    files, labels = [], []
    for d in digits:
        names = sorted(f.name for f in d.iterdir() if f.suffix == ".bin" and f.is_file())
        files += [str(d / n) for n in names]
        labels += [int(d.name)] * len(names)
    if not files:
        raise DatasetError(f"no N-MNIST .bin files in {folder}/<digit>/: put the extracted Train/ and "
                           f"Test/ folders of N-MNIST in {root}")
    return Dataset("nmnist", split, np.array(labels, dtype=np.int64), [str(k) for k in range(10)],
                   NMNIST_CHANNELS, "events", frame=NmnistFrames(files, tonic), source=str(folder),
                   image_shape=(2, NMNIST_SIZE, NMNIST_SIZE))


class ShdFrames:
    """``frame(indices, steps)`` of SHD: reads those samples' spikes from the HDF5 file."""

    def __init__(self, path: str):
        self.path = path

    def __call__(self, indices, steps: int) -> np.ndarray:
        import h5py

        indices = np.asarray(indices, dtype=np.int64)
        out = np.zeros((len(indices), SHD_UNITS, steps), dtype=np.float32)
        with h5py.File(self.path, "r") as f:
            times, units = f["spikes/times"], f["spikes/units"]
            for row, k in enumerate(indices):
                # as tonic's SHD: seconds -> microseconds, truncated to whole microseconds
                t = (np.asarray(times[k], dtype=np.float64) * 1e6).astype(np.int64)
                u = np.asarray(units[k], dtype=np.int64)
                if len(t) != len(u) or (len(u) and (u.min() < 0 or u.max() >= SHD_UNITS)):
                    raise DatasetError(f"{self.path}: sample {k} is corrupt ({len(t)} times, {len(u)} "
                                       f"units, units must be 0..{SHD_UNITS - 1})")
                bin_events(t, u, SHD_UNITS, steps, out=out[row])
        return out


def load_shd(split: str = "train", root=None) -> Dataset:
    """The Spiking Heidelberg Digits from ``shd_<split>.h5``: 700 channels (cochlea units), 20
    classes (names from the file's ``extra/keys`` when present, else "0".."19"). Only the labels
    are read here; spikes are read per batch by ``frame``.

    Example
    -------
    >>> ds = load_shd("test")                                     # doctest: +SKIP
    >>> ds.inputs([0], "events", steps=100).shape, ds.n_classes   # doctest: +SKIP
    ((1, 700, 100), 20)
    """
    check_split(split)
    import h5py

    root = Path(root).expanduser() if root is not None else default_root("shd")
    name = f"shd_{split}.h5"
    paths = [p for p in (root / name, root / "SHD" / name) if p.is_file()]
    if not paths:
        raise DatasetError(f"SHD file {name} not found: put the decompressed shd_train.h5 and "
                           f"shd_test.h5 in {root} (or set RATE2SPIKE_DATA, or pass root=)")
    path = paths[0]
    try:
        with h5py.File(path, "r") as f:
            labels = np.asarray(f["labels"][()], dtype=np.int64)
            n_times, n_units = len(f["spikes/times"]), len(f["spikes/units"])
            keys = f["extra/keys"][()] if "extra/keys" in f else None
    except (OSError, KeyError) as exc:
        raise DatasetError(f"{path} is not an SHD file (needs spikes/times, spikes/units, labels): "
                           f"{exc}") from exc
    if labels.ndim != 1 or not n_times == n_units == len(labels):
        raise DatasetError(f"{path}: {len(labels)} labels but {n_times} spikes/times and {n_units} "
                           "spikes/units entries")
    if len(labels) and (labels.min() < 0 or labels.max() >= SHD_CLASSES):
        raise DatasetError(f"{path}: labels must be 0..{SHD_CLASSES - 1}, "
                           f"found {labels.min()}..{labels.max()}")
    classes = [str(k) for k in range(SHD_CLASSES)]
    if keys is not None and len(keys) == SHD_CLASSES:
        classes = [k.decode() if isinstance(k, bytes) else str(k) for k in keys]
    return Dataset("shd", split, labels, classes, SHD_UNITS, "events", frame=ShdFrames(str(path)),
                   source=str(path), image_shape=(SHD_UNITS,))
