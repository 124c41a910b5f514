"""Choose and open a LIF backend by device name, with the documented fallback: when
``cpp_standalone`` has no working C++ compiler, the ``numpy`` runtime runs instead and a
warning says so (it is also listed in ``backend.warnings`` and in the reports)."""
from __future__ import annotations

import warnings

from ..brian_models.lif import LIFBatchModel
from ..errors import Rate2SpikeError
from . import brian_setup
from .base import DEVICES, Backend


def _fallback(model, seed, why: str) -> Backend:
    from .brian_runtime import RuntimeBackend

    msg = (f"device cpp_standalone unavailable ({why}); falling back to the numpy runtime, "
           f"which is much slower")
    warnings.warn(msg, RuntimeWarning, stacklevel=3)
    backend = RuntimeBackend(model, seed, "numpy")
    backend.warnings.append(msg)
    return backend


def open_backend(model: LIFBatchModel, device: str = "cpp_standalone", seed: int = 0,
                 build_dir=None, processes: int | None = None,
                 threads: int | None = None, torch_device: str = "cpu",
                 torch_dtype: str = "float32") -> Backend:
    """A ready backend for ``model`` on ``device`` (one of :data:`~.base.DEVICES`); standalone
    devices are compiled here. ``seed`` seeds the voltage noise: with counter-based noise
    (``cpp_standalone``, ``numpy``) a trial's noise is a function of (seed, trial id) alone, the
    same at every s (common random numbers) and in any batch. ``build_dir``, ``processes``,
    ``threads``: see :class:`~.brian_standalone.StandaloneBackend`; ``torch_device`` (cpu, cuda,
    auto) and ``torch_dtype`` (float32, float64): where and in what precision the ``torch``
    device runs (:class:`~.torch_backend.TorchBackend`)."""
    if device not in DEVICES:
        raise Rate2SpikeError(f"unknown device {device!r}; valid devices: {', '.join(DEVICES)}")
    if device == "reference":
        from .numpy_reference import ReferenceBackend
        return ReferenceBackend(model, seed)
    if device == "torch":
        from .torch_backend import TorchBackend
        return TorchBackend(model, seed, torch_device, torch_dtype)
    if device in ("cython", "numpy"):
        from .brian_runtime import RuntimeBackend
        return RuntimeBackend(model, seed, device)
    if device == "cuda_standalone":
        from .brian_cuda import CudaBackend
        return CudaBackend(model, seed, build_dir).build()
    from .brian_standalone import BuildError, StandaloneBackend
    if not brian_setup.compiler_available():
        return _fallback(model, seed, "no C++ compiler found")
    backend = StandaloneBackend(model, seed, build_dir, processes, threads)
    try:
        return backend.build()
    except BuildError as exc:
        backend.close()
        return _fallback(model, seed, f"compilation failed: {exc}")
