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

    def prepare(self, fingerprint: str, resume: bool, device: str | None = None) -> None:
        """Create or check the folder; refuse to mix or overwrite sweeps: a resume must use the
        model, trials, seed, constants, calibration and simulator ``device`` of the saved part."""
        manifest = self.dir / "manifest.json"
        if manifest.is_file():
            saved = json.loads(manifest.read_text())
            old = saved.get("fingerprint")
            if not resume:
                raise Rate2SpikeError(f"{self.dir} already holds a sweep; pass --resume to "
                                      f"continue it, or choose another --out")
            if old != fingerprint:
                raise Rate2SpikeError(f"cannot resume the sweep in {self.dir}: it was run with a "
                                      f"different model, trials, seed, LIF constants or "
                                      f"readout calibration "
                                      f"(fingerprint {old} != {fingerprint})")
            if device is not None and saved.get("device") not in (None, device):
                raise Rate2SpikeError(f"cannot resume the sweep in {self.dir} on device {device}: "
                                      f"its finished scales ran on {saved['device']}; resume with "
                                      f"--device {saved['device']} (results of two simulators are "
                                      f"never mixed in one table)")
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        atomic_write_text(manifest, json.dumps({"fingerprint": fingerprint, "device": device}) + "\n")

    def _stem(self, s: float) -> Path:
        """The file stem of scale s, keyed by the float's exact representation (``repr``), so
        scales that print alike (20 and 20.0000001) never share a file."""
        return self.dir / f"scale_{float(s)!r}"

    def _stems(self, s: float) -> list:
        """Where scale s may be stored: its exact stem, and the ``%g`` stem of sweeps written by
        earlier versions when that name stands for s exactly."""
        legacy = self.dir / f"scale_{s:g}"
        return [self._stem(s)] + ([legacy] if float(f"{s:g}") == float(s) else [])

    def save(self, result: ScaleResult, example: ScaleExample) -> None:
        stem = self._stem(result.s)
        buf = io.BytesIO()
        np.savez_compressed(buf, **example.arrays())
        atomic_write_bytes(Path(f"{stem}.npz"), buf.getvalue())
        atomic_write_text(Path(f"{stem}.json"), json.dumps(
            {**result.as_row(), "fits": result.fits}, indent=2) + "\n")

    def load(self, s: float):
        """(ScaleResult, ScaleExample) of a finished scale, or None (missing or half-written:
        it is recomputed)."""
        for stem in self._stems(s):
            if not (Path(f"{stem}.json").is_file() and Path(f"{stem}.npz").is_file()):
                continue
            try:
                row = json.loads(Path(f"{stem}.json").read_text())
                with np.load(Path(f"{stem}.npz")) as d:
                    example = ScaleExample.from_arrays({k: d[k] for k in d.files})
                result = ScaleResult.from_row(row)
            except Exception:
                continue
            if result.s == float(s):          # a file of another scale is never taken for s
                return result, example
        return None
