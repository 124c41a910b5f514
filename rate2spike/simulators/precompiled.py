"""A precompiled header of the C++ standard headers that every source file of a Brian2
``cpp_standalone`` program includes, kept beside the build cache.

Why. A standalone LIF program is ~20 source files; each spends ~0.5 s of its ~0.6 s compile
parsing the same standard headers (``<iostream>``, ``<random>``, ``<fstream>``, ...), whatever
the network. With those headers precompiled once (GCC's ``-include`` of a header with a
``.gch`` beside it) a file compiles in ~0.15 s, and a whole build takes about half as long
(``benchmarks/compile_time.py`` prints both).

Correctness does not depend on it: the header only includes standard headers, which every
source includes anyway (their include guards make the second inclusion empty), and GCC checks
that the ``.gch`` was made by the same compiler with compatible options, or else silently reads
the text header instead. It is used with GCC only, only when the build cache is on (the
``.gch``, ~50 MB, lives in ``pch-<hash>`` under the cache folder, one per compiler and set of
options) and only for ``cpp_standalone``; ``RATE2SPIKE_PRECOMPILED_HEADERS=off`` turns it off.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

HEADER_NAME = "rate2spike_pch.h"
#: set to off, 0 or no to build without the precompiled header
SWITCH_ENV = "RATE2SPIKE_PRECOMPILED_HEADERS"
#: every standard header that Brian2 2.8-2.9's standalone sources include
STANDARD_HEADERS = ("algorithm", "cassert", "climits", "cmath", "csignal", "cstdint", "cstdlib",
                    "ctime", "fstream", "iostream", "iterator", "limits", "map", "random", "set",
                    "string", "tuple", "utility", "vector")


def _gnu_compiler() -> tuple | None:
    """(the C++ compiler make will use ($CXX, else g++), its ``--version`` text) if it is GCC,
    else None."""
    compiler = os.environ.get("CXX", "g++")
    if shutil.which(compiler) is None:
        return None
    try:
        version = subprocess.run([compiler, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    text = version.stdout.lower()
    gnu = version.returncode == 0 and "clang" not in text and "free software" in text
    return (compiler, version.stdout) if gnu else None


def ensure_header(root: Path, compiler: str, version: str, flags: list) -> Path | None:
    """The text header under ``root`` whose ``.gch`` was compiled by ``compiler`` (whose
    ``--version`` printed ``version``) with ``flags`` (made once, atomically: concurrent builds
    may race, each writes its own temporary file); None if it cannot be made."""
    key = hashlib.sha256(repr((compiler, version, flags, STANDARD_HEADERS)).encode()).hexdigest()[:12]
    folder = root / f"pch-{key}"
    header, compiled = folder / HEADER_NAME, folder / (HEADER_NAME + ".gch")
    if compiled.is_file() and header.is_file():
        return header
    folder.mkdir(parents=True, exist_ok=True)
    text = "".join(f"#include <{name}>\n" for name in STANDARD_HEADERS)
    tmp_header = folder / f".{HEADER_NAME}.{os.getpid()}.tmp"
    tmp_compiled = folder / f".{HEADER_NAME}.gch.{os.getpid()}.tmp"
    try:
        tmp_header.write_text(text)
        os.replace(tmp_header, header)
        done = subprocess.run([compiler, "-x", "c++-header", *flags, str(header), "-o", str(tmp_compiled)],
                              capture_output=True, timeout=300)
        if done.returncode != 0:
            return None
        os.replace(tmp_compiled, compiled)
        return header
    except (OSError, subprocess.SubprocessError):
        return None
    finally:
        for tmp in (tmp_header, tmp_compiled):
            tmp.unlink(missing_ok=True)


@contextmanager
def precompiled_standard_headers(root: Path | None):
    """Within this block, the ``cpp_standalone`` program being built compiles with the
    precompiled standard headers kept under ``root`` (the build cache's folder; None: the cache
    is off, no header), if GCC is the compiler; Brian2's compiler options are restored
    afterwards."""
    import brian2 as b2
    from brian2.codegen.cpp_prefs import get_compiler_and_args

    gnu = None
    switched_off = os.environ.get(SWITCH_ENV, "").strip().lower() in ("off", "0", "no", "false")
    # a path with spaces: make would split the -include word, so no header is made at all
    if root is not None and " " not in str(root) and not switched_off \
            and type(b2.get_device()).__name__ == "CPPStandaloneDevice":
        gnu = _gnu_compiler()
    if gnu is None:
        yield
        return
    before = list(b2.prefs.codegen.cpp.extra_compile_args_gcc)
    flags = list(get_compiler_and_args()[1])
    if b2.prefs.devices.cpp_standalone.openmp_threads:
        flags.append("-fopenmp")                       # defines _OPENMP, as the build will
    try:
        header = ensure_header(root, *gnu, flags)
    except (OSError, subprocess.SubprocessError):
        header = None
    if header is not None:
        # one word: Brian2 tests each flag alone and drops a bare "-include"
        b2.prefs.codegen.cpp.extra_compile_args_gcc = before + [f"-include{header}"]
    try:
        yield
    finally:
        b2.prefs.codegen.cpp.extra_compile_args_gcc = before
