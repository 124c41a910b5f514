"""``export``: a converted LIF net as a NIR graph or as a self-contained Brian2 script.

Data path: LIF artifact -> :mod:`rate2spike.exporters` -> file(s). The Brian2 script carries
one trial of the net's task as its stimulus (the first trial of ``condition``) and the same
initial voltages as rate2spike's own simulation of that trial.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import Rate2SpikeError
from ..exporters.brian2_script import write_brian2_script
from ..exporters.nir_export import NIR_PROFILES, write_nir
from ..lif_models import LIFNetwork
from ..seeds import STREAMS, stream_seed
from ..tasks import get_task
from ..validation import check_seed

FORMATS = {"nir": (".nir",), "brian2": (".py", ".npz")}
#: trial seed offset of the stimulus written with a Brian2 script (stream ``export_trials``)
EXPORT_TRIAL_OFFSET = STREAMS["export_trials"]


def _targets(out: Path, fmt: str) -> list:
    stem = out.with_suffix("") if out.suffix in FORMATS[fmt] else out
    return [stem.with_suffix(ext) for ext in FORMATS[fmt]]


def export(network, fmt: str, out, condition: str | None = None, seed: int = 0,
           nir_profile: str = "portable") -> list:
    """Write ``network`` (a :class:`~rate2spike.lif_models.LIFNetwork` or its ``.npz``) as
    ``fmt``: ``nir`` (``OUT.nir``, HDF5, read back with ``nir.read``; ``nir_profile``
    ``portable``, which Norse and snnTorch load, or ``full``) or ``brian2``
    (``OUT.py`` + ``OUT.npz``; ``condition`` picks the trial it carries, default the task's
    first condition; ``seed`` its trial and initial voltages). Existing files are never
    overwritten. Returns the paths written.

    Example
    -------
    >>> export("runs/gng-lif/lif_network.npz", "nir", "gonogo_lif.nir")      # doctest: +SKIP
    [PosixPath('gonogo_lif.nir')]
    >>> export("runs/gng-lif/lif_network.npz", "brian2", "gonogo_lif")       # doctest: +SKIP
    [PosixPath('gonogo_lif.py'), PosixPath('gonogo_lif.npz')]
    """
    if fmt not in FORMATS:
        raise Rate2SpikeError(f"unknown export format {fmt!r}; valid: {', '.join(FORMATS)}")
    check_seed(seed, "--seed")
    if nir_profile not in NIR_PROFILES:
        raise Rate2SpikeError(f"unknown --nir-profile {nir_profile!r}; valid: {', '.join(NIR_PROFILES)}")
    if fmt == "nir" and condition is not None:
        raise Rate2SpikeError("--condition applies to --format brian2 only (a NIR graph carries no "
                              "trial); leave it out")
    if not isinstance(network, LIFNetwork):
        network = LIFNetwork.load(network)
    out = Path(out)
    if out.is_dir():
        raise Rate2SpikeError(f"--out {out} is a folder; give a file name, e.g. "
                              f"{out / ('lif_network' + FORMATS[fmt][0])}")
    targets = _targets(out, fmt)
    if not out.parent.is_dir():
        raise Rate2SpikeError(f"--out {out}: folder {out.parent} does not exist")
    existing = [str(t) for t in targets if t.exists()]
    if existing:
        raise Rate2SpikeError(f"{', '.join(existing)} already exist(s); choose another --out or "
                              f"remove it")
    if fmt == "nir":
        return [Path(write_nir(network, targets[0], nir_profile))]
    task = get_task(network.rate.task)
    condition = condition or task.condition_names[0]
    if condition not in task.condition_names:
        raise Rate2SpikeError(f"--condition {condition!r} is not a condition of {task.name}; "
                              f"valid: {', '.join(task.condition_names)}")
    pool = task.generate(40, stream_seed("export_trials", seed))
    k = int(next(i for i, c in enumerate(pool.conditions) if c == condition))
    written = write_brian2_script(network, targets[0], pool.inputs[k], pool.dt_s, seed=seed)
    return [Path(p) for p in written]
