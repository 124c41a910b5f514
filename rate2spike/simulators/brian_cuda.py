"""Brian2 ``cuda_standalone`` backend (brian2cuda, optional extra ``[cuda]``; needs a GPU to
run). The same compile-once/re-run scheme as ``cpp_standalone``, one run at a time, with
Brian2's own ``xi`` noise (cuRAND) instead of the counter-based draws, seeded once per run."""
from __future__ import annotations

from ..brian_models.lif import LIFBatchModel
from .brian_standalone import StandaloneBackend


class CudaBackend(StandaloneBackend):
    device = "cuda_standalone"

    def __init__(self, model: LIFBatchModel, seed: int = 0, build_dir=None, **_):
        super().__init__(model, seed, build_dir, processes=1, threads=1)
        model.noise_source = "brian"

    def _openmp_threads(self) -> int:
        return 0
