"""``export``: a converted LIF net as a NIR graph or as a self-contained Brian2 script.

Data path: LIF artifact -> :mod:`rate2spike.exporters` -> file(s). The Brian2 script carries
one trial of the net's task as its stimulus (the first trial of ``condition``) and the same
initial voltages as rate2spike's own simulation of that trial.
"""
from __future__ import annotations

from pathlib import Path

from ..artifacts import load_network
from ..errors import Rate2SpikeError
from ..exporters.brian2_script import write_brian2_script
from ..exporters.nir_export import NIR_PROFILES, write_graph, write_nir
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


def _directly_trained(path) -> tuple | None:
    """(family, net) for the model file of a directly trained family that can be exported, None
    for a converted LIF net; any other file is refused naming what export takes."""
    from ..families import FAMILIES
    from ..families.base import family_for_kind

    kind = load_network(path)[1].get("kind")
    if kind == "lif_network":
        return None
    family = family_for_kind(kind)
    if family is None or family.to_nir is None:
        exportable = ", ".join(f.name for f in FAMILIES.values() if f.to_nir is not None)
        hint = (" (a rate net does not spike: convert it first, 'rate2spike convert --model "
                f"{path}', and export its lif_network.npz)" if kind == "rate_rnn" else "")
        raise Rate2SpikeError(f"{path} holds a {kind!r} model; export takes a converted LIF net "
                              f"(lif_network.npz from 'convert') or the model of a directly trained "
                              f"family ({exportable}; those NIR cannot express are refused, naming "
                              f"what it lacks){hint}")
    return family, family.network_type.load(path)


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
    trained = None if isinstance(network, LIFNetwork) else _directly_trained(network)
    if trained is not None and fmt != "nir":
        raise Rate2SpikeError(f"--format {fmt} takes a converted LIF net; a {trained[0].title} "
                              f"model is exported with --format nir")
    graph = trained[0].to_nir(trained[1]) if trained else None    # refused here if NIR lacks it
    if trained is None and not isinstance(network, LIFNetwork):
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
    if graph is not None:
        return [write_graph(graph, targets[0])]
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
