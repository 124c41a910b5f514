"""Memory estimates checked before long work starts, so that a run too large for the machine is
refused at once with the estimate, instead of failing (or swapping) hours later."""
from __future__ import annotations

import os

from .errors import Rate2SpikeError

#: share of the available memory a single run may plan to use
MEMORY_SHARE = 0.8


def available_memory_bytes() -> int:
    """Memory available to new work (Linux ``MemAvailable``; else total physical memory)."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def check_memory(estimate_bytes: float, what: str, per_trial_bytes: float | None = None,
                 available: int | None = None) -> None:
    """Refuse ``what`` if its ``estimate_bytes`` exceed :data:`MEMORY_SHARE` of the available
    memory; with ``per_trial_bytes`` the message says how many trials would fit."""
    budget = MEMORY_SHARE * (available if available is not None else available_memory_bytes())
    if estimate_bytes <= budget:
        return
    hint = ""
    if per_trial_bytes:
        hint = f"; at most ~{int(budget // per_trial_bytes):,} trials fit"
    raise Rate2SpikeError(f"{what} would need ~{estimate_bytes / 2**30:.1f} GiB of memory, more "
                          f"than the {budget / 2**30:.1f} GiB available{hint}")
