"""The default Go/NoGo lambda sweep on brian2cuda's ``cuda_standalone`` device.

With a GPU:   .venv-cuda/bin/python benchmarks/cuda_sweep.py            (prints wall times)
Without one:  .venv-cuda/bin/python benchmarks/cuda_sweep.py --build-only
    generates and compiles the CUDA project with GPU detection off (compute capability
    from --compute-capability, default 9.0 = H100) and cuRAND headers from the
    ``nvidia-curand`` wheel: a build check, nothing is run.

Set up (Python 3.11; brian2cuda 1.0a7 pins brian2 2.8.0, so it gets its own venv):
    python3.11 -m venv .venv-cuda && .venv-cuda/bin/pip install torch==2.13.0 \
        && .venv-cuda/bin/pip install -e ".[cuda]" nvidia-curand
"""
from __future__ import annotations

import argparse
import glob
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

DEFAULT_MODEL = Path(__file__).resolve().parents[1] / "tests" / "data" / "gonogo_n200.npz"


def configure_brian2cuda(build_only: bool, compute_capability: float):
    """Preferences that let brian2cuda build on a machine without a GPU (and with one)."""
    import brian2
    import brian2cuda  # noqa: F401  (registers cuda_standalone and its preferences)

    prefs = brian2.prefs
    backend = prefs.devices.cuda_standalone.cuda_backend
    if build_only:
        backend.detect_gpus = False
        backend.compute_capability = float(compute_capability)
        backend.gpu_id = 0
    cuda_home = os.environ.get("CUDA_HOME") or os.environ.get("CUDA_PATH") or "/usr/local/cuda"
    if Path(cuda_home).is_dir():
        backend.cuda_path = cuda_home
    # cuRAND headers and library from the nvidia-curand wheel (not in every CUDA toolkit);
    # its layout is site-packages/nvidia/<cuXX or curand>/{include,lib}
    for base in sys.path:
        headers = glob.glob(os.path.join(base, "nvidia", "*", "include", "curand.h"))
        if headers:
            inc = os.path.dirname(headers[0])
            lib = os.path.join(os.path.dirname(inc), "lib")
            if not os.path.exists(os.path.join(lib, "libcurand.so")):
                # the wheel ships libcurand.so.10 only; the linker's -lcurand needs libcurand.so
                versioned = sorted(glob.glob(os.path.join(lib, "libcurand.so.*")))
                link_dir = tempfile.mkdtemp(prefix="rate2spike_curand_")
                os.symlink(versioned[0], os.path.join(link_dir, "libcurand.so"))
                prefs.codegen.cpp.library_dirs += [link_dir]
            backend.extra_compile_args_nvcc += [f"-I{inc}", "-std=c++17"]
            prefs.codegen.cpp.extra_compile_args_gcc += ["-std=c++17"]
            prefs.codegen.cpp.include_dirs += [inc]
            prefs.codegen.cpp.library_dirs += [lib]
            prefs.codegen.cpp.runtime_library_dirs += [lib]
            break


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default=str(DEFAULT_MODEL))
    p.add_argument("--trials", type=int, default=100)
    p.add_argument("--build-only", action="store_true")
    p.add_argument("--compute-capability", type=float, default=9.0)
    args = p.parse_args()
    configure_brian2cuda(args.build_only, args.compute_capability)

    import brian2 as b2

    from rate2spike import RateNetwork
    from rate2spike.brian_models import LIFBatchModel
    from rate2spike.converters import SweepOptions, convert, default_scales, sweep_scales
    from rate2spike.simulators import initial_voltages
    from rate2spike.tasks import get_task

    rate = RateNetwork.load(args.model)
    task = get_task(rate.task)
    batch = task.generate(args.trials, 1000)
    scales = default_scales(rate.act)
    if args.build_only:
        copies = len(scales) * args.trials
        model = LIFBatchModel.from_network(convert(rate, scales[0]), copies,
                                           batch.inputs.shape[2], batch.dt_s, noise_source="brian")
        build_dir = tempfile.mkdtemp(prefix="rate2spike_cuda_")
        b2.set_device("cuda_standalone", directory=build_dir, build_on_run=False)
        objs = model.build()
        objs["G"].v = initial_voltages(np.arange(copies), model.N, model.c, 0) * b2.mV
        objs["net"].run(model.duration_s * b2.second, namespace={})
        start = time.perf_counter()
        b2.get_device().build(directory=build_dir, compile=True, run=False, with_output=False)
        print(f"cuda_standalone build check: {copies} copies x N={model.N}, code generated and "
              f"compiled in {time.perf_counter() - start:.1f} s ({build_dir}); not run")
        return
    start = time.perf_counter()
    res = sweep_scales(convert(rate, scales[0]), task, batch, scales,
                       SweepOptions(device="cuda_standalone"), progress=False)
    total = time.perf_counter() - start
    sim = sum(r.sim_time_s for r in res.results)
    print(f"cuda_standalone total {total:.1f} s | compile {res.build_time_s:.1f} s | simulation "
          f"{sim:.1f} s | best s = {res.best_s:g}, accuracy {res.best.accuracy:.2f}")


if __name__ == "__main__":
    main()
