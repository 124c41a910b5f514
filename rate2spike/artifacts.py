"""On-disk network artifacts: ``NAME.npz`` (arrays) + ``NAME.json`` (metadata).

Both files are plain formats readable without this package (``numpy.load`` and any
JSON reader). Arrays of a rate network (``kind = "rate_rnn"``):

- ``W_rec`` (N, N): effective signed recurrent matrix, W_rec[i, j] from unit j to unit i
  (already rectified and multiplied by the Dale signs);
- ``W_in`` (N, n_in), ``W_out`` (1, N), ``b_out`` (1,): dimensionless;
- ``tau_d_s`` (N,): synaptic decay time constants, seconds;
- ``dale_sign`` (N,): +1 excitatory, -1 inhibitory.

A converted LIF network (``kind = "lif_network"``) holds the scaled arrays plus all LIF
constants in its JSON (see :mod:`rate2spike.converters`); a directly trained SRC net
(``kind = "src_network"``) is described in :mod:`rate2spike.src_models.network`, a LIF
classifier trained with surrogate gradients (``kind = "surrogate_lif_network"``) in
:mod:`rate2spike.surrogate_models.network`. Each module that defines a kind registers its
required arrays with :func:`register_kind`. Writes are atomic.
"""
from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from .errors import ArtifactError

FORMAT = "rate2spike"
FORMAT_VERSION = 1
#: artifact kind -> the arrays it must hold; each network module registers its own kind
#: (:func:`register_kind`), so this layer names no family
REQUIRED_ARRAYS: dict = {}


def register_kind(kind: str, required_arrays: tuple) -> None:
    """Declare artifact ``kind`` and the arrays every file of that kind holds (checked on save
    and load)."""
    REQUIRED_ARRAYS[kind] = tuple(required_arrays)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".r2s.tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())     # mkstemp makes 0600; give the usual mode
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_text(path, text: str) -> None:
    atomic_write_bytes(path, text.encode())


def _json_default(obj):
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"cannot serialise {type(obj).__name__}")


def save_network(path_stem: str | Path, kind: str, arrays: dict, meta: dict) -> Path:
    """Save ``arrays`` and ``meta`` as ``<stem>.npz`` and ``<stem>.json``; return the npz path."""
    missing = [k for k in REQUIRED_ARRAYS.get(kind, ()) if k not in arrays]
    if missing:
        raise ValueError(f"cannot save {kind}: missing arrays {missing}")
    stem = Path(path_stem)
    if stem.suffix in (".npz", ".json"):
        stem = stem.with_suffix("")
    buf = io.BytesIO()
    np.savez(buf, **{k: np.asarray(v) for k, v in arrays.items()})
    full_meta = {"format": FORMAT, "format_version": FORMAT_VERSION, "kind": kind, **meta}
    # the .npz last: runs that resume take an existing .npz as "saved" (and need its .json)
    atomic_write_text(Path(f"{stem}.json"),
                      json.dumps(full_meta, indent=2, default=_json_default) + "\n")
    atomic_write_bytes(Path(f"{stem}.npz"), buf.getvalue())
    return Path(f"{stem}.npz")


def load_network(path: str | Path, kind: str | None = None) -> tuple[dict, dict]:
    """Load ``(arrays, meta)`` from a ``.npz`` (or its ``.json`` or stem) path.

    Raises :class:`ArtifactError` naming the file if it is missing, truncated, or not a
    rate2spike artifact (of the expected ``kind``).
    """
    stem = Path(path)
    if stem.suffix in (".npz", ".json"):
        stem = stem.with_suffix("")
    npz, js = Path(f"{stem}.npz"), Path(f"{stem}.json")
    if stem.suffix and not npz.is_file():
        mat = " or the authors' .mat" if kind in (None, "rate_rnn") else ""
        raise ArtifactError(f"{path} is not a rate2spike model file: give the .npz written by "
                            f"rate2spike (its .json beside it){mat}")
    for f in (npz, js):
        if not f.is_file():
            raise ArtifactError(f"model file {f} does not exist (a rate2spike network is a "
                                f".npz with a .json beside it, as written by 'rate2spike train')")
    try:
        meta = json.loads(js.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ArtifactError(f"{js} is not valid JSON (truncated or foreign file?): {exc}") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ArtifactError(f"{js} is not a rate2spike artifact (no 'format: {FORMAT}' key)")
    if meta.get("format_version", 0) > FORMAT_VERSION:
        raise ArtifactError(f"{js} has format version {meta.get('format_version')}, newer than "
                            f"this rate2spike understands ({FORMAT_VERSION})")
    if kind is not None and meta.get("kind") != kind:
        raise ArtifactError(f"{js} holds a {meta.get('kind')!r} network, expected {kind!r}")
    try:
        with np.load(npz, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise ArtifactError(f"{npz} cannot be read (truncated or not an .npz): {exc}") from None
    missing = [k for k in REQUIRED_ARRAYS.get(meta.get("kind"), ()) if k not in arrays]
    if missing:
        raise ArtifactError(f"{npz} lacks the arrays {missing}")
    for name, a in arrays.items():
        check_numeric(a, f"{npz}: array {name!r}")
    return arrays, meta


def check_numeric(a: np.ndarray, what: str, values: str = "weight and time constant") -> None:
    """Refuse an array that is not numeric (strings, objects) or holds NaN or infinity: the
    one rule every network array obeys, whatever the format it came in.

    Example
    -------
    >>> check_numeric(np.array([1.0, np.nan]), "W_rec")    # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rate2spike.errors.ArtifactError: W_rec holds 1 NaN or infinite value(s); ...
    """
    a = np.asarray(a)
    if not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
        raise ArtifactError(f"{what} is not numeric (dtype {a.dtype}); every {values} must be a "
                            f"number")
    bad = int(np.size(a) - np.count_nonzero(np.isfinite(a)))
    if bad:
        raise ArtifactError(f"{what} holds {bad} NaN or infinite value(s); every {values} must be "
                            f"finite")


def check_trained_with(path: str | Path, config) -> None:
    """Refuse to reuse the trained model at ``path`` (an artifact's ``.npz`` or ``.json``) for a
    run whose training options ``config`` (a dataclass) differ from those it was trained with
    (its JSON's ``config``; options added since it was saved count with their defaults). An
    artifact without a recorded config (imported, or from a user) is not checked. Raises
    :class:`~rate2spike.errors.ArtifactError` naming the file and every option that differs.

    Example
    -------
    >>> check_trained_with("runs/cmp/src/src_model.npz", SRCTrainConfig(lr=0.02))  # doctest: +SKIP
    ArtifactError: runs/cmp/src/src_model.json was trained with other options: lr 0.01 (now 0.02); ...
    """
    from dataclasses import MISSING, asdict, fields

    meta_path = Path(path).with_suffix(".json")
    try:
        trained_with = json.loads(meta_path.read_text()).get("config")
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"{meta_path}: cannot read the model's metadata ({exc})") from None
    if not isinstance(trained_with, dict):
        return
    defaults = {f.name: f.default for f in fields(config) if f.default is not MISSING}
    before = json.loads(json.dumps({**defaults, **trained_with}, default=_json_default))
    now = json.loads(json.dumps(asdict(config), default=_json_default))
    diff = [f"{k} {before.get(k)!r} (now {now[k]!r})" for k in now if before.get(k) != now[k]]
    if diff:
        raise ArtifactError(f"{meta_path} was trained with other options: {'; '.join(diff)}. Use "
                            f"another --out, or remove that model to train it again")
