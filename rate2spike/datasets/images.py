"""Static image datasets: scikit-learn's bundled digits, MNIST and Fashion-MNIST (IDX files).

All give ``kind = "static"`` datasets: ``values`` float32 (n, pixels) in [0, 1], row-major
flattened images (channel ``row * width + col``), labels int64.

- ``digits``: 1,797 8x8 images bundled with scikit-learn (values 0..16, divided by 16); a fixed
  stratified 80/20 split (seed 0): 1,437 train, 360 test. Never touches the network.
- ``mnist`` / ``fashion``: 28x28 images (0..255, divided by 255) from the four IDX files
  ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``,
  ``t10k-labels-idx1-ubyte`` (each optionally ``.gz``) in ``root`` (default
  :func:`~rate2spike.datasets.base.default_root`) or in ``root/MNIST/raw`` /
  ``root/FashionMNIST/raw`` (torchvision's layout).

Example
-------
>>> ds = load_digits("test")
>>> len(ds), ds.n_channels, ds.image_shape, float(ds.values.max())
(360, 64, (8, 8), 1.0)
"""
from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path

import numpy as np

from .base import Dataset, DatasetError, check_split, default_root
from .sequences import pixel_sequence

#: IDX type code -> big-endian numpy dtype
IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                   "Sneaker", "Bag", "Ankle boot"]
#: (images, labels) file names of each split
MNIST_FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
               "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}
#: torchvision's dataset class (and sub-folder name) of each IDX dataset
TORCHVISION = {"mnist": "MNIST", "fashion": "FashionMNIST"}


def load_digits(split: str = "train") -> Dataset:
    """scikit-learn's bundled 8x8 digits, values /16 in [0, 1], 64 channels; a stratified 80/20
    train/test split with ``random_state=0`` (the same every time).

    Example
    -------
    >>> ds = load_digits("train")
    >>> len(ds), ds.classes[:3], ds.values.dtype
    (1437, ['0', '1', '2'], dtype('float32'))
    """
    check_split(split)
    from sklearn.datasets import load_digits as sklearn_digits
    from sklearn.model_selection import train_test_split

    bunch = sklearn_digits()
    labels = np.asarray(bunch.target, dtype=np.int64)
    train, test = train_test_split(np.arange(len(labels)), test_size=0.2, stratify=labels,
                                   random_state=0)
    idx = np.sort(train if split == "train" else test)
    values = (np.asarray(bunch.data, dtype=np.float64)[idx] / 16.0).astype(np.float32)
    return Dataset("digits", split, labels[idx], [str(k) for k in range(10)], 64, "static",
                   values=values, source="sklearn bundled digits", image_shape=(8, 8))


def read_idx(path) -> np.ndarray:
    """The array stored in an IDX file (gzipped or not), in native byte order.

    Format: two zero bytes, a type code (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D
    float32, 0x0E float64), the number of dimensions, one big-endian uint32 size per dimension,
    then the big-endian data. A gzip file (magic ``1f 8b``) is decompressed first.

    Example
    -------
    >>> import struct, tempfile, os
    >>> f = os.path.join(tempfile.mkdtemp(), "x-idx1-ubyte")
    >>> _ = open(f, "wb").write(struct.pack(">HBBI", 0, 0x08, 1, 3) + bytes([7, 8, 9]))
    >>> read_idx(f)
    array([7, 8, 9], dtype=uint8)
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except (OSError, EOFError) as exc:
        raise DatasetError(f"cannot read the IDX file {path}: {exc}") from exc
    if len(raw) < 4 or raw[:2] != b"\x00\x00" or raw[2] not in IDX_TYPES:
        raise DatasetError(f"{path} is not an IDX file: bad magic number {raw[:4].hex() or '(empty)'} "
                           f"(expected 0000 + a type code in {sorted(IDX_TYPES)} + dimensions)")
    dtype, ndim = np.dtype(IDX_TYPES[raw[2]]), raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DatasetError(f"{path} is truncated: wrong size, {len(raw)} bytes is shorter than the "
                           f"header of {header} bytes")
    shape = tuple(int(s) for s in np.frombuffer(raw, ">u4", count=ndim, offset=4))
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) - header != expected:
        raise DatasetError(f"{path} has the wrong size: shape {shape} needs {expected} bytes of data, "
                           f"the file has {len(raw) - header} (truncated or corrupt)")
    data = np.frombuffer(raw, dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


def find_idx_files(name: str, split: str, root: Path):
    """The (images, labels) paths of ``split`` in ``root`` or ``root/<MNIST|FashionMNIST>/raw``
    (plain or ``.gz``), or None when either is missing."""
    for folder in (root, root / TORCHVISION[name] / "raw"):
        found = []
        for stem in MNIST_FILES[split]:
            hits = [folder / (stem + ext) for ext in ("", ".gz") if (folder / (stem + ext)).is_file()]
            found.append(hits[0] if hits else None)
        if all(found):
            return tuple(found)
    return None


def torchvision_download(name: str, root: Path) -> str | None:
    """Let torchvision download ``name`` into ``root/<MNIST|FashionMNIST>/raw`` if torchvision is
    installed; returns None on success, else why not."""
    if importlib.util.find_spec("torchvision") is None:
        return "torchvision is not installed"
    try:
        import torchvision.datasets as tv

        for train in (True, False):
            getattr(tv, TORCHVISION[name])(str(root), train=train, download=True)
    except Exception as exc:  # any failure (no network, bad mirror) -> our message
        return f"torchvision could not download it ({type(exc).__name__}: {exc})"
    return None


def load_mnist(name: str = "mnist", split: str = "train", root=None) -> Dataset:
    """MNIST (``name="mnist"``) or Fashion-MNIST (``"fashion"``) from its IDX files: 784
    channels (28x28 row-major), values /255 in [0, 1], labels 0..9.

    Looks in ``root`` (default ``default_root(name)``) and in torchvision's ``root/MNIST/raw`` /
    ``root/FashionMNIST/raw``; if the files are in neither and torchvision is installed, it is
    asked to download them, else :class:`DatasetError` says which four files to put where.

    Example
    -------
    >>> ds = load_mnist("mnist", "test")                        # doctest: +SKIP
    >>> len(ds), ds.n_channels, ds.image_shape                  # doctest: +SKIP
    (10000, 784, (28, 28))
    """
    if name not in TORCHVISION:
        raise DatasetError(f"load_mnist: name = {name!r} is not valid; choose one of: "
                           f"{', '.join(TORCHVISION)}")
    check_split(split)
    root = Path(root).expanduser() if root is not None else default_root(name)
    files = find_idx_files(name, split, root)
    if files is None:
        why = torchvision_download(name, root)
        files = find_idx_files(name, split, root) if why is None else None
        if files is None:
            names = ", ".join(s for pair in MNIST_FILES.values() for s in pair)
            raise DatasetError(
                f"the {name} files are not in {root} ({why or 'torchvision gave no files'}). Put the "
                f"four IDX files {names} (each may be .gz) in {root} (or set RATE2SPIKE_DATA, or "
                f"pass root=); no network is needed once they are there.")
    images, labels = (read_idx(f) for f in files)
    if images.ndim != 3 or images.shape[1:] != (28, 28) or images.dtype != np.uint8:
        raise DatasetError(f"{files[0]}: expected uint8 28x28 images (n, 28, 28), got {images.dtype} "
                           f"of shape {images.shape}")
    if labels.ndim != 1:
        raise DatasetError(f"{files[1]}: expected a 1-D array of labels, got shape {labels.shape}")
    if len(images) != len(labels):
        raise DatasetError(f"{files[0].name} has {len(images)} images but {files[1].name} has "
                           f"{len(labels)} labels (in {files[0].parent})")
    if len(labels) and (labels.min() < 0 or labels.max() > 9):
        raise DatasetError(f"{files[1]}: labels must be 0..9, found {labels.min()}..{labels.max()}")
    classes = FASHION_CLASSES if name == "fashion" else [str(k) for k in range(10)]
    values = (images.reshape(len(images), 784).astype(np.float32) / np.float32(255.0))
    return Dataset(name, split, labels.astype(np.int64), list(classes), 784, "static",
                   values=values, source=str(files[0].parent), image_shape=(28, 28))


def load_sequential_digits(split: str = "train") -> Dataset:
    """The digits read pixel by pixel (row by row, 64 pixels), as Yin et al. read S-MNIST: step
    t shows pixel ``floor(64 t / steps)`` (``steps = 64``: one pixel per step, as in the paper),
    presented through their Gaussian population code
    (:func:`~rate2spike.encoders.population_code`, 40 graded channels). Encoding ``"events"``
    (the only one: the sequence comes framed); same split as digits.

    Example
    -------
    >>> ds = load_sequential_digits("test")
    >>> ds.inputs([0], "events", steps=64).shape
    (1, 40, 64)
    """
    return pixel_sequence(load_digits(split), "sdigits")
