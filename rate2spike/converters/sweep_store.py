"""Persistence of a sweep: one JSON (the :class:`~rate2spike.results.ScaleResult` row) and one
NPZ (the :class:`~rate2spike.results.ScaleExample`) per finished scale, written atomically
(the JSON last: it marks the scale done), under a manifest holding a fingerprint of everything
a resumed sweep must share with the original."""
from __future__ import annotations

import hashlib
import io
import json
from dataclasses import asdict
from pathlib import Path

import numpy as np

from ..artifacts import atomic_write_bytes, atomic_write_text
from ..errors import Rate2SpikeError
from ..lif_models import LIFNetwork
from ..results import ScaleExample, ScaleResult
from ..tasks import TrialBatch


def sweep_fingerprint(network: LIFNetwork, batch: TrialBatch, seed: int,
                      calibration: dict | None = None) -> str:
    """Hash of the rate arrays, the trials, the LIF constants, the seed and, when the readout
    is calibrated, the calibration (fit, trials, seed) (not the scales)."""
    h = hashlib.sha256()
    for arr in (*network.rate.arrays().values(), batch.inputs, batch.labels):
        h.update(np.ascontiguousarray(arr).tobytes())
    h.update(json.dumps([asdict(network.constants), int(seed)], sort_keys=True).encode())
    if calibration:
        h.update(json.dumps(calibration, sort_keys=True).encode())
    return h.hexdigest()[:16]


class SweepStore:
    """The folder of one sweep (``<out>/sweep``)."""

    def __init__(self, work_dir):
        self.dir = Path(work_dir)

    def prepare(self, fingerprint: str, resume: bool) -> None:
        """Create or check the folder; refuse to mix or overwrite sweeps."""
        manifest = self.dir / "manifest.json"
        if manifest.is_file():
            old = json.loads(manifest.read_text()).get("fingerprint")
            if not resume:
                raise Rate2SpikeError(f"{self.dir} already holds a sweep; pass --resume to "
                                      f"continue it, or choose another --out")
            if old != fingerprint:
                raise Rate2SpikeError(f"cannot resume the sweep in {self.dir}: it was run with a "
                                      f"different model, trials, seed, LIF constants or "
                                      f"readout calibration "
                                      f"(fingerprint {old} != {fingerprint})")
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        atomic_write_text(manifest, json.dumps({"fingerprint": fingerprint}) + "\n")

    def _stem(self, s: float) -> Path:
        return self.dir / f"scale_{s:g}"

    def save(self, result: ScaleResult, example: ScaleExample) -> None:
        stem = self._stem(result.s)
        buf = io.BytesIO()
        np.savez_compressed(buf, **example.arrays())
        atomic_write_bytes(stem.with_suffix(".npz"), buf.getvalue())
        atomic_write_text(stem.with_suffix(".json"), json.dumps(
            {**result.as_row(), "fits": result.fits}, indent=2) + "\n")

    def load(self, s: float):
        """(ScaleResult, ScaleExample) of a finished scale, or None (missing or half-written:
        it is recomputed)."""
        stem = self._stem(s)
        if not (stem.with_suffix(".json").is_file() and stem.with_suffix(".npz").is_file()):
            return None
        try:
            row = json.loads(stem.with_suffix(".json").read_text())
            with np.load(stem.with_suffix(".npz")) as d:
                example = ScaleExample.from_arrays({k: d[k] for k in d.files})
            return ScaleResult.from_row(row), example
        except Exception:
            return None
